import { createReadStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { dualSpeakerDash, toAss } from '@ecg/captions';
import type { Caption, CaptionSpeaker, ErrorCode } from '@ecg/contracts';
import { hasLibass, lastLine, MediaProbeError, probeMedia, runTool, type FfmpegTools, type MediaProbe } from './ffmpeg-tools.js';

/** A render failure with the code the client sees. */
export class RenderError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'RenderError';
  }
}

export interface BurnCaptionsInput {
  /** The finder's verdict: when it found no ffmpeg, the render fails with its sentence. */
  tools: FfmpegTools;
  /** Presigned GET URL of the video: ffmpeg streams it (HTTP range requests), nothing is copied first. */
  inputUrl: string;
  captions: readonly Caption[];
  /** The speakers' names: each speaker gets its own ASS style and colour. */
  speakers?: readonly CaptionSpeaker[] | undefined;
  expressive: boolean;
  strength: number;
  title?: string | undefined;
  language?: string | undefined;
  /** Used for progress when the probe cannot tell (the transcript's duration). */
  fallbackDurationSeconds?: number | null | undefined;
  x264Preset: string;
  crf: number;
  timeoutSeconds: number;
  /** Aborting kills ffmpeg at once (shutdown); the promise then rejects with the signal's reason. */
  signal: AbortSignal;
  /** Share of the encoding done, 0..100, as ffmpeg reports it. */
  onProgress(percent: number): void;
  /** Receives the finished MP4 as a stream (the temp file), e.g. storage.write. */
  store(mp4: Readable): Promise<void>;
  tmpRoot?: string;
}

// Rendering works in a 1080-line coordinate space whatever the video's size, so
// caption sizes are the same fraction of the picture at 240p as at 4K.
const PLAY_RES_Y = 1080;
// ffmpeg's HTTP reads give up after this long without a byte, so a stalled storage fails the render.
const IO_TIMEOUT_SECONDS = 30;
const IO_TIMEOUT_US = String(IO_TIMEOUT_SECONDS * 1e6);
// AAC goes into MP4 as it is; anything else is re-encoded so every player takes the result.
const COPYABLE_AUDIO = new Set(['aac']);

const libassChecks = new Map<string, Promise<boolean>>();

function libassAvailable(ffmpeg: string): Promise<boolean> {
  let check = libassChecks.get(ffmpeg);
  if (!check) {
    check = hasLibass(ffmpeg);
    libassChecks.set(ffmpeg, check);
  }
  return check;
}

/**
 * Burns the captions into the video with ffmpeg + libass and hands the MP4 to
 * `store`. The input streams from storage over its presigned URL; the output
 * cannot stream back the same way: `-movflags +faststart` (so a browser can
 * play the download before it has all of it) moves the index to the front
 * after encoding, which needs a seekable file. So ffmpeg writes a temp file
 * under the OS temp dir, which is then streamed to `store` and removed,
 * whatever happens. Disk use is one output file per running render.
 */
export async function burnCaptions(input: BurnCaptionsInput): Promise<void> {
  if (!input.tools.ok) throw new RenderError('INTERNAL_ERROR', input.tools.problem);
  const { tools } = input.tools;
  if (!(await libassAvailable(tools.ffmpeg))) {
    throw new RenderError(
      'INTERNAL_ERROR',
      `the ffmpeg at "${tools.ffmpeg}" cannot burn captions: it has no libass (the "ass" filter). ` +
        `Install a build with libass (Debian: apt-get install ffmpeg) or point FFMPEG_PATH at one`,
    );
  }

  // ffprobe, else `ffmpeg -i`: the input is a URL, so only its headers are read.
  let probe: MediaProbe;
  try {
    probe = await probeMedia(tools, input.inputUrl, { signal: input.signal, ioTimeoutSeconds: IO_TIMEOUT_SECONDS });
  } catch (err) {
    if (input.signal.aborted) throw err;
    // The tool's own words (URLs cut out): over HTTP a 404 or a timeout reads as "not media" to the classifier.
    const why = err instanceof MediaProbeError ? String(err.details?.ffmpeg ?? '') || err.message : (err as Error).message;
    throw new RenderError('MEDIA_DECODE_ERROR', `could not read the video: ${why}`);
  }
  if (!probe.hasVideo) throw new RenderError('UNSUPPORTED_MEDIA', 'the upload has no video stream to burn captions into');
  const probed = probe.durationSeconds ?? probe.streams.find((s) => s.type === 'video')?.durationSeconds ?? null;
  const duration = probed !== null && probed > 0 ? probed : (input.fallbackDurationSeconds ?? null);
  // The stored size, as before the toolkit: what the `ass` filter is given.
  const picture = probe.video;
  const playResX = picture ? Math.max(1, Math.round((PLAY_RES_Y * picture.storedWidth) / picture.storedHeight)) : Math.round((PLAY_RES_Y * 16) / 9);

  const dir = await mkdtemp(join(input.tmpRoot ?? tmpdir(), 'ecg-render-'));
  try {
    await writeFile(
      join(dir, 'captions.ass'),
      toAss(input.captions, {
        expressive: input.expressive,
        strength: input.strength,
        playResX,
        playResY: PLAY_RES_Y,
        ...(input.title ? { title: input.title } : {}),
        ...(input.language ? { language: input.language } : {}),
        ...(input.speakers ? { speakers: input.speakers } : {}),
        dash: dualSpeakerDash(input.language),
      }),
      'utf8',
    );
    const audio = probe.audio?.codec && COPYABLE_AUDIO.has(probe.audio.codec) ? ['-c:a', 'copy'] : ['-c:a', 'aac', '-b:a', '160k'];
    const args = [
      '-hide_banner', '-nostdin', '-y', '-loglevel', 'error', '-nostats', '-progress', 'pipe:1',
      '-rw_timeout', IO_TIMEOUT_US,
      '-i', input.inputUrl,
      '-map', '0:v:0', '-map', '0:a:0?',
      // Relative names (cwd is the temp dir) keep the path out of the filter syntax, where ':' and '\' are special.
      // x264 with 4:2:0 needs even dimensions.
      '-vf', 'ass=captions.ass,scale=trunc(iw/2)*2:trunc(ih/2)*2,format=yuv420p',
      '-c:v', 'libx264', '-preset', input.x264Preset, '-crf', String(input.crf),
      ...audio,
      '-movflags', '+faststart',
      '-f', 'mp4', 'out.mp4',
    ];

    const timeout = AbortSignal.timeout(input.timeoutSeconds * 1000);
    const signal = AbortSignal.any([input.signal, timeout]);
    let run;
    try {
      run = await runTool(tools.ffmpeg, args, {
        cwd: dir,
        signal,
        onStdoutLine: (line) => {
          const m = /^out_time_(?:us|ms)=(\d+)$/.exec(line);
          if (m && duration) input.onProgress(Math.min(100, (Number(m[1]) / 1e6 / duration) * 100));
        },
      });
    } catch (err) {
      if (input.signal.aborted) throw err;
      if (timeout.aborted) {
        throw new RenderError('PROCESSING_TIMEOUT', `the render did not finish within ${input.timeoutSeconds} s`);
      }
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new RenderError('INTERNAL_ERROR', `ffmpeg not found at "${tools.ffmpeg}": install it (apt-get install ffmpeg) or set FFMPEG_PATH`);
      }
      throw err;
    }
    if (run.code !== 0) {
      throw new RenderError('MEDIA_DECODE_ERROR', `ffmpeg could not render the video: ${lastLine(run.stderr) || `exit code ${run.code}`}`);
    }
    input.onProgress(100);
    await input.store(createReadStream(join(dir, 'out.mp4')));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
