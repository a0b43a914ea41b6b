/**
 * Energy VAD, the fallback when Silero's model or binary is not there.
 *
 * Method: the classic adaptive-threshold energy detector (after Rabiner &
 * Sambur 1975, who set the thresholds from the statistics of the recording's
 * own silence): frame RMS in dBFS on 25 ms frames every 10 ms; the noise
 * floor is the 10th percentile of the frames and the speech level the 95th;
 * a frame is speech when it is more than 12 dB over the floor and within the
 * upper two thirds of the floor-to-speech range (the higher of the two), and
 * no recording whose range is under 12 dB holds speech at all (steady noise
 * or silence). Then hangover rules like Silero's in whisper.cpp: gaps under
 * 0.3 s are bridged (Silero bridges 0.1 s; an energy detector drops out
 * inside words more often), speech under 0.25 s is dropped (Silero's
 * value), and regions are padded by 0.1 s (clipped so they never overlap).
 *
 * One pass over the audio; a frame's level is kept as one byte (0.5 dB
 * steps), 360 KB per hour.
 */
import { ServiceError } from '@ecg/service-kit';
import type { WavReader } from '../analysis/read-wav.js';
import { tidyRegions, type SpeechRegion } from './speech-region.js';

export interface EnergyVadOptions {
  floorPercentile: number;
  levelPercentile: number;
  /** dB over the floor a frame must reach; also the least floor-to-level range that can hold speech. */
  minRiseDb: number;
  /** Fraction of the floor-to-level range a frame must rise above the floor. */
  rangeFraction: number;
  bridgeSeconds: number;
  minSpeechSeconds: number;
  padSeconds: number;
}

export const DEFAULT_ENERGY_VAD: EnergyVadOptions = {
  floorPercentile: 0.1,
  levelPercentile: 0.95,
  minRiseDb: 12,
  rangeFraction: 1 / 3,
  bridgeSeconds: 0.3,
  minSpeechSeconds: 0.25,
  padSeconds: 0.1,
};

const HOP_S = 0.01;
const DB_MIN = -127.5;

/** Levels (dBFS, quantised in 0.5 dB steps from −127.5) → speech regions in seconds. Pure. */
export function energyRegions(levels: Uint8Array, durationSeconds: number, options: Partial<EnergyVadOptions> = {}): SpeechRegion[] {
  const o = { ...DEFAULT_ENERGY_VAD, ...options };
  const n = levels.length;
  if (n === 0) return [];
  const histogram = new Uint32Array(256);
  for (let i = 0; i < n; i++) histogram[levels[i]!]!++;
  const percentile = (p: number) => {
    const target = p * n;
    let seen = 0;
    for (let b = 0; b < 256; b++) {
      seen += histogram[b]!;
      if (seen >= target) return DB_MIN + b / 2;
    }
    return 0;
  };
  const floor = percentile(o.floorPercentile);
  const level = percentile(o.levelPercentile);
  if (level - floor < o.minRiseDb) return [];
  const threshold = Math.max(floor + o.minRiseDb, floor + o.rangeFraction * (level - floor));
  const raw: SpeechRegion[] = [];
  let start = -1;
  for (let i = 0; i <= n; i++) {
    const speech = i < n && DB_MIN + levels[i]! / 2 > threshold;
    if (speech && start < 0) start = i;
    else if (!speech && start >= 0) {
      raw.push({ start: start * HOP_S, end: i * HOP_S });
      start = -1;
    }
  }
  const bridged: SpeechRegion[] = [];
  for (const r of raw) {
    const last = bridged.at(-1);
    if (last && r.start - last.end < o.bridgeSeconds) last.end = r.end;
    else bridged.push({ ...r });
  }
  const kept = bridged.filter((r) => r.end - r.start >= o.minSpeechSeconds);
  return tidyRegions(
    kept.map((r) => ({ start: r.start - o.padSeconds, end: r.end + o.padSeconds })),
    durationSeconds,
  );
}

/** Frame levels of the whole WAV, read in 20 s pieces. */
export async function frameLevels(reader: WavReader, signal?: AbortSignal): Promise<Uint8Array> {
  const hop = Math.round(reader.sampleRate * HOP_S);
  const frame = Math.round(reader.sampleRate * 0.025);
  const frames = Math.floor(reader.totalSamples / hop);
  const levels = new Uint8Array(frames);
  const chunk = 2000;
  const buf = new Float32Array((chunk - 1) * hop + frame);
  for (let k0 = 0; k0 < frames; k0 += chunk) {
    if (signal?.aborted) throw new ServiceError('CANCELLED', 'diarization cancelled');
    const k1 = Math.min(frames, k0 + chunk);
    await reader.readInto(k0 * hop + hop / 2 - frame / 2, buf);
    for (let k = k0; k < k1; k++) {
      let s = 0;
      const at = (k - k0) * hop;
      for (let i = at, end = at + frame; i < end; i++) {
        const v = buf[i]!;
        s += v * v;
      }
      const db = 10 * Math.log10(s / frame + 1e-13);
      levels[k] = Math.max(0, Math.min(255, Math.round((db - DB_MIN) * 2)));
    }
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return levels;
}
