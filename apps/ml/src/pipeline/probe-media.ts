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
  /** The first video stream that is a moving picture (cover art is not); null for audio-only media. */
  video: VideoStreamInfo | null;
}

export interface VideoStreamInfo {
  /** ffmpeg's index of the stream in the file (`-map 0:<index>`). */
  index: number;
  /** The displayed picture's size: the stored size with the sample aspect ratio applied, turned as the rotation says. */
  width: number;
  height: number;
  /** The stated average frame rate, else ffmpeg's guess of the base rate; null when neither is stated. */
  fps: number | null;
}

/**
 * The displayed size of a stored picture: a sample aspect ratio stretches the
 * width (anamorphic 720x576 at 16:15 shows as 768x576), a rotation by an odd
 * multiple of 90° swaps the sides (a phone's portrait video is stored
 * landscape with a display matrix). ffmpeg applies both when it decodes.
 */
export function displaySize(width: number, height: number, sar: number | null, rotationDegrees: number | null): { width: number; height: number } {
  const w = sar !== null && sar > 0 && Number.isFinite(sar) ? Math.max(1, Math.round(width * sar)) : width;
  const quarterTurns = Math.round((rotationDegrees ?? 0) / 90);
  return Math.abs(quarterTurns) % 2 === 1 ? { width: height, height: w } : { width: w, height };
}

/** `30000/1001`, `25/1`, `29.97` → frames per second; null for `0/0` and other non-rates. */
export function parseRate(v: string | undefined): number | null {
  if (v === undefined) return null;
  const [num, den = '1'] = v.split('/');
  const rate = Number(num) / Number(den);
  return Number.isFinite(rate) && rate > 0 ? rate : null;
}

/**
 * At or below this ffmpeg only guessed (its own "misdetection possible"
 * warning): random bytes regularly pass for raw H.263 or MP3 at 25 or less,
 * while real containers score 50 to 100.
 */
export const MIN_PROBE_SCORE = 25;

interface FfprobeStream {
  index?: number;
  codec_type?: string;
  duration?: string;
  width?: number;
  height?: number;
  sample_aspect_ratio?: string;
  avg_frame_rate?: string;
  r_frame_rate?: string;
  disposition?: { attached_pic?: number };
  side_data_list?: { rotation?: number }[];
  tags?: { rotate?: string };
}

interface FfprobeJson {
  format?: { format_name?: string; duration?: string; probe_score?: number };
  streams?: FfprobeStream[];
}

function ffprobeVideo(streams: readonly FfprobeStream[]): VideoStreamInfo | null {
  const v = streams.find((s) => s.codec_type === 'video' && s.disposition?.attached_pic !== 1);
  if (!v || typeof v.index !== 'number' || !(Number(v.width) > 0) || !(Number(v.height) > 0)) return null;
  // ffprobe 5+ states the rotation as display-matrix side data; older ones as a `rotate` tag.
  const rotation = v.side_data_list?.find((d) => typeof d.rotation === 'number')?.rotation ?? (v.tags?.rotate !== undefined ? Number(v.tags.rotate) : null);
  const sar = v.sample_aspect_ratio ? parseRate(v.sample_aspect_ratio.replace(':', '/')) : null;
  return {
    index: v.index,
    ...displaySize(v.width!, v.height!, sar, Number.isFinite(rotation) ? rotation : null),
    fps: parseRate(v.avg_frame_rate) ?? parseRate(v.r_frame_rate),
  };
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
    video: ffprobeVideo(streams),
  };
}

/** The first moving-picture video stream `ffmpeg -i` describes: `Stream #0:1(und): Video: h264 …, 1920x1080 [SAR 1:1 DAR 16:9], … 29.97 fps`. */
function ffmpegInfoVideo(stderr: string): VideoStreamInfo | null {
  const lines = stderr.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^\s*Stream #0:(\d+)\S*: Video: (.*)$/.exec(lines[i]!);
    if (!m || /\(attached pic\)/.test(m[2]!)) continue;
    const size = /, (\d+)x(\d+)(?: \[SAR (\d+):(\d+) DAR \d+:\d+\])?/.exec(m[2]!);
    if (!size) return null;
    // Side data and metadata of this stream follow it, indented, up to the next stream.
    let rotation: number | null = null;
    for (let j = i + 1; j < lines.length && !/^\s*Stream #/.test(lines[j]!); j++) {
      const r = /displaymatrix: rotation of (-?[\d.]+) degrees/.exec(lines[j]!) ?? /^\s*rotate\s*:\s*(-?\d+)/.exec(lines[j]!);
      if (r) rotation = Number(r[1]);
    }
    const sar = size[3] && size[4] ? Number(size[3]) / Number(size[4]) : null;
    const fps = /, ([\d.]+) fps/.exec(m[2]!) ?? /, ([\d.]+) tbr/.exec(m[2]!);
    return {
      index: Number(m[1]),
      ...displaySize(Number(size[1]), Number(size[2]), sar, rotation),
      fps: fps ? parseRate(fps[1]) : null,
    };
  }
  return null;
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
    video: ffmpegInfoVideo(stderr),
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
