import { spawn } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, join } from 'node:path';

/**
 * The ffmpeg seam: which binaries to run, and one way to run them. ffmpeg is
 * the only thing that parses untrusted media, so it always runs as a child
 * process that the job's AbortSignal can kill.
 */
export interface FfmpegTools {
  ffmpeg: string;
  /** null: no ffprobe found; probing falls back to parsing `ffmpeg -i`. */
  ffprobe: string | null;
  source: 'FFMPEG_PATH' | 'PATH' | '@ffmpeg-installer/ffmpeg';
}

function isExecutable(path: string): boolean {
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

function bundledFfmpeg(): string | null {
  try {
    // CommonJS package; it throws on platforms it has no binary for.
    const mod = createRequire(import.meta.url)('@ffmpeg-installer/ffmpeg') as { path?: string };
    return mod.path && isExecutable(mod.path) ? mod.path : null;
  } catch {
    return null;
  }
}

/**
 * FFMPEG_PATH, else `ffmpeg` on PATH (a distribution build, security-patched),
 * else the static build inside @ffmpeg-installer/ffmpeg (old, last resort).
 * ffprobe: FFPROBE_PATH, else PATH. Throws a sentence saying what is missing.
 */
export function resolveFfmpegTools(env: { FFMPEG_PATH?: string; FFPROBE_PATH?: string; PATH?: string }): FfmpegTools {
  let ffmpeg: string | null;
  let source: FfmpegTools['source'];
  if (env.FFMPEG_PATH) {
    if (!isExecutable(env.FFMPEG_PATH)) throw new Error(`FFMPEG_PATH=${env.FFMPEG_PATH} is not an executable file`);
    ffmpeg = env.FFMPEG_PATH;
    source = 'FFMPEG_PATH';
  } else {
    ffmpeg = findOnPath('ffmpeg', env.PATH);
    source = 'PATH';
    if (!ffmpeg) {
      ffmpeg = bundledFfmpeg();
      source = '@ffmpeg-installer/ffmpeg';
    }
  }
  if (!ffmpeg) throw new Error('ffmpeg not found: install it (apt-get install ffmpeg) or set FFMPEG_PATH');
  let ffprobe: string | null = null;
  if (env.FFPROBE_PATH) {
    if (!isExecutable(env.FFPROBE_PATH)) throw new Error(`FFPROBE_PATH=${env.FFPROBE_PATH} is not an executable file`);
    ffprobe = env.FFPROBE_PATH;
  } else {
    ffprobe = findOnPath('ffprobe', env.PATH);
  }
  return { ffmpeg, ffprobe, source };
}

export interface ToolRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

const MAX_CAPTURE = 256 * 1024;

/**
 * Runs a tool to completion. Output is captured up to a cap (a hostile file can
 * make ffmpeg log without end); `onStdoutLine` sees every stdout line. When
 * `signal` aborts, the child is killed and this rejects with the signal's reason.
 */
export function runTool(
  bin: string,
  args: string[],
  opts: { signal?: AbortSignal; onStdoutLine?: (line: string) => void; captureStdout?: boolean } = {},
): Promise<ToolRun> {
  return new Promise((resolve, reject) => {
    if (opts.signal?.aborted) return reject(opts.signal.reason);
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
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
      if (stderr.length < MAX_CAPTURE) stderr += chunk;
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
      if (opts.signal?.aborted) return reject(opts.signal.reason);
      resolve({ code, stdout, stderr });
    });
  });
}
