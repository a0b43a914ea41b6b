import { prettyFactory } from 'pino-pretty';

/**
 * How `npm start` prints a service's output line. The services log JSON
 * (what a log collector wants, and what `start:backend` and `start:ml`
 * print); a person running `npm start` reads pino-pretty's lines instead.
 * Lines that are not pino JSON (ffmpeg, build output) pass as they came.
 */
export function lineFormatter(opts: { pretty: boolean; colorize: boolean }): (line: string) => string {
  const pretty = opts.pretty ? prettyFactory({ colorize: opts.colorize, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname' }) : null;
  return (line) => {
    if (!pretty || !line.startsWith('{')) return `${line}\n`;
    try {
      const parsed: unknown = JSON.parse(line);
      if (typeof parsed !== 'object' || parsed === null || !('level' in parsed)) return `${line}\n`;
      return pretty(parsed as Record<string, unknown>);
    } catch {
      return `${line}\n`;
    }
  };
}
