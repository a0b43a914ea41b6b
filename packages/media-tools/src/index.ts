/**
 * The media toolkit: the one seam through which the ML service and the
 * backend's render worker find, probe and run ffmpeg/ffprobe. Callers may rely
 * on: finding never throws (a missing tool is a lookup with a sentence),
 * probing answers one shape whichever tool did it, and every run is a child
 * process an AbortSignal kills, its output capped and its URLs redacted when
 * quoted.
 */
export {
  findMediaTools,
  findOnPath,
  isExecutable,
  MediaToolsError,
  requireMediaTools,
  type FfmpegFallback,
  type MediaTools,
  type MediaToolsLookup,
  type MediaToolsProblemCode,
  type ToolsEnv,
} from './find-tools.js';
export { lastLine, logTail, redactUrls, runTool, TOOL_CAPTURE_LIMIT, type ToolRun } from './run-tool.js';
export {
  classifyProbeFailure,
  displaySize,
  MIN_PROBE_SCORE,
  parseFfmpegInfo,
  parseFfprobeJson,
  parseRate,
  type MediaProbe,
  type MediaStream,
  type PictureStream,
} from './parse-probe.js';
export { MediaProbeError, probeMedia, type ProbeOptions } from './probe.js';
export { hasLibass } from './capabilities.js';
