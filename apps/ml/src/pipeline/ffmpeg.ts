import { createRequire } from 'node:module';
import { findOnPath, isExecutable } from '@ecg/media-tools';

export { findOnPath, runTool, type ToolRun } from '@ecg/media-tools';

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



