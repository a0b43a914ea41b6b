import { spawn } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/**
 * Finding and running the media tools (ffmpeg, ffprobe) that both the ML
 * service and the backend's render worker use. They parse untrusted media, so
 * they always run as child processes an AbortSignal can kill, with capped
 * output capture.
 */

export function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

export function findOnPath(name: string, pathVar: string | undefined): string | null {
  for (const dir of (pathVar ?? '').split(delimiter)) {
    if (dir && isExecutable(join(dir, name))) return join(dir, name);
  }
  return null;
}

export interface ToolRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

const MAX_CAPTURE = 256 * 1024;

/**
 * Runs a tool to completion. Output is kept up to a cap (a hostile file can
 * make ffmpeg log without end): the start of stdout, the end of stderr (its
 * last lines say why ffmpeg stopped). `onStdoutLine` sees every stdout line.
 * When `signal` aborts, the child is killed and this rejects with the reason.
 */
export function runTool(
  bin: string,
  args: readonly string[],
  opts: { cwd?: string; signal?: AbortSignal; onStdoutLine?: (line: string) => void; captureStdout?: boolean } = {},
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
      if (opts.captureStdout !== false && stdout.length < MAX_CAPTURE) stdout += chunk;
      if (opts.onStdoutLine) {
        const lines = (partial + chunk).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) opts.onStdoutLine(line.trim());
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-MAX_CAPTURE);
    });
    const onAbort = () => child.kill('SIGKILL');
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
