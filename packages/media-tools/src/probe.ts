import type { MediaTools } from './find-tools.js';
import { classifyProbeFailure, MIN_PROBE_SCORE, parseFfmpegInfo, parseFfprobeJson, type MediaProbe } from './parse-probe.js';
import { logTail, runTool } from './run-tool.js';

/**
 * Why a file could not be probed, as data: `UNSUPPORTED_MEDIA` (not a format
 * ffmpeg reads, or one it only guessed at) or `MEDIA_DECODE_ERROR` (ffmpeg
 * recognised the container but could not read it: a cut-off upload). The
 * codes are the service contract's; `details` holds the tool's last lines,
 * URLs cut out, for logs and error bodies.
 */
export class MediaProbeError extends Error {
  constructor(
    readonly code: 'UNSUPPORTED_MEDIA' | 'MEDIA_DECODE_ERROR',
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'MediaProbeError';
  }
}

function probeFailure(stderr: string): MediaProbeError {
  const detail = logTail(stderr, 3);
  return classifyProbeFailure(stderr) === 'UNSUPPORTED_MEDIA'
    ? new MediaProbeError('UNSUPPORTED_MEDIA', 'the file is not a video or audio format this service can read', { ffmpeg: detail })
    : new MediaProbeError('MEDIA_DECODE_ERROR', 'the file looks like media but is damaged or incomplete (was the upload cut off?)', { ffmpeg: detail });
}

export interface ProbeOptions {
  signal?: AbortSignal | undefined;
  /** For a URL input: give up after this long without a byte (ffmpeg's `-rw_timeout`), so a stalled server fails the probe. */
  ioTimeoutSeconds?: number;
}

/**
 * Describes `input` (a path, or a URL ffmpeg reads headers of) with ffprobe,
 * or by parsing `ffmpeg -i` when there is no ffprobe. Rejects with a
 * `MediaProbeError` for input that is not media, damaged, or only guessed at
 * (probe score at most `MIN_PROBE_SCORE`); with the signal's reason when it
 * aborts; with the spawn error when the tool cannot start.
 */
export async function probeMedia(tools: Pick<MediaTools<string>, 'ffmpeg' | 'ffprobe'>, input: string, opts: ProbeOptions = {}): Promise<MediaProbe> {
  const io = opts.ioTimeoutSeconds ? ['-rw_timeout', String(Math.round(opts.ioTimeoutSeconds * 1e6))] : [];
  let probe: MediaProbe | null;
  if (tools.ffprobe) {
    const run = await runTool(tools.ffprobe, ['-v', 'error', ...io, '-print_format', 'json', '-show_format', '-show_streams', input], { signal: opts.signal });
    if (run.code !== 0) throw probeFailure(run.stderr);
    try {
      probe = parseFfprobeJson(run.stdout);
    } catch {
      throw new MediaProbeError('UNSUPPORTED_MEDIA', 'ffprobe could not describe the file', { ffmpeg: logTail(run.stderr, 3) });
    }
  } else {
    // Without an output ffmpeg always exits 1; what it printed about the input is what counts.
    const run = await runTool(tools.ffmpeg, ['-hide_banner', '-nostdin', ...io, '-i', input], { signal: opts.signal });
    probe = parseFfmpegInfo(run.stderr);
    if (!probe) throw probeFailure(run.stderr);
  }
  if (probe.probeScore !== null && probe.probeScore <= MIN_PROBE_SCORE) {
    throw new MediaProbeError('UNSUPPORTED_MEDIA', 'the file is not a video or audio format this service can read (ffmpeg could only guess)', {
      format: probe.formatName,
      probeScore: probe.probeScore,
    });
  }
  return probe;
}
