import { findMediaTools, type MediaToolsLookup, type ToolsEnv } from '@ecg/media-tools';

export { hasLibass, lastLine, MediaProbeError, probeMedia, runTool, type MediaProbe, type ToolRun } from '@ecg/media-tools';

/**
 * The render worker's ffmpeg: found by the toolkit's rule (FFMPEG_PATH, else
 * PATH) with no bundled fallback, because burning captions needs libass,
 * which Debian's ffmpeg has and the static builds on npm lack. A lookup, not
 * the tools: the backend starts without ffmpeg, and each render then fails
 * with the finder's sentence saying what is missing.
 */
export type FfmpegTools = MediaToolsLookup;

/** Never throws; see `FfmpegTools`. */
export function resolveFfmpegTools(env: ToolsEnv): FfmpegTools {
  return findMediaTools(env);
}
