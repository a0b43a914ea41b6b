import { MediaProbeError, probeMedia as probeWithToolkit, type MediaProbe } from '@ecg/media-tools';
import { ServiceError } from '@ecg/service-kit';
import type { FfmpegTools } from './ffmpeg.js';

export { classifyProbeFailure, displaySize, MIN_PROBE_SCORE, parseFfmpegInfo, parseFfprobeJson, parseRate } from '@ecg/media-tools';

/** What the pipeline knows about a downloaded file (the toolkit's probe). */
export type MediaInfo = MediaProbe;

/**
 * Probes the downloaded file (ffprobe, else `ffmpeg -i`). The file has no
 * extension on purpose, so ffmpeg judges the bytes, not a name. A file that is
 * not media, or damaged media, is refused with the toolkit's code as a 422.
 */
export async function probeMedia(tools: FfmpegTools, path: string, signal?: AbortSignal): Promise<MediaInfo> {
  try {
    return await probeWithToolkit(tools, path, { signal });
  } catch (err) {
    if (err instanceof MediaProbeError) throw new ServiceError(err.code, err.message, { status: 422, details: err.details });
    throw err;
  }
}

/** Refuses media the pipeline cannot or should not transcribe. */
export function checkTranscribable(info: MediaInfo, maxMediaSeconds: number): void {
  if (!info.audio) {
    throw new ServiceError('NO_AUDIO_TRACK', 'the file has no audio track, so there is nothing to transcribe');
  }
  const duration = info.durationSeconds ?? info.audio.durationSeconds;
  if (duration !== null && duration > maxMediaSeconds) {
    throw new ServiceError(
      'MEDIA_TOO_LONG',
      `the media is ${Math.round(duration)} s long; this service accepts up to ${maxMediaSeconds} s (MAX_MEDIA_SECONDS)`,
      { details: { durationSeconds: duration, maxMediaSeconds } },
    );
  }
}
