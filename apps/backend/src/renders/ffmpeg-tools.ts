import { dirname, join } from 'node:path';
import { findOnPath, isExecutable, runTool } from '@ecg/media-tools';

export { runTool, type ToolRun } from '@ecg/media-tools';

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
