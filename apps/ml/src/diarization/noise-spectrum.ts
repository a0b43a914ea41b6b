/**
 * The recording's steady noise as mean mel-filter energies, measured on the
 * frames the VAD left out (pauses, lead-in, the room between turns), for the
 * spectral subtraction in mfcc.ts. Up to MAX_FRAMES frames are read, spread
 * evenly over all the non-speech, so the cost is bounded whatever the
 * recording's length. With under MIN_FRAMES of non-speech there is nothing
 * trustworthy to subtract and the answer is undefined.
 *
 * Only the quieter half of those frames is averaged: VAD edges and breaths
 * leak into "non-speech", and noise is what is left when nothing else is
 * there (the minimum-statistics idea of Martin 2001, in its simplest form).
 */
import type { WavReader } from '../analysis/read-wav.js';
import type { MfccExtractor } from './mfcc.js';
import type { SpeechRegion } from './speech-region.js';

const HOP = 160;
const FRAME = 400;
export const MAX_FRAMES = 2000; // 20 s of noise
export const MIN_FRAMES = 50; // 0.5 s

export async function noiseMel(reader: WavReader, speech: readonly SpeechRegion[], mfcc: MfccExtractor): Promise<Float64Array | undefined> {
  const frames = Math.floor(reader.totalSamples / HOP);
  // Frames away from speech by at least 50 ms on both sides (a frame reaches 12.5 ms around its slot).
  const quiet: number[] = [];
  const margin = 5;
  let r = 0;
  for (let k = 0; k < frames; k++) {
    while (r < speech.length && speech[r]!.end * 100 + margin <= k) r++;
    const next = speech[r];
    if (next && k >= next.start * 100 - margin) continue;
    quiet.push(k);
  }
  if (quiet.length < MIN_FRAMES) return undefined;
  const step = Math.max(1, quiet.length / MAX_FRAMES);
  const bins = mfcc.options.melBins;
  const buf = new Float32Array(FRAME);
  const e = new Float64Array(bins);
  const picked: { total: number; energies: Float64Array }[] = [];
  for (let i = 0; i < quiet.length; i += step) {
    const k = quiet[Math.floor(i)]!;
    await reader.readInto(k * HOP + HOP / 2 - FRAME / 2, buf);
    mfcc.melEnergies(buf, 0, e);
    picked.push({ total: e.reduce((a, b) => a + b, 0), energies: Float64Array.from(e) });
  }
  picked.sort((a, b) => a.total - b.total);
  const kept = picked.slice(0, Math.max(1, Math.ceil(picked.length / 2)));
  const mean = new Float64Array(bins);
  for (const p of kept) for (let m = 0; m < bins; m++) mean[m]! += p.energies[m]! / kept.length;
  return mean;
}
