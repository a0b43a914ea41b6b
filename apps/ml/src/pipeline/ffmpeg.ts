import { createRequire } from 'node:module';
import { findMediaTools, isExecutable, requireMediaTools, type MediaTools, type MediaToolsLookup, type ToolsEnv } from '@ecg/media-tools';

export { findOnPath, lastLine, logTail, runTool, type ToolRun } from '@ecg/media-tools';

/**
 * The ML service's ffmpeg: found by the toolkit's rule (FFMPEG_PATH, else
 * PATH), with the static build in @ffmpeg-installer/ffmpeg as the last resort
 * (old, so only when nothing else is there: transcription needs no libass).
 */
const BUNDLED = '@ffmpeg-installer/ffmpeg';

export type FfmpegTools = MediaTools<typeof BUNDLED>;

function bundledFfmpeg(): string | null {
  try {
    // CommonJS package; it throws on platforms it has no binary for.
    const mod = createRequire(import.meta.url)(BUNDLED) as { path?: string };
    return mod.path && isExecutable(mod.path) ? mod.path : null;
  } catch {
    return null;
  }
}

const fallback = { source: BUNDLED, ffmpeg: bundledFfmpeg } as const;

/** The tools, or the sentence that says what is missing (readiness reports it as "not ready"). */
export function findFfmpegTools(env: ToolsEnv): MediaToolsLookup<typeof BUNDLED> {
  return findMediaTools(env, { fallback });
}

/** `findFfmpegTools`, throwing that sentence (a `MediaToolsError`) when a tool is missing. */
export function resolveFfmpegTools(env: ToolsEnv): FfmpegTools {
  return requireMediaTools(env, { fallback });
}
