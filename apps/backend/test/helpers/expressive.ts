import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { ResultCallbackInput, TranscriptResult, WaveformJson } from '@ecg/contracts';
import { signCallback } from '@ecg/signing';
import type { App } from '../../src/app.js';
import { TEST_SECRETS } from './test-backend.js';

export const run = promisify(execFile);

/**
 * A hand-written result for a 5-second clip: two segments with per-word timing
 * and the ML service's analysis fields, one word of each emphasis at least.
 */
export const EXPRESSIVE_RESULT: TranscriptResult = {
  text: ' Hello LOUD world. quiet words here.',
  language: 'en',
  duration: 5,
  segments: [
    {
      id: 0,
      start: 0.2,
      end: 2.4,
      text: ' Hello LOUD world.',
      words: [
        { word: ' Hello', start: 0.2, end: 0.8, probability: 0.9, volume_db: -20, peak_db: -8, pitch_hz: 180, emphasis: 'normal' },
        { word: ' LOUD', start: 0.9, end: 1.6, probability: 0.9, volume_db: -9, peak_db: -2, pitch_hz: 220, emphasis: 'loud' },
        { word: ' world.', start: 1.7, end: 2.4, probability: 0.9, volume_db: -21, peak_db: -9, pitch_hz: 170, emphasis: 'normal' },
      ],
    },
    {
      id: 1,
      start: 2.6,
      end: 4.8,
      text: ' quiet words here.',
      words: [
        { word: ' quiet', start: 2.6, end: 3.2, probability: 0.9, volume_db: -38, peak_db: -27, pitch_hz: null, emphasis: 'whisper' },
        { word: ' words', start: 3.4, end: 4.0, probability: 0.9, volume_db: -22, peak_db: -10, pitch_hz: 160, emphasis: 'normal' },
        { word: ' here.', start: 4.1, end: 4.8, probability: 0.9, volume_db: -21, peak_db: -9, pitch_hz: 150, emphasis: 'normal' },
      ],
    },
  ],
};

export const WAVEFORM: WaveformJson = {
  version: 2,
  channels: 1,
  sample_rate: 16000,
  samples_per_pixel: 160,
  bits: 8,
  length: 3,
  data: [-12, 14, -100, 101, 0, 0],
};

/** Sends a delivery the way the ML service does (signed); returns the HTTP status. */
export async function deliverSigned(app: App, body: ResultCallbackInput): Promise<number> {
  const raw = JSON.stringify(body);
  const res = await app.inject({
    method: 'POST',
    url: '/api/upload-video/result',
    headers: { 'content-type': 'application/json', ...signCallback(TEST_SECRETS.CALLBACK_SECRET, raw) },
    payload: raw,
  });
  return res.statusCode;
}

/** A 5-second 320x240 H.264 + AAC MP4 (testsrc pattern and a 440 Hz tone), as an upload would be. */
export async function makeTestVideo(path: string, seconds = 5): Promise<void> {
  await run('ffmpeg', [
    '-v', 'error', '-y',
    '-f', 'lavfi', '-i', `testsrc=size=320x240:rate=25:duration=${seconds}`,
    '-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=44100:duration=${seconds}`,
    '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p',
    '-c:a', 'aac', '-shortest', '-movflags', '+faststart', path,
  ]);
}

export interface ProbedStreams {
  duration: number;
  codecs: string[];
}

/** ffprobe of a file: its duration and the codec of each stream. */
export async function probe(path: string): Promise<ProbedStreams> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', path]);
  const info = JSON.parse(stdout) as { format: { duration: string }; streams: Array<{ codec_type: string; codec_name: string }> };
  return { duration: Number(info.format.duration), codecs: info.streams.map((s) => `${s.codec_type}:${s.codec_name}`) };
}
