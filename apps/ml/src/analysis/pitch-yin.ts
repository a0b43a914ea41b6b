import { rmsDbFromSum } from './loudness.js';
import { createHalfBand, type HalfBand } from './half-band-wasm.js';
import { yinDifference, type YinDifference } from './yin-difference-wasm.js';

/**
 * Fundamental frequency with YIN (de Cheveigné & Kawahara, JASA 2002).
 *
 * Why YIN: it is accurate on speech without training data, needs no FFT and
 * has one interpretable knob (the absolute threshold). Steps, as in the paper:
 * the difference function d(τ) = Σ_j (x_j − x_{j+τ})², the cumulative mean
 * normalised difference d'(τ) = d(τ)·τ / Σ_{k≤τ} d(k) (removes the dip at
 * τ = 0 that makes plain autocorrelation pick octave errors), the absolute
 * threshold (the first τ whose d' falls below it, then the bottom of that
 * dip), and parabolic interpolation of d around the chosen lag for
 * sub-sample precision.
 *
 * Two guards the paper leaves implicit: a dip whose interpolated bottom lies
 * above maxHz (an octave-too-high slip on a strong second harmonic, seen on
 * real speech) is passed over and the search goes on to the next dip; a dip
 * still descending at the largest lag (bottom below minHz) leaves the frame
 * unvoiced.
 *
 * Frames are centred on multiples of the hop (frame k describes time k·hop),
 * 40 ms long: an integration window of 40 ms − 1/minHz followed by the
 * largest lag, so every frame reads exactly `frameLength` samples.
 *
 * Speed (measured, see bench/analysis-speed.ts): the direct O(W·τ) difference
 * is ~100 k multiply-adds per 16 kHz frame. Three things cut it: frames at or
 * below `silenceDb` are unvoiced without computing d; the lag scan stops at
 * the bottom of the first dip under the threshold, since later lags cannot
 * change YIN's answer (a 250 Hz voice needs 1/4 of the lags); and the pitch
 * tracker runs YIN at 8 kHz after a half-band low-pass (F0 ≤ 500 Hz needs
 * nothing above 4 kHz), which quarters the work with parabolic interpolation
 * still well inside 1 % at 440 Hz.
 *
 * Then the difference loop itself: the frame is copied to float64 once, and d is
 * computed two lags per pass in WebAssembly SIMD (yin-difference-wasm.ts; a JavaScript
 * pair loop where that is missing), with the same bits as the one-lag loop. Measured
 * 2026-12-01 on this project's shared 2-core machine (process.cpuUsage, median of 11,
 * jfk.wav looped to 66 s, against the previous version alternated in one process): the
 * tracker at a 10 ms hop 195 → 46 ms per 66 s, at 20 ms (the diarizer's) 108 → 27 ms.
 * The half-band low-pass then runs in WebAssembly too (half-band-wasm.ts, same bits):
 * measured the same way and day, the tracker at 20 ms 31–35 → 23–26 ms per 66 s.
 */
export interface YinOptions {
  /** Frame length in seconds (default 0.04). */
  frameSeconds: number;
  /** Hop between frame centres in seconds (default 0.01). */
  hopSeconds: number;
  /** Lowest F0 searched, Hz (default 60: below the lowest male speaking voice). */
  minHz: number;
  /** Highest F0 searched, Hz (default 500: above children's and shouted speech). */
  maxHz: number;
  /** YIN absolute threshold on d' (paper: 0.1; 0.15 keeps more breathy voiced frames). */
  threshold: number;
  /** Frames at or below this AES17 RMS level (dBFS) are silent, hence unvoiced (default -60). */
  silenceDb: number;
}

export const YIN_DEFAULTS: Readonly<YinOptions> = Object.freeze({
  frameSeconds: 0.04,
  hopSeconds: 0.01,
  minHz: 60,
  maxHz: 500,
  threshold: 0.15,
  silenceDb: -60,
});

/** One YIN estimator at one sample rate with its scratch buffers; reuse it for every frame. */
export interface Yin {
  readonly sampleRate: number;
  readonly options: Readonly<YinOptions>;
  readonly frameLength: number;
  /** Samples before a frame's centre that the frame reads (frame = [centre − half, centre − half + frameLength)). */
  readonly half: number;
  readonly hop: number;
  /**
   * F0 in Hz of the frame x[offset, offset + frameLength), or 0 when the frame
   * is silent or aperiodic (no d' below the threshold inside the range).
   */
  estimate(x: Float32Array, offset: number): number;
}

/**
 * `simd`: the WebAssembly lag-pair loop (yin-difference-wasm.ts), or null for the JavaScript
 * one; both give the same bits, and tests run both.
 */
export function createYin(sampleRate: number, options: Partial<YinOptions> = {}, simd: YinDifference | null = yinDifference ?? null): Yin {
  const opts: YinOptions = { ...YIN_DEFAULTS, ...options };
  const frameLength = Math.round(opts.frameSeconds * sampleRate);
  const hop = Math.max(1, Math.round(opts.hopSeconds * sampleRate));
  const tauMin = Math.max(2, Math.floor(sampleRate / opts.maxHz));
  const tauMax = Math.ceil(sampleRate / opts.minHz);
  const window = frameLength - tauMax;
  if (!(opts.minHz > 0 && opts.maxHz > opts.minHz) || window < tauMax) {
    throw new RangeError(`YIN needs minHz < maxHz and a frame of at least two periods of minHz (frame ${frameLength} samples, period ${tauMax})`);
  }
  const cmnd = new Float64Array(tauMax + 2);
  // The frame as float64: reading a Float32Array converts every sample on every load, and each
  // sample is read once per lag. Copying is exact (float32 ⊂ float64), so d is unchanged.
  // With SIMD the copy lives in the WebAssembly memory at byte 0 and d just after it; views
  // are re-taken when a later estimator grew that memory (growing detaches them).
  const dByte = (frameLength + 2) * 8;
  if (simd) {
    const pages = Math.ceil((dByte + (tauMax + 2) * 8) / 65536) - simd.memory.buffer.byteLength / 65536;
    if (pages > 0) simd.memory.grow(pages);
  }
  let f = new Float64Array(0);
  let d = new Float64Array(0);
  const takeViews = () => {
    f = simd ? new Float64Array(simd.memory.buffer, 0, frameLength) : new Float64Array(frameLength);
    d = simd ? new Float64Array(simd.memory.buffer, dByte, tauMax + 2) : new Float64Array(tauMax + 2);
  };
  takeViews();
  // Lag pairs per WebAssembly call. Measured (2026-12-01, the tracker on 66 s of speech at a
  // 10 ms hop): 1, 2, 4, 8 and 16 pairs per call within noise of each other (38–46 ms), i.e.
  // the call is cheap; more pairs only waste lags past the answer, so 2.
  const pairsPerCall = simd ? 2 : 1;
  const { threshold, silenceDb, maxHz } = opts;

  /**
   * The JavaScript loop where WebAssembly SIMD is missing: d(τ) and d(τ + 1) of the frame in
   * f, into d[τ] and d[τ + 1], in one pass (x_{j+τ+1} of one lag is x_{(j+1)+τ} of the
   * other, so 9 loads serve 8 terms; measured ~10 % faster than one lag at a time on a
   * float64 frame). Each lag keeps its own four accumulators, one per j mod 4, summed in the
   * same order as difference(): the values are bit for bit the ones the one-lag loop gives.
   */
  function differencePair(tau: number): void {
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let t0 = 0;
    let t1 = 0;
    let t2 = 0;
    let t3 = 0;
    let j = 0;
    let y0 = f[tau]!;
    for (const end4 = window - 3; j < end4; j += 4) {
      const x0 = f[j]!;
      const x1 = f[j + 1]!;
      const x2 = f[j + 2]!;
      const x3 = f[j + 3]!;
      const y1 = f[j + tau + 1]!;
      const y2 = f[j + tau + 2]!;
      const y3 = f[j + tau + 3]!;
      const y4 = f[j + tau + 4]!;
      const a0 = x0 - y0;
      const a1 = x1 - y1;
      const a2 = x2 - y2;
      const a3 = x3 - y3;
      const b0 = x0 - y1;
      const b1 = x1 - y2;
      const b2 = x2 - y3;
      const b3 = x3 - y4;
      s0 += a0 * a0;
      s1 += a1 * a1;
      s2 += a2 * a2;
      s3 += a3 * a3;
      t0 += b0 * b0;
      t1 += b1 * b1;
      t2 += b2 * b2;
      t3 += b3 * b3;
      y0 = y4;
    }
    for (; j < window; j++) {
      const a = f[j]! - f[j + tau]!;
      const b = f[j]! - f[j + tau + 1]!;
      s0 += a * a;
      t0 += b * b;
    }
    d[tau] = s0 + s1 + s2 + s3;
    d[tau + 1] = t0 + t1 + t2 + t3;
  }

  /** d(τ) alone, for the last lag when tauMax is odd (the pair would read past the frame). */
  function difference(tau: number): number {
    // Four accumulators let the CPU overlap the multiply-adds (measured 25 % faster than one).
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let j = 0;
    for (const end4 = window - 3; j < end4; j += 4) {
      const a = f[j]! - f[j + tau]!;
      const b = f[j + 1]! - f[j + 1 + tau]!;
      const c = f[j + 2]! - f[j + 2 + tau]!;
      const e = f[j + 3]! - f[j + 3 + tau]!;
      s0 += a * a;
      s1 += b * b;
      s2 += c * c;
      s3 += e * e;
    }
    for (; j < window; j++) {
      const a = f[j]! - f[j + tau]!;
      s0 += a * a;
    }
    return s0 + s1 + s2 + s3;
  }

  /** d from lag τ (odd) on, into d[τ..]: pairsPerCall pairs, or the last lag alone when tauMax is odd; the last lag done. */
  function lagsFrom(tau: number): number {
    const pairs = Math.min(pairsPerCall, (tauMax - tau + 1) >> 1);
    if (pairs === 0) {
      d[tau] = difference(tau);
      return tau;
    }
    if (simd) simd.pairs(tau * 8, pairs, window * 8, dByte + tau * 8);
    else for (let p = 0; p < pairs; p++) differencePair(tau + 2 * p);
    return tau + 2 * pairs - 1;
  }

  function estimate(x: Float32Array, offset: number): number {
    if (f.length === 0) takeViews();
    let energy = 0;
    for (let i = 0; i < frameLength; i++) {
      const v = x[offset + i]!;
      f[i] = v;
      energy += v * v;
    }
    if (rmsDbFromSum(energy, frameLength) <= silenceDb) return 0;

    let running = 0;
    let computed = 0;
    // 0: looking for d' < threshold; 1: inside a dip, descending to its bottom; 2: skipping a dip whose bottom is above maxHz.
    let state = 0;
    cmnd[0] = 1;
    for (let tau = 1; tau <= tauMax; tau++) {
      if (tau > computed) computed = lagsFrom(tau);
      const s = d[tau]!;
      running += s;
      const c = running > 0 ? (s * tau) / running : 1;
      cmnd[tau] = c;
      if (state === 0) {
        if (tau >= tauMin && c < threshold) state = 1;
      } else if (state === 1) {
        if (c >= cmnd[tau - 1]!) {
          const f0 = sampleRate / refine(tau - 1);
          if (f0 <= maxHz) return f0;
          state = c < threshold ? 2 : 0;
        }
      } else if (c >= threshold) {
        state = 0;
      }
    }
    // No dip, or still descending at the largest lag (the bottom is below minHz): not a speech pitch.
    return 0;
  }

  /** Parabolic interpolation of d around its sampled minimum at `best`. */
  function refine(best: number): number {
    const a = d[best - 1]!;
    const m = d[best]!;
    const b = d[best + 1]!;
    const curvature = a - 2 * m + b;
    return curvature > 0 ? best + Math.max(-0.5, Math.min(0.5, (0.5 * (a - b)) / curvature)) : best;
  }

  return { sampleRate, options: opts, frameLength, half: Math.floor(frameLength / 2), hop, estimate };
}

/**
 * Half-band low-pass (windowed sinc, cut-off a quarter of the sample rate, 23
 * taps, Blackman window: > 70 dB stop band) applied before keeping every second
 * sample. Every other tap of a half-band filter is zero, so only the centre
 * and the odd offsets are stored.
 */
export const HALF_BAND_REACH = 11;
export const HALF_BAND_ODD_TAPS: Float64Array = (() => {
  const taps = new Float64Array(HALF_BAND_REACH + 1);
  let sum = 0;
  for (let k = -HALF_BAND_REACH; k <= HALF_BAND_REACH; k++) {
    const sinc = k === 0 ? 0.5 : Math.sin((Math.PI * k) / 2) / (Math.PI * k);
    const n = (k + HALF_BAND_REACH + 1) / (2 * HALF_BAND_REACH + 2);
    const w = 0.42 - 0.5 * Math.cos(2 * Math.PI * n) + 0.08 * Math.cos(4 * Math.PI * n);
    if (Math.abs(k) % 2 === 1 || k === 0) taps[Math.abs(k)] = sinc * w;
    sum += sinc * w;
  }
  for (let k = 0; k <= HALF_BAND_REACH; k++) taps[k]! /= sum;
  return taps;
})();

/**
 * YIN over a signal at its own rate (16 kHz in ECG), run at half the rate
 * when that still covers maxHz comfortably. Frame k is centred on original
 * sample k·hop.
 */
export interface PitchTracker {
  readonly sampleRate: number;
  readonly hop: number;
  readonly options: Readonly<YinOptions>;
  /** Original samples a buffer must hold before a frame's centre, and from the centre on. */
  readonly reachBefore: number;
  readonly reachAfter: number;
  /**
   * F0 (0 = unvoiced) of frames kFrom..kTo−1 into out[k], skipping frames
   * with needed[k] = 0 when `needed` is given. `buf[i]` is original sample
   * bufFirst + i; it must cover every frame's reach.
   */
  track(buf: Float32Array, bufFirst: number, kFrom: number, kTo: number, out: Float32Array, needed?: Uint8Array): void;
}

/**
 * `wasm`: low-pass and decimate in WebAssembly (half-band-wasm.ts; same bits) where available;
 * tests pass false for the JavaScript loop.
 */
export function createPitchTracker(sampleRate: number, options: Partial<YinOptions> = {}, wasm = true): PitchTracker {
  const opts: YinOptions = { ...YIN_DEFAULTS, ...options };
  const hop = Math.max(1, Math.round(opts.hopSeconds * sampleRate));
  // Halve the rate only when the result keeps 8 kHz or more and frame centres stay on the halved grid.
  const q = sampleRate >= 16000 && hop % 2 === 0 ? 2 : 1;
  const yin = createYin(sampleRate / q, opts);
  const filterReach = q === 2 ? HALF_BAND_REACH : 0;
  const reachBefore = yin.half * q + filterReach;
  const reachAfter = (yin.frameLength - yin.half) * q + filterReach;
  const halfBand = q === 2 && wasm ? halfBandKernel() : undefined;
  let low = new Float32Array(0);
  // The JavaScript loop's own output buffer (low may be a view of the kernel's memory instead).
  let lowOwn = low;

  /** count outputs, output i centred on buf[from + 2i], into low[0, count) (a view of the kernel's memory with WebAssembly). */
  function decimate(buf: Float32Array, from: number, count: number): void {
    const inputs = 2 * (count - 1) + 2 * HALF_BAND_REACH + 1;
    const first = from - HALF_BAND_REACH;
    // A buffer short of the frames' reach breaks track's contract; the JavaScript loop then gives what it always gave (NaN).
    if (halfBand && first >= 0 && first + inputs <= buf.length) {
      // Input float32s at byte 0, outputs after them; the input is copied in (a memcpy).
      const dst = inputs * 4;
      const pages = Math.ceil((dst + count * 4) / 65536) - halfBand.memory.buffer.byteLength / 65536;
      if (pages > 0) halfBand.memory.grow(pages);
      new Float32Array(halfBand.memory.buffer, 0, inputs).set(buf.subarray(first, first + inputs));
      halfBand.decimate(0, dst, dst + count * 4);
      low = new Float32Array(halfBand.memory.buffer, dst, count);
      return;
    }
    if (lowOwn.length < count) lowOwn = new Float32Array(count);
    low = lowOwn;
    const h = HALF_BAND_ODD_TAPS;
    const centre = h[0]!;
    for (let i = 0; i < count; i++) {
      const at = from + 2 * i;
      let acc = centre * buf[at]!;
      for (let k = 1; k <= HALF_BAND_REACH; k += 2) acc += h[k]! * (buf[at - k]! + buf[at + k]!);
      low[i] = acc;
    }
  }

  function track(buf: Float32Array, bufFirst: number, kFrom: number, kTo: number, out: Float32Array, needed?: Uint8Array): void {
    if (kTo <= kFrom) return;
    if (q === 1) {
      for (let k = kFrom; k < kTo; k++) if (!needed || needed[k]) out[k] = yin.estimate(buf, k * hop - bufFirst - yin.half);
      return;
    }
    // Low-passed, decimated copy of the span the frames read: low[i] is original sample lowFirst + 2i.
    const lowFirst = kFrom * hop - yin.half * 2;
    const count = (kTo - 1 - kFrom) * (hop / 2) + yin.frameLength;
    decimate(buf, lowFirst - bufFirst, count);
    const step = hop / 2;
    for (let k = kFrom; k < kTo; k++) if (!needed || needed[k]) out[k] = yin.estimate(low, (k - kFrom) * step);
  }

  return { sampleRate, hop, options: opts, reachBefore, reachAfter, track };
}

let sharedHalfBand: HalfBand | undefined | null = null;
/**
 * One instance for the process: a track call copies its input in, filters and reads the
 * outputs before it returns, and calls never interleave (they are synchronous).
 */
function halfBandKernel(): HalfBand | undefined {
  if (sharedHalfBand === null) sharedHalfBand = createHalfBand(HALF_BAND_ODD_TAPS);
  return sharedHalfBand;
}

/** F0 per hop over a whole signal (frame k centred at sample k·hop, zeros beyond the ends); 0 marks unvoiced frames. */
export function pitchTrack(samples: Float32Array, sampleRate: number, options: Partial<YinOptions> = {}): Float32Array {
  const tracker = createPitchTracker(sampleRate, options);
  const frames = Math.ceil(samples.length / tracker.hop);
  const out = new Float32Array(frames);
  if (frames === 0) return out;
  const padded = new Float32Array(tracker.reachBefore + (frames - 1) * tracker.hop + tracker.reachAfter);
  padded.set(samples.subarray(0, Math.min(samples.length, padded.length - tracker.reachBefore)), tracker.reachBefore);
  tracker.track(padded, -tracker.reachBefore, 0, frames, out);
  return out;
}

/** Median of the voiced (positive) values, or null when there are none: speech pitch is skewed by octave slips, the median is not. */
export function medianVoiced(values: ArrayLike<number>): number | null {
  const voiced: number[] = [];
  for (let i = 0; i < values.length; i++) if (values[i]! > 0) voiced.push(values[i]!);
  if (voiced.length === 0) return null;
  voiced.sort((a, b) => a - b);
  const mid = voiced.length >> 1;
  return voiced.length % 2 ? voiced[mid]! : (voiced[mid - 1]! + voiced[mid]!) / 2;
}

/** Median F0 over the voiced frames whose centres lie in samples [start, end), or null. */
export function spanPitchHz(samples: Float32Array, sampleRate: number, start: number, end: number, options: Partial<YinOptions> = {}): number | null {
  const track = pitchTrack(samples, sampleRate, options);
  const hop = Math.max(1, Math.round((options.hopSeconds ?? YIN_DEFAULTS.hopSeconds) * sampleRate));
  return medianVoiced(track.subarray(Math.ceil(Math.max(0, start) / hop), Math.ceil(Math.min(end, samples.length) / hop)));
}
