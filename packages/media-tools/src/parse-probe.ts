/**
 * Pure readers of what ffprobe (`-print_format json -show_format
 * -show_streams`) and `ffmpeg -i` say about a file, into one shape. The
 * process side is in probe.ts.
 */

export interface MediaStream {
  /** ffmpeg's index of the stream in the file (`-map 0:<index>`). */
  index: number;
  /** ffmpeg's codec type: 'video', 'audio', 'subtitle', 'data', 'attachment'. */
  type: string;
  /** ffmpeg's codec name ('h264', 'aac', 'pcm_s16le'); null when not stated. */
  codec: string | null;
  /** The stream's own duration; ffprobe states it per stream, `ffmpeg -i` does not (null). */
  durationSeconds: number | null;
  /** Video: the stored picture size (before the sample aspect ratio and rotation). */
  width: number | null;
  height: number | null;
  /** Video: the sample aspect ratio (anamorphic 720x576 at 16:15 is 16/15); null when not stated or 0:1. */
  sampleAspectRatio: number | null;
  /** Video: degrees the picture is turned for display (a phone's portrait video is stored landscape). */
  rotation: number | null;
  /** Video: the stated average frame rate, else ffmpeg's guess of the base rate. */
  fps: number | null;
  /** Video: cover art (one still picture), not a moving picture. */
  attachedPicture: boolean;
  /** Audio: channel count and samples per second. */
  channels: number | null;
  sampleRate: number | null;
}

/** The first moving picture of a file, at its displayed size. */
export interface PictureStream {
  index: number;
  codec: string | null;
  /** The displayed size: the stored size with the sample aspect ratio applied, turned as the rotation says. */
  width: number;
  height: number;
  storedWidth: number;
  storedHeight: number;
  fps: number | null;
}

export interface MediaProbe {
  /** The container as ffmpeg names it ('mov,mp4,m4a,3gp,3g2,mj2', 'wav'). */
  formatName: string | null;
  /** Container duration in seconds, when the container states one. */
  durationSeconds: number | null;
  /** ffmpeg's confidence (0..100) that it guessed the container right; null when unknown. */
  probeScore: number | null;
  streams: MediaStream[];
  /** Any video stream, cover art included. */
  hasVideo: boolean;
  /** The first video stream that is a moving picture with a size; null for audio-only media. */
  video: PictureStream | null;
  /** The first audio stream; null when there is none. */
  audio: MediaStream | null;
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

function seconds(v: string | number | undefined): number | null {
  const n = v === undefined ? NaN : Number(v);
  return Number.isFinite(n) && n >= 0 ? n : null;
}

function positive(v: string | number | undefined): number | null {
  const n = v === undefined ? NaN : Number(v);
  return Number.isFinite(n) && n > 0 ? n : null;
}

function summarise(formatName: string | null, durationSeconds: number | null, probeScore: number | null, streams: MediaStream[]): MediaProbe {
  const v = streams.find((s) => s.type === 'video' && !s.attachedPicture && s.width !== null && s.height !== null);
  return {
    formatName,
    durationSeconds,
    probeScore,
    streams,
    hasVideo: streams.some((s) => s.type === 'video'),
    video: v
      ? {
          index: v.index,
          codec: v.codec,
          ...displaySize(v.width!, v.height!, v.sampleAspectRatio, v.rotation),
          storedWidth: v.width!,
          storedHeight: v.height!,
          fps: v.fps,
        }
      : null,
    audio: streams.find((s) => s.type === 'audio') ?? null,
  };
}

interface FfprobeStream {
  index?: number;
  codec_type?: string;
  codec_name?: string;
  duration?: string;
  width?: number;
  height?: number;
  sample_aspect_ratio?: string;
  avg_frame_rate?: string;
  r_frame_rate?: string;
  channels?: number;
  sample_rate?: string;
  disposition?: { attached_pic?: number };
  side_data_list?: { rotation?: number }[];
  tags?: { rotate?: string };
}

interface FfprobeJson {
  format?: { format_name?: string; duration?: string; probe_score?: number };
  streams?: FfprobeStream[];
}

/** Reads ffprobe's JSON; throws (SyntaxError) when it is not JSON. */
export function parseFfprobeJson(text: string): MediaProbe {
  const data = JSON.parse(text) as FfprobeJson;
  const streams = (data.streams ?? []).map((s, i): MediaStream => {
    const video = s.codec_type === 'video';
    // ffprobe 5+ states the rotation as display-matrix side data; older ones as a `rotate` tag.
    const rotation = s.side_data_list?.find((d) => typeof d.rotation === 'number')?.rotation ?? (s.tags?.rotate !== undefined ? Number(s.tags.rotate) : null);
    return {
      index: typeof s.index === 'number' ? s.index : i,
      type: s.codec_type ?? 'unknown',
      codec: s.codec_name ?? null,
      durationSeconds: seconds(s.duration),
      width: video ? positive(s.width) : null,
      height: video ? positive(s.height) : null,
      sampleAspectRatio: video && s.sample_aspect_ratio ? parseRate(s.sample_aspect_ratio.replace(':', '/')) : null,
      rotation: video && rotation !== null && Number.isFinite(rotation) ? rotation : null,
      fps: video ? (parseRate(s.avg_frame_rate) ?? parseRate(s.r_frame_rate)) : null,
      attachedPicture: s.disposition?.attached_pic === 1,
      channels: positive(s.channels),
      sampleRate: positive(s.sample_rate),
    };
  });
  return summarise(
    data.format?.format_name ?? null,
    seconds(data.format?.duration),
    typeof data.format?.probe_score === 'number' ? data.format.probe_score : null,
    streams,
  );
}

// `ffmpeg -i` names channel layouts: mono, stereo, quad, 5.1(side), 7.1, or "3 channels".
const NAMED_LAYOUTS: Record<string, number> = { mono: 1, stereo: 2, downmix: 2, quad: 4, hexagonal: 6, octagonal: 8 };

function layoutChannels(desc: string): number | null {
  const counted = /, (\d+) channels\b/.exec(desc);
  if (counted) return Number(counted[1]);
  const dotted = /, (\d+)\.(\d+)(?:\([a-z]+\))?,/.exec(desc);
  if (dotted) return Number(dotted[1]) + Number(dotted[2]);
  const named = /, ([a-z]+)(?:\([a-z]+\))?,/.exec(desc);
  return named ? (NAMED_LAYOUTS[named[1]!] ?? null) : null;
}

/**
 * Reads what `ffmpeg -i FILE` prints about its input (stderr); null when it
 * printed no input at all. Streams look like
 * `Stream #0:1[0x2](und): Audio: aac (LC) (mp4a / 0x6134706D), 44100 Hz, stereo, fltp, 128 kb/s`
 * or `Stream #0:0(und): Video: h264 (High) (avc1 / …), yuv420p, 1920x1080 [SAR 1:1 DAR 16:9], … 29.97 fps`,
 * each followed, indented, by its metadata and side data (the rotation).
 */
export function parseFfmpegInfo(stderr: string): MediaProbe | null {
  const input = /^Input #0, ([^,]+(?:,[^,\s]+)*), from/m.exec(stderr);
  if (!input) return null;
  const d = /Duration: (\d+):(\d{2}):(\d{2}(?:\.\d+)?)/.exec(stderr);
  const duration = d ? Number(d[1]) * 3600 + Number(d[2]) * 60 + Number(d[3]) : null;
  const lines = stderr.split('\n');
  const streams: MediaStream[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = /^\s*Stream #0:(\d+)\S*: ([A-Za-z]+): (.*)$/.exec(lines[i]!);
    if (!m) continue;
    const type = m[2]!.toLowerCase();
    const desc = m[3]!;
    const codec = /^([^\s,]+)/.exec(desc)?.[1] ?? null;
    const video = type === 'video';
    const size = video ? /, (\d+)x(\d+)(?: \[SAR (\d+):(\d+) DAR \d+:\d+\])?/.exec(desc) : null;
    let rotation: number | null = null;
    if (video) {
      for (let j = i + 1; j < lines.length && !/^\s*Stream #/.test(lines[j]!); j++) {
        const r = /displaymatrix: rotation of (-?[\d.]+) degrees/.exec(lines[j]!) ?? /^\s*rotate\s*:\s*(-?\d+)/.exec(lines[j]!);
        if (r) rotation = Number(r[1]);
      }
    }
    const fps = video ? (/, ([\d.]+) fps/.exec(desc) ?? /, ([\d.]+) tbr/.exec(desc)) : null;
    const rate = type === 'audio' ? /, (\d+) Hz/.exec(desc) : null;
    streams.push({
      index: Number(m[1]),
      type,
      codec: codec === 'none' ? null : codec,
      durationSeconds: null,
      width: size ? positive(size[1]) : null,
      height: size ? positive(size[2]) : null,
      sampleAspectRatio: size?.[3] && size[4] ? parseRate(`${size[3]}/${size[4]}`) : null,
      rotation,
      fps: fps ? parseRate(fps[1]) : null,
      attachedPicture: /\(attached pic\)/.test(desc),
      channels: type === 'audio' ? layoutChannels(`${desc},`) : null,
      sampleRate: rate ? positive(rate[1]) : null,
    });
  }
  return summarise(input[1] ?? null, duration, /detected only with low score/i.test(stderr) ? 0 : null, streams);
}

/**
 * Decides between "not media at all" and "media, but broken". ffmpeg tags a
 * demuxer's messages with `[name @ 0x...]`: when one recognised the container
 * (an MP4 whose index is missing because the upload was cut off) the file is
 * damaged media; when none did, or only with ffmpeg's "low score" guess, it is
 * not a format ffmpeg reads.
 */
export function classifyProbeFailure(stderr: string): 'UNSUPPORTED_MEDIA' | 'MEDIA_DECODE_ERROR' {
  if (/detected only with low score/i.test(stderr)) return 'UNSUPPORTED_MEDIA';
  return /^\[[a-z0-9_,]+ @ (?:0x)?[0-9a-f]+\]/im.test(stderr) ? 'MEDIA_DECODE_ERROR' : 'UNSUPPORTED_MEDIA';
}
