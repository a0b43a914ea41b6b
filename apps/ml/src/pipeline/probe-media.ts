import { MlError } from '../errors.js';
import { runTool, type FfmpegTools } from './ffmpeg.js';

export interface MediaInfo {
  formatName: string | null;
  /** Container duration in seconds, when the container states one. */
  durationSeconds: number | null;
  hasAudio: boolean;
  hasVideo: boolean;
  /** The first audio stream's own duration, when the container states it. */
  audioDurationSeconds: number | null;
  /** ffmpeg's confidence (0..100) that it guessed the container right; null when unknown. */
  probeScore: number | null;
}

/**
 * At or below this ffmpeg only guessed (its own "misdetection possible"
 * warning): random bytes regularly pass for raw H.263 or MP3 at 25 or less,
 * while real containers score 50 to 100.
 */
export const MIN_PROBE_SCORE = 25;

interface FfprobeJson {
  format?: { format_name?: string; duration?: string; probe_score?: number };
  streams?: { codec_type?: string; duration?: string }[];
}

const seconds = (v: string | undefined): number | null => {
  const n = v === undefined ? NaN : Number(v);
  return Number.isFinite(n) && n >= 0 ? n : null;
};

export function parseFfprobeJson(text: string): MediaInfo {
  const data = JSON.parse(text) as FfprobeJson;
  const streams = data.streams ?? [];
  const audio = streams.find((s) => s.codec_type === 'audio');
  return {
    formatName: data.format?.format_name ?? null,
    durationSeconds: seconds(data.format?.duration),
    hasAudio: audio !== undefined,
    hasVideo: streams.some((s) => s.codec_type === 'video'),
    audioDurationSeconds: seconds(audio?.duration),
    probeScore: typeof data.format?.probe_score === 'number' ? data.format.probe_score : null,
  };
}

/** Reads what `ffmpeg -i FILE` prints about its input; null when it printed no input at all. */
export function parseFfmpegInfo(stderr: string): MediaInfo | null {
  const input = /^Input #0, ([^,]+(?:,[^,\s]+)*), from/m.exec(stderr);
  if (!input) return null;
  const d = /Duration: (\d+):(\d{2}):(\d{2}(?:\.\d+)?)/.exec(stderr);
  const duration = d ? Number(d[1]) * 3600 + Number(d[2]) * 60 + Number(d[3]) : null;
  return {
    formatName: input[1] ?? null,
    durationSeconds: duration,
    hasAudio: /Stream #0:\d+.*: Audio: /.test(stderr),
    hasVideo: /Stream #0:\d+.*: Video: /.test(stderr),
    audioDurationSeconds: null,
    probeScore: /detected only with low score/i.test(stderr) ? 0 : null,
  };
}

/**
 * Decides between "not media at all" and "media, but broken". ffmpeg tags a
 * demuxer's messages with `[name @ 0x...]`: when one recognised the container
 * (an MP4 whose index is missing because the upload was cut off) the file is
 * damaged media; when none did, or only with ffmpeg's "low score" guess, it is
 * not a format we read. The downloaded file has no extension on purpose, so
 * the URL's name cannot steer that guess.
 */
export function classifyProbeFailure(stderr: string): 'UNSUPPORTED_MEDIA' | 'MEDIA_DECODE_ERROR' {
  if (/detected only with low score/i.test(stderr)) return 'UNSUPPORTED_MEDIA';
  return /^\[[a-z0-9_,]+ @ (?:0x)?[0-9a-f]+\]/im.test(stderr) ? 'MEDIA_DECODE_ERROR' : 'UNSUPPORTED_MEDIA';
}

function probeFailure(stderr: string): MlError {
  const code = classifyProbeFailure(stderr);
  const detail = stderr.trim().split('\n').slice(-3).join(' | ').slice(0, 500);
  return code === 'UNSUPPORTED_MEDIA'
    ? new MlError(code, 'the file is not a video or audio format this service can read', 422, { ffmpeg: detail })
    : new MlError(code, 'the file looks like media but is damaged or incomplete (was the upload cut off?)', 422, { ffmpeg: detail });
}

/** Probes `path` with ffprobe, or `ffmpeg -i` when there is no ffprobe. */
export async function probeMedia(tools: FfmpegTools, path: string, signal?: AbortSignal): Promise<MediaInfo> {
  let info: MediaInfo | null;
  if (tools.ffprobe) {
    const run = await runTool(tools.ffprobe, ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', path], { signal });
    if (run.code !== 0) throw probeFailure(run.stderr);
    try {
      info = parseFfprobeJson(run.stdout);
    } catch {
      throw new MlError('UNSUPPORTED_MEDIA', 'ffprobe could not describe the file', 422);
    }
  } else {
    // Without an output ffmpeg always exits 1; what it printed about the input is what counts.
    const run = await runTool(tools.ffmpeg, ['-hide_banner', '-nostdin', '-i', path], { signal });
    info = parseFfmpegInfo(run.stderr);
    if (!info) throw probeFailure(run.stderr);
  }
  if (info.probeScore !== null && info.probeScore <= MIN_PROBE_SCORE) {
    throw new MlError('UNSUPPORTED_MEDIA', 'the file is not a video or audio format this service can read (ffmpeg could only guess)', 422, {
      format: info.formatName,
      probeScore: info.probeScore,
    });
  }
  return info;
}

/** Refuses media the pipeline cannot or should not transcribe. */
export function checkTranscribable(info: MediaInfo, maxMediaSeconds: number): void {
  if (!info.hasAudio) {
    throw new MlError('NO_AUDIO_TRACK', 'the file has no audio track, so there is nothing to transcribe', 422);
  }
  const duration = info.durationSeconds ?? info.audioDurationSeconds;
  if (duration !== null && duration > maxMediaSeconds) {
    throw new MlError(
      'MEDIA_TOO_LONG',
      `the media is ${Math.round(duration)} s long; this service accepts up to ${maxMediaSeconds} s (MAX_MEDIA_SECONDS)`,
      422,
      { durationSeconds: duration, maxMediaSeconds },
    );
  }
}
