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
/** Picked frames at most this far apart (10 ms frames) share a read, up to a piece of MAX_PIECE_FRAMES. */
const MAX_GAP_FRAMES = 10;
const MAX_PIECE_FRAMES = 500; // 5 s: a 320 KB buffer

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
  const picked: { total: number; energies: Float64Array }[] = [];
  const ks: number[] = [];
  for (let i = 0; i < quiet.length; i += step) ks.push(quiet[Math.floor(i)]!);
  // Frames a short hop apart are read as one piece: a read per frame cost more than the
  // frames' maths (2000 awaited reads, ~40 ms on 66 s of speech, measured 2026-12-01 with
  // performance.now around this function). A frame far from the next is read alone, so no
  // long stretch is read for nothing. The samples, hence the energies, are the same.
  const buf = new Float32Array((MAX_PIECE_FRAMES - 1) * HOP + FRAME);
  const e = new Float64Array(bins);
  for (let a = 0; a < ks.length; ) {
    let b = a + 1;
    while (b < ks.length && ks[b]! - ks[b - 1]! <= MAX_GAP_FRAMES && ks[b]! - ks[a]! < MAX_PIECE_FRAMES) b++;
    const view = buf.subarray(0, (ks[b - 1]! - ks[a]!) * HOP + FRAME);
    await reader.readInto(ks[a]! * HOP + HOP / 2 - FRAME / 2, view);
    for (let i = a; i < b; i++) {
      mfcc.melEnergies(view, (ks[i]! - ks[a]!) * HOP, e);
      let total = 0;
      for (let m = 0; m < bins; m++) total += e[m]!;
      picked.push({ total, energies: e.slice() });
    }
    a = b;
  }
  picked.sort((a, b) => a.total - b.total);
  const kept = picked.slice(0, Math.max(1, Math.ceil(picked.length / 2)));
  const mean = new Float64Array(bins);
  for (const p of kept) for (let m = 0; m < bins; m++) mean[m]! += p.energies[m]! / kept.length;
  return mean;
}
