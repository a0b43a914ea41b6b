import { spawn } from 'node:child_process';

/**
 * Running a media tool. ffmpeg and ffprobe parse untrusted media, so they
 * always run as child processes an AbortSignal can kill, with capped output
 * capture (a hostile file can make ffmpeg log without end).
 */

export interface ToolRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Characters kept of each stream: the start of stdout, the end of stderr. */
export const TOOL_CAPTURE_LIMIT = 256 * 1024;

/**
 * Runs a tool to completion. Output is kept up to `TOOL_CAPTURE_LIMIT`: the
 * start of stdout, the end of stderr (its last lines say why ffmpeg stopped).
 * `onStdoutLine` sees every stdout line, captured or not. When `signal`
 * aborts, the child is killed and this rejects with the signal's reason; a
 * binary that cannot be started rejects with the spawn error (ENOENT, EACCES).
 */
export function runTool(
  bin: string,
  args: readonly string[],
  opts: { cwd?: string; signal?: AbortSignal | undefined; onStdoutLine?: (line: string) => void; captureStdout?: boolean } = {},
): Promise<ToolRun> {
  return new Promise((resolve, reject) => {
    if (opts.signal?.aborted) {
      reject(opts.signal.reason as Error);
      return;
    }
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], ...(opts.cwd ? { cwd: opts.cwd } : {}) });
    let stdout = '';
    let stderr = '';
    let partial = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      if (opts.captureStdout !== false && stdout.length < TOOL_CAPTURE_LIMIT) stdout += chunk.slice(0, TOOL_CAPTURE_LIMIT - stdout.length);
      if (opts.onStdoutLine) {
        const lines = (partial + chunk).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) opts.onStdoutLine(line.trim());
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-TOOL_CAPTURE_LIMIT);
    });
    const onAbort = () => {
      child.kill('SIGKILL');
      // 'close' waits for the pipes, which a grandchild (a wrapper script's ffmpeg) may hold open long after.
      child.stdout.destroy();
      child.stderr.destroy();
    };
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    child.once('error', (err) => {
      opts.signal?.removeEventListener('abort', onAbort);
      reject(err);
    });
    child.once('close', (code) => {
      opts.signal?.removeEventListener('abort', onAbort);
      if (partial && opts.onStdoutLine) opts.onStdoutLine(partial.trim());
      if (opts.signal?.aborted) {
        reject(opts.signal.reason as Error);
        return;
      }
      resolve({ code, stdout, stderr });
    });
  });
}

/** URLs cut out of a tool's log: a presigned URL is a credential, and ffmpeg repeats its input's name in errors. */
export function redactUrls(text: string): string {
  return text.replace(/[a-z][a-z0-9+.-]*:\/\/\S+/gi, '<URL>');
}

/** The last `count` non-empty lines of a tool's log, URLs cut out, joined with ` | `, at most 500 characters. */
export function logTail(log: string, count: number): string {
  const lines = log
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  return redactUrls(lines.slice(-count).join(' | ')).slice(0, 500);
}

/** The last non-empty line of a tool's log, URLs cut out: what a failure message quotes. */
export function lastLine(log: string): string {
  return logTail(log, 1);
}
