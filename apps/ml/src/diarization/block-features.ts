/**
 * Streams a 16 kHz mono WAV once and summarises its speech as blocks of
 * 0.25 s: for each, the sufficient statistics (frame count, Σx, Σx²) of its
 * frames' features, 19 MFCCs (c1–c19) and their deltas, 38 numbers a frame,
 * and its voiced frames' count and Σ log F0 (YIN every 20 ms, pitch-yin.ts).
 * No frame is kept: a block costs 79 float32s (316 bytes), i.e. 4.6 MB per
 * hour of speech, and the audio is read in 20 s pieces into one buffer.
 *
 * Frames are 25 ms every 10 ms (the standard front end: Davis & Mermelstein
 * 1980; Kaldi's defaults). Frame k stands for [k, k+1) × 10 ms and its window
 * is centred on that slot. Deltas use the regression over ±2 frames (HTK
 * book §5.6, Kaldi's add-deltas). Blocks never straddle a speech region's
 * boundary, so no window mixes speech with silence or two regions.
 *
 * Cepstral mean and variance normalisation per recording (Viikki & Laurila
 * 1998) is applied to the statistics afterwards, exactly, since it is an
 * affine map of each dimension: the same voice through another microphone
 * or gain then looks the same, and distances are in units of the
 * recording's own spread.
 */
import { ServiceError } from '@ecg/service-kit';
import { createPitchTracker } from '../analysis/pitch-yin.js';
import type { WavReader } from '../analysis/read-wav.js';
import { type Stats } from './gaussian.js';
import { createMfcc } from './mfcc.js';
import { noiseMel } from './noise-spectrum.js';
import type { SpeechRegion } from './speech-region.js';

export const HOP = 160; // 10 ms at 16 kHz
export const FRAME = 400; // 25 ms
export const FRAMES_PER_BLOCK = 25; // 0.25 s
const MIN_BLOCK_FRAMES = 10; // a region's tail shorter than 0.1 s joins the block before it
const CHUNK_FRAMES = 2000; // 20 s of audio per read, a multiple of FRAMES_PER_BLOCK
const DELTA_REACH = 2;
const PITCH_HOP_FRAMES = 2; // 20 ms

export const CEPSTRA = 19;
export const DIM = 2 * CEPSTRA;

/** The blocks of a recording, stored flat (see the file comment for the cost). */
export class BlockStore {
  count = 0;
  /** Index of the speech region a block belongs to. */
  region = new Int32Array(256);
  /** First frame and end frame (exclusive), 10 ms units. */
  startFrame = new Int32Array(256);
  endFrame = new Int32Array(256);
  n = new Float32Array(256);
  sum = new Float32Array(256 * DIM);
  sq = new Float32Array(256 * DIM);
  /** Voiced frames (YIN found a pitch) and the sum of their log F0: a voice's pitch level. */
  voiced = new Float32Array(256);
  logF0 = new Float32Array(256);

  push(region: number, start: number, end: number, n: number, sum: Float64Array, sq: Float64Array, voiced = 0, logF0 = 0): void {
    if (this.count === this.region.length) this.grow();
    const i = this.count++;
    this.region[i] = region;
    this.startFrame[i] = start;
    this.endFrame[i] = end;
    this.n[i] = n;
    this.sum.set(sum, i * DIM);
    this.sq.set(sq, i * DIM);
    this.voiced[i] = voiced;
    this.logF0[i] = logF0;
  }

  stats(i: number): Stats {
    return { n: this.n[i]!, sum: Float64Array.from(this.sum.subarray(i * DIM, (i + 1) * DIM)), sq: Float64Array.from(this.sq.subarray(i * DIM, (i + 1) * DIM)) };
  }

  /** Adds block i's statistics into target (no allocation). */
  addTo(target: Stats, i: number): void {
    target.n += this.n[i]!;
    const o = i * DIM;
    for (let d = 0; d < DIM; d++) {
      target.sum[d]! += this.sum[o + d]!;
      target.sq[d]! += this.sq[o + d]!;
    }
  }

  private grow(): void {
    const cap = this.region.length * 2;
    const g32 = (a: Int32Array) => {
      const b = new Int32Array(cap);
      b.set(a);
      return b;
    };
    const gf = (a: Float32Array, k: number) => {
      const b = new Float32Array(cap * k);
      b.set(a);
      return b;
    };
    this.region = g32(this.region);
    this.startFrame = g32(this.startFrame);
    this.endFrame = g32(this.endFrame);
    this.n = gf(this.n, 1);
    this.voiced = gf(this.voiced, 1);
    this.logF0 = gf(this.logF0, 1);
    this.sum = gf(this.sum, DIM);
    this.sq = gf(this.sq, DIM);
  }
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new ServiceError('CANCELLED', 'diarization cancelled');
}

/** Reads the speech regions of the WAV and returns their blocks, normalised per recording. */
/**
 * `speech`: where the VAD found speech (before any cut at pauses); the noise
 * to subtract is measured outside it (noise-spectrum.ts). Unset: no noise
 * subtraction.
 */
export async function blockFeatures(
  reader: WavReader,
  regions: readonly SpeechRegion[],
  signal?: AbortSignal,
  speech?: readonly SpeechRegion[],
): Promise<BlockStore> {
  if (reader.sampleRate !== 16_000) throw new ServiceError('AUDIO_EXTRACTION_ERROR', `diarization expects 16 kHz audio, got ${reader.sampleRate} Hz`);
  const noise = speech ? await noiseMel(reader, speech, createMfcc({ coefficients: CEPSTRA })) : undefined;
  const mfcc = createMfcc({ coefficients: CEPSTRA, noiseMel: noise });
  const store = new BlockStore();
  const totalFrames = Math.floor(reader.totalSamples / HOP);
  const maxFrames = CHUNK_FRAMES + 2 * DELTA_REACH;
  const samples = new Float32Array((maxFrames - 1) * HOP + FRAME);
  const ceps = new Float32Array(maxFrames * CEPSTRA);
  const globalSum = new Float64Array(DIM);
  const globalSq = new Float64Array(DIM);
  let globalN = 0;
  const bSum = new Float64Array(DIM);
  const bSq = new Float64Array(DIM);
  // Pitch every 20 ms (YIN, as the word analysis uses): each 10 ms frame takes the nearer estimate.
  const pitch = createPitchTracker(16_000, { hopSeconds: PITCH_HOP_FRAMES / 100 });
  const f0 = new Float32Array(Math.ceil(CHUNK_FRAMES / PITCH_HOP_FRAMES) + 2);
  const pitchSamples = new Float32Array((f0.length - 1) * pitch.hop + pitch.reachBefore + pitch.reachAfter);
  let bVoiced = 0;
  let bLogF0 = 0;

  for (let r = 0; r < regions.length; r++) {
    const k0 = Math.max(0, Math.round(regions[r]!.start * 100));
    const k1 = Math.min(totalFrames, Math.round(regions[r]!.end * 100));
    // Block edges for this region: every 25 frames, a short tail folded into the last block.
    const edges: number[] = [];
    for (let k = k0; k < k1; k += FRAMES_PER_BLOCK) edges.push(k);
    if (edges.length > 1 && k1 - edges.at(-1)! < MIN_BLOCK_FRAMES) edges.pop();
    if (edges.length === 0) continue;
    edges.push(k1);
    let blockIdx = 0;
    bSum.fill(0);
    bSq.fill(0);
    let bN = 0;
    for (let ka = k0; ka < k1; ka += CHUNK_FRAMES) {
      throwIfAborted(signal);
      const kb = Math.min(k1, ka + CHUNK_FRAMES);
      const first = ka - DELTA_REACH; // first frame whose cepstra we compute
      const frames = kb - ka + 2 * DELTA_REACH;
      const view = samples.subarray(0, (frames - 1) * HOP + FRAME);
      await reader.readInto(first * HOP + HOP / 2 - FRAME / 2, view);
      for (let f = 0; f < frames; f++) mfcc.compute(view, f * HOP, ceps, f * CEPSTRA);
      // Pitch frames j0..j1−1 (centred on sample j·pitch.hop), written from f0[0] on.
      const j0 = Math.floor(ka / PITCH_HOP_FRAMES);
      const j1 = Math.floor((kb - 1) / PITCH_HOP_FRAMES) + 1;
      const pFirst = j0 * pitch.hop - pitch.reachBefore;
      const pView = pitchSamples.subarray(0, (j1 - 1 - j0) * pitch.hop + pitch.reachBefore + pitch.reachAfter);
      await reader.readInto(pFirst, pView);
      pitch.track(pView, pFirst - j0 * pitch.hop, 0, j1 - j0, f0);
      for (let k = ka; k < kb; k++) {
        // One pass per frame: each cepstrum and its delta go straight into the block's sums.
        for (let c = 0, at = (k - first) * CEPSTRA; c < CEPSTRA; c++, at++) {
          const x = ceps[at]!;
          // Regression deltas: Σ n (c[t+n] − c[t−n]) / (2 Σ n²), n = 1, 2 → divide by 10.
          const dx = (ceps[at + CEPSTRA]! - ceps[at - CEPSTRA]! + 2 * (ceps[at + 2 * CEPSTRA]! - ceps[at - 2 * CEPSTRA]!)) / 10;
          bSum[c]! += x;
          bSq[c]! += x * x;
          bSum[CEPSTRA + c]! += dx;
          bSq[CEPSTRA + c]! += dx * dx;
        }
        bN++;
        const hz = f0[Math.floor(k / PITCH_HOP_FRAMES) - j0]!;
        if (hz > 0) {
          bVoiced++;
          bLogF0 += Math.log(hz);
        }
        if (k + 1 === edges[blockIdx + 1]) {
          store.push(r, edges[blockIdx]!, k + 1, bN, bSum, bSq, bVoiced, bLogF0);
          bVoiced = 0;
          bLogF0 = 0;
          for (let d = 0; d < DIM; d++) {
            globalSum[d]! += bSum[d]!;
            globalSq[d]! += bSq[d]!;
          }
          globalN += bN;
          bSum.fill(0);
          bSq.fill(0);
          bN = 0;

          blockIdx++;
        }
      }
      // Let other jobs' I/O run between pieces of a long recording.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }
  normalise(store, globalN, globalSum, globalSq);
  return store;
}

/** CMVN on the statistics: x' = (x − μ)/σ ⇒ Σx' = (Σx − nμ)/σ, Σx'² = (Σx² − 2μΣx + nμ²)/σ². */
function normalise(store: BlockStore, n: number, sum: Float64Array, sq: Float64Array): void {
  if (n === 0) return;
  const mu = new Float64Array(DIM);
  const sd = new Float64Array(DIM);
  for (let d = 0; d < DIM; d++) {
    mu[d] = sum[d]! / n;
    sd[d] = Math.sqrt(Math.max(1e-12, sq[d]! / n - mu[d]! * mu[d]!));
  }
  for (let i = 0; i < store.count; i++) {
    const bn = store.n[i]!;
    for (let d = 0; d < DIM; d++) {
      const o = i * DIM + d;
      const s = store.sum[o]!;
      const q = store.sq[o]!;
      store.sq[o] = (q - 2 * mu[d]! * s + bn * mu[d]! * mu[d]!) / (sd[d]! * sd[d]!);
      store.sum[o] = (s - bn * mu[d]!) / sd[d]!;
    }
  }
}
