import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ServiceError } from '@ecg/service-kit';
import { logTail, runTool, type FfmpegTools } from '../pipeline/ffmpeg.js';
import { RGB_BYTES } from './frame-difference.js';

/**
 * One frame's time from what ffmpeg's `metadata=mode=print` writes per
 * frame (`frame:12   pts:400000  pts_time:0.4`), in seconds; null for the
 * other lines. The pts is read, not pts_time: pts_time is printed to six
 * significant digits (0.01 s past 1000 s), the pts exactly, in microseconds
 * because the graph sets its time base to AV_TIME_BASE (`settb=AVTB`).
 */
export function parseFrameTimeLine(line: string): { frame: number; seconds: number | null } | null {
  const m = /^frame:\s*(\d+)\s+pts:\s*(\S+)/.exec(line);
  if (!m) return null;
  const pts = Number(m[2]);
  return { frame: Number(m[1]), seconds: Number.isFinite(pts) ? pts / 1e6 : null };
}

/**
 * The frames' times in frame order, as ffmpeg prints them, made safe to use:
 * a frame without a pts (NOPTS) gets the previous time plus the last step
 * seen, and a time that does not move forward (a broken file) is nudged
 * past the one before, so times are strictly ascending.
 */
export class FrameTimes {
  #times = new Float64Array(1024);
  #count = 0;
  #step = 0;

  add(seconds: number | null): void {
    const last = this.#count > 0 ? this.#times[this.#count - 1]! : null;
    let t = seconds ?? (last === null ? 0 : last + this.#step);
    if (last !== null) {
      if (seconds !== null && t > last) this.#step = t - last;
      if (t <= last) t = last + Math.max(this.#step, 1e-6);
    }
    if (this.#count === this.#times.length) {
      const grown = new Float64Array(this.#times.length * 2);
      grown.set(this.#times);
      this.#times = grown;
    }
    this.#times[this.#count++] = t;
  }

  get count(): number {
    return this.#count;
  }

  /** Frame `index`'s time; past the last printed one (never expected), extrapolated by the last step. */
  at(index: number): number {
    if (index < this.#count) return this.#times[index]!;
    if (this.#count === 0) return 0;
    return this.#times[this.#count - 1]! + (index - this.#count + 1) * Math.max(this.#step, 1e-6);
  }
}

export interface DecodeFramesOptions {
  tools: FfmpegTools;
  inputPath: string;
  /** ffmpeg's index of the video stream in the file. */
  streamIndex: number;
  /** Size of the frames handed over (the displayed picture scaled to it). */
  width: number;
  height: number;
  /** A private directory (the job's) where the frames' socket can live. */
  workDir: string;
  signal?: AbortSignal;
  /** Every frame in order. `frame` is reused after the call returns. */
  onFrame: (frame: Uint8Array, index: number) => void;
  /** Every frame's time (seconds) as it is printed: not in step with onFrame. */
  onTime?: (seconds: number) => void;
}

/** sun_path holds 108 bytes on Linux, 104 on macOS, the terminating NUL included. */
const MAX_SOCKET_PATH_BYTES = 100;

/**
 * Decodes a video stream once into small RGB24 frames with exact times,
 * streamed: at no point is more than a few frames in memory or anything on
 * disk. ffmpeg does the parsing, decoding and area downscaling (which
 * averages sensor noise away); this only receives the result.
 *
 * The pixels come over a Unix socket in `workDir` rather than stdout,
 * because the toolkit's runTool (packages/media-tools) hands stdout over as
 * text lines; stdout carries the frame times instead. ffmpeg connects to the
 * socket as a client (its `unix:` output protocol), so nothing listens
 * longer than this call, and the directory is private to the job. The two
 * channels keep frame order but not pace (ffmpeg buffers the times, 32 kB at
 * a time: ~500 frames): frames are handed over by index, times collected
 * apart, and the caller joins them at the end.
 */
export async function decodeFrames(opts: DecodeFramesOptions): Promise<{ frames: number; times: FrameTimes }> {
  const frameBytes = opts.width * opts.height * RGB_BYTES;
  let socketDir = opts.workDir;
  let ownDir = false;
  if (Buffer.byteLength(join(socketDir, 'frames.sock')) > MAX_SOCKET_PATH_BYTES) {
    socketDir = await mkdtemp(join(tmpdir(), 'ecg-frames-'));
    ownDir = true;
  }
  const socketPath = join(socketDir, 'frames.sock');
  // Stops ffmpeg when this side fails (the frame consumer throws), not only on the caller's cancel.
  const stop = new AbortController();
  const signal = opts.signal ? AbortSignal.any([opts.signal, stop.signal]) : stop.signal;
  let failure: unknown = null;
  const fail = (err: unknown) => {
    failure ??= err;
    stop.abort(err);
  };
  const times = new FrameTimes();
  let frames = 0;
  const buffer = new Uint8Array(frameBytes);
  let filled = 0;
  let connection: Socket | null = null;
  let connectionEnded: Promise<void> = Promise.resolve();

  const server: Server = createServer((socket) => {
    if (connection) return void socket.destroy(); // one ffmpeg, one connection
    connection = socket;
    connectionEnded = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.on('error', fail);
    socket.on('data', (chunk: Buffer) => {
      try {
        let at = 0;
        while (at < chunk.length) {
          const n = Math.min(frameBytes - filled, chunk.length - at);
          buffer.set(chunk.subarray(at, at + n), filled);
          filled += n;
          at += n;
          if (filled === frameBytes) {
            filled = 0;
            opts.onFrame(buffer, frames++);
          }
        }
      } catch (err) {
        fail(err);
        socket.destroy();
      }
    });
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(socketPath, () => resolve());
    });
    const args = [
      '-hide_banner', '-nostdin', '-nostats', '-loglevel', 'error',
      '-i', opts.inputPath,
      '-map', `0:${opts.streamIndex}`, '-an', '-sn', '-dn',
      // select's scene score is computed only to give every frame a metadata entry: metadata
      // prints nothing for a frame without one (and ffmpeg 4's `mode=add` adds none to such a frame).
      '-vf', [
        `scale=${opts.width}:${opts.height}:flags=area`,
        'format=rgb24',
        'settb=AVTB',
        "select='gte(scene\\,0)'",
        "metadata=mode=print:file='pipe\\:1'",
      ].join(','),
      // Every decoded frame once, at its own time: no frame rate conversion (VFR stays VFR).
      '-vsync', 'passthrough',
      '-f', 'rawvideo', `unix:${socketPath}`,
    ];
    const run = await runTool(opts.tools.ffmpeg, args, {
      signal,
      captureStdout: false,
      onStdoutLine: (line) => {
        const t = parseFrameTimeLine(line);
        if (!t) return;
        times.add(t.seconds);
        opts.onTime?.(times.at(times.count - 1));
      },
    }).catch((err: unknown) => {
      throw failure ?? err;
    });
    await connectionEnded;
    if (failure) throw failure;
    if (run.code !== 0) {
      const detail = logTail(run.stderr, 3);
      throw new ServiceError('MEDIA_DECODE_ERROR', `ffmpeg could not decode the video stream: ${detail}`, { details: { ffmpeg: detail } });
    }
    if (filled !== 0) throw new ServiceError('MEDIA_DECODE_ERROR', `the video stream ended inside a frame (${filled} of ${frameBytes} bytes)`);
    return { frames, times };
  } finally {
    (connection as Socket | null)?.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    if (ownDir) await rm(socketDir, { recursive: true, force: true });
    else await rm(socketPath, { force: true });
  }
}
