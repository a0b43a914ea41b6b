import { spawn } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';

/**
 * The ffmpeg seam of the render worker: which binaries to run and one way to
 * run them. ffmpeg parses untrusted media, so it always runs as a child
 * process that an AbortSignal can kill, with capped output capture.
 */
export interface FfmpegTools {
  ffmpeg: string;
  /** null: none found; the render then takes the duration from the transcript. */
  ffprobe: string | null;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function findOnPath(name: string, pathVar: string | undefined): string | null {
  for (const dir of (pathVar ?? '').split(delimiter)) {
    if (dir && isExecutable(join(dir, name))) return join(dir, name);
  }
  return null;
}

/**
 * FFMPEG_PATH, else `ffmpeg` on PATH. No bundled static build: burning
 * captions needs libass, which Debian's ffmpeg has and the static builds on
 * npm lack. ffprobe: FFPROBE_PATH, else the one beside ffmpeg, else PATH.
 * Never throws: a missing binary fails each render with a sentence saying so.
 */
export function resolveFfmpegTools(env: { FFMPEG_PATH?: string | undefined; FFPROBE_PATH?: string | undefined; PATH?: string | undefined }): FfmpegTools {
  const ffmpeg = env.FFMPEG_PATH || findOnPath('ffmpeg', env.PATH) || 'ffmpeg';
  let ffprobe: string | null = env.FFPROBE_PATH || null;
  if (!ffprobe && env.FFMPEG_PATH) {
    const beside = join(dirname(env.FFMPEG_PATH), 'ffprobe');
    if (isExecutable(beside)) ffprobe = beside;
  }
  ffprobe ??= findOnPath('ffprobe', env.PATH);
  return { ffmpeg, ffprobe };
}

export interface ToolRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

const MAX_CAPTURE = 256 * 1024;

/**
 * Runs a tool to completion. Output is kept up to a cap (a hostile file can
 * make ffmpeg log without end); `onStdoutLine` sees every stdout line. When
 * `signal` aborts the child is killed and this rejects with the signal's reason.
 */
export function runTool(
  bin: string,
  args: readonly string[],
  opts: { cwd?: string; signal?: AbortSignal; onStdoutLine?: (line: string) => void } = {},
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
      if (stdout.length < MAX_CAPTURE) stdout += chunk;
      if (opts.onStdoutLine) {
        const lines = (partial + chunk).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) opts.onStdoutLine(line.trim());
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      // Keep the end: ffmpeg's last lines say why it stopped.
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

/** True when this ffmpeg has the libass filters (`ass`, `subtitles`); false when it lacks them or does not run. */
export async function hasLibass(ffmpeg: string): Promise<boolean> {
  try {
    const run = await runTool(ffmpeg, ['-hide_banner', '-filters']);
    return run.code === 0 && /^\s*\S+\s+ass\s+V->V\b/m.test(run.stdout);
  } catch {
    return false;
  }
}

export interface MediaProbe {
  durationSeconds: number | null;
  width: number | null;
  height: number | null;
  audioCodec: string | null;
  hasVideo: boolean;
}

interface FfprobeJson {
  format?: { duration?: string };
  streams?: Array<{ codec_type?: string; codec_name?: string; width?: number; height?: number; duration?: string }>;
}

/** What a render needs to know about its input; the URL is read over HTTP(S), headers only. */
export async function probeMedia(ffprobe: string, input: string, signal?: AbortSignal): Promise<MediaProbe> {
  const run = await runTool(
    ffprobe,
    ['-v', 'error', '-rw_timeout', '30000000', '-print_format', 'json', '-show_format', '-show_streams', input],
    signal ? { signal } : {},
  );
  if (run.code !== 0) throw new Error(lastLine(run.stderr) || `ffprobe exited with ${run.code}`);
  const info = JSON.parse(run.stdout) as FfprobeJson;
  const streams = info.streams ?? [];
  const video = streams.find((s) => s.codec_type === 'video');
  const audio = streams.find((s) => s.codec_type === 'audio');
  const duration = Number(info.format?.duration ?? video?.duration);
  return {
    durationSeconds: Number.isFinite(duration) && duration > 0 ? duration : null,
    width: video?.width ?? null,
    height: video?.height ?? null,
    audioCodec: audio?.codec_name ?? null,
    hasVideo: video !== undefined,
  };
}

/** The last non-empty line of a tool's log, URLs cut off (a presigned URL is a credential). */
export function lastLine(log: string): string {
  const line =
    log
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '')
      .pop() ?? '';
  return line.replace(/https?:\/\/\S+/g, '<video URL>').slice(0, 500);
}
