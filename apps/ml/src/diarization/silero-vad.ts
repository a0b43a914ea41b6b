/**
 * Speech regions from Silero VAD (Silero Team 2021, v6.2 as a ggml model)
 * through whisper.cpp's `whisper-vad-speech-segments` example, built beside
 * whisper-cli. Its default settings are kept (threshold 0.5, speech at least
 * 250 ms, silences under 100 ms bridged, 30 ms padding): they are Silero's own
 * and what whisper-cli's `--vad` uses.
 *
 * The example prints `Speech segment N: start = X, end = Y` with X and Y in
 * centiseconds (whisper.cpp's internal time unit; jfk.wav's first segment
 * prints `start = 32.00` for 0.32 s), which is why the values are divided by
 * 100. It reads the whole file into memory in its own process (4 bytes a
 * sample: 230 MB per hour), as whisper-cli itself does.
 */
import { spawn } from 'node:child_process';
import { ServiceError } from '@ecg/service-kit';
import type { SpeechRegion } from './speech-region.js';

const LINE = /^Speech segment \d+: start = ([\d.]+), end = ([\d.]+)\s*$/;

/** Parses the example's stdout. Pure. */
export function parseVadSegments(stdout: string): SpeechRegion[] {
  const out: SpeechRegion[] = [];
  for (const line of stdout.split('\n')) {
    const m = LINE.exec(line.trim());
    if (m) out.push({ start: Number(m[1]) / 100, end: Number(m[2]) / 100 });
  }
  return out;
}

export interface SileroVadInput {
  binaryPath: string;
  modelPath: string;
  wavPath: string;
  threads?: number;
  signal?: AbortSignal;
}

export async function sileroRegions(input: SileroVadInput): Promise<SpeechRegion[]> {
  if (input.signal?.aborted) throw new ServiceError('CANCELLED', 'diarization cancelled');
  const args = ['-f', input.wavPath, '-vm', input.modelPath, '-t', String(input.threads ?? 2), '-np'];
  return new Promise((resolve, reject) => {
    const child = spawn(input.binaryPath, args, { stdio: ['ignore', 'pipe', 'pipe'], signal: input.signal });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-2000)));
    child.once('error', (err) => {
      if (input.signal?.aborted) reject(new ServiceError('CANCELLED', 'diarization cancelled'));
      else reject(new ServiceError('INTERNAL_ERROR', `the Silero VAD (${input.binaryPath}) could not start: ${err.message}`));
    });
    child.once('close', (code, sig) => {
      if (input.signal?.aborted) return reject(new ServiceError('CANCELLED', 'diarization cancelled'));
      if (code !== 0) return reject(new ServiceError('INTERNAL_ERROR', `the Silero VAD failed (${sig ?? `exit ${code}`}): ${stderr.trim().split('\n').slice(-3).join(' ')}`));
      resolve(parseVadSegments(stdout));
    });
  });
}
