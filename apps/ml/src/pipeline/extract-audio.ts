import { stat } from 'node:fs/promises';
import { ServiceError } from '@ecg/service-kit';
import { logTail, runTool, type FfmpegTools } from './ffmpeg.js';

/** 16 kHz mono s16le: 32000 bytes per second of audio. */
const WAV_BYTES_PER_SECOND = 32_000;

/** Seconds of output from one line of ffmpeg's `-progress` output, or null. */
export function parseProgressLine(line: string): number | null {
  // out_time_ms is microseconds too (a long-standing ffmpeg quirk); out_time_us is the honest name.
  const us = /^out_time_(?:us|ms)=(\d+)$/.exec(line);
  if (us) return Number(us[1]) / 1e6;
  const t = /^out_time=(-?)(\d+):(\d{2}):(\d{2}(?:\.\d+)?)$/.exec(line);
  if (t) return t[1] ? 0 : Number(t[2]) * 3600 + Number(t[3]) * 60 + Number(t[4]);
  return null;
}

export interface ExtractAudioOptions {
  tools: FfmpegTools;
  inputPath: string;
  outputPath: string;
  /** Probed duration, for progress and to notice a file that ends early; null when unknown. */
  expectedSeconds: number | null;
  /** Whether `expectedSeconds` is the audio stream's own duration (reliable for the truncation check). */
  expectedIsAudioDuration: boolean;
  maxMediaSeconds: number;
  signal?: AbortSignal;
  onProgress?: (fraction: number) => void;
}

/**
 * Decodes the first audio stream to 16 kHz mono 16-bit WAV, file to file
 * (ffmpeg streams; the media is never held in memory). Codes:
 * MEDIA_DECODE_ERROR when ffmpeg fails or the audio stops well before the
 * duration the container promised (an upload cut off after the index),
 * MEDIA_TOO_LONG when a container that states no duration turns out too long.
 */
export async function extractAudio(opts: ExtractAudioOptions): Promise<{ seconds: number }> {
  const limit = opts.maxMediaSeconds + 1;
  let lastSeconds = 0;
  const args = [
    '-hide_banner', '-nostdin', '-nostats', '-loglevel', 'error',
    '-progress', 'pipe:1',
    '-i', opts.inputPath,
    '-map', '0:a:0', '-vn', '-sn', '-dn',
    '-ac', '1', '-ar', '16000', '-c:a', 'pcm_s16le',
    // Stops a stream without a stated duration from decoding forever.
    '-t', String(limit),
    '-f', 'wav', '-y', opts.outputPath,
  ];
  const run = await runTool(opts.tools.ffmpeg, args, {
    signal: opts.signal,
    captureStdout: false,
    onStdoutLine: (line) => {
      const s = parseProgressLine(line);
      if (s === null) return;
      lastSeconds = Math.max(lastSeconds, s);
      if (opts.expectedSeconds && opts.expectedSeconds > 0) opts.onProgress?.(Math.min(1, s / opts.expectedSeconds));
    },
  });
  const detail = logTail(run.stderr, 3);
  if (run.code !== 0) {
    throw new ServiceError('MEDIA_DECODE_ERROR', 'ffmpeg could not decode the audio of this file', { details: { ffmpeg: detail } });
  }
  const size = (await stat(opts.outputPath)).size;
  // The WAV header is 44-78 bytes; ignoring it costs a few milliseconds of accuracy.
  const seconds = Math.max(lastSeconds, size / WAV_BYTES_PER_SECOND);
  if (seconds > opts.maxMediaSeconds) {
    throw new ServiceError('MEDIA_TOO_LONG', `the media is longer than the ${opts.maxMediaSeconds} s this service accepts (MAX_MEDIA_SECONDS)`, { details: {
      maxMediaSeconds: opts.maxMediaSeconds,
    } });
  }
  const cutShort = opts.expectedIsAudioDuration && opts.expectedSeconds !== null && seconds < opts.expectedSeconds * 0.9 - 0.5;
  if (cutShort || /partial file/i.test(run.stderr)) {
    throw new ServiceError(
      'MEDIA_DECODE_ERROR',
      `the audio stops at ${seconds.toFixed(1)} s${opts.expectedSeconds ? ` of the ${opts.expectedSeconds.toFixed(1)} s the file promises` : ''}: the file is truncated or damaged`,
      { details: { ffmpeg: detail } },
    );
  }
  opts.onProgress?.(1);
  return { seconds };
}
