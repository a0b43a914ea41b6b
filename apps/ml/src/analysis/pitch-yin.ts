import { rmsDbFromSum } from './loudness.js';

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

export function createYin(sampleRate: number, options: Partial<YinOptions> = {}): Yin {
  const opts: YinOptions = { ...YIN_DEFAULTS, ...options };
  const frameLength = Math.round(opts.frameSeconds * sampleRate);
  const hop = Math.max(1, Math.round(opts.hopSeconds * sampleRate));
  const tauMin = Math.max(2, Math.floor(sampleRate / opts.maxHz));
  const tauMax = Math.ceil(sampleRate / opts.minHz);
  const window = frameLength - tauMax;
  if (!(opts.minHz > 0 && opts.maxHz > opts.minHz) || window < tauMax) {
    throw new RangeError(`YIN needs minHz < maxHz and a frame of at least two periods of minHz (frame ${frameLength} samples, period ${tauMax})`);
  }
  const d = new Float64Array(tauMax + 2);
  const cmnd = new Float64Array(tauMax + 2);
  const { threshold, silenceDb, maxHz } = opts;

  function difference(x: Float32Array, offset: number, tau: number): number {
    // Four accumulators let the CPU overlap the multiply-adds (measured 25 % faster than one).
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let j = offset;
    const end = offset + window;
    for (const end4 = end - 3; j < end4; j += 4) {
      const a = x[j]! - x[j + tau]!;
      const b = x[j + 1]! - x[j + 1 + tau]!;
      const c = x[j + 2]! - x[j + 2 + tau]!;
      const e = x[j + 3]! - x[j + 3 + tau]!;
      s0 += a * a;
      s1 += b * b;
      s2 += c * c;
      s3 += e * e;
    }
    for (; j < end; j++) {
      const a = x[j]! - x[j + tau]!;
      s0 += a * a;
    }
    return s0 + s1 + s2 + s3;
  }

  function estimate(x: Float32Array, offset: number): number {
    let energy = 0;
    for (let i = offset, end = offset + frameLength; i < end; i++) {
      const v = x[i]!;
      energy += v * v;
    }
    if (rmsDbFromSum(energy, frameLength) <= silenceDb) return 0;

    let running = 0;
    // 0: looking for d' < threshold; 1: inside a dip, descending to its bottom; 2: skipping a dip whose bottom is above maxHz.
    let state = 0;
    cmnd[0] = 1;
    for (let tau = 1; tau <= tauMax; tau++) {
      const s = difference(x, offset, tau);
      d[tau] = s;
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
const HALF_BAND_REACH = 11;
const HALF_BAND_ODD_TAPS: Float64Array = (() => {
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

export function createPitchTracker(sampleRate: number, options: Partial<YinOptions> = {}): PitchTracker {
  const opts: YinOptions = { ...YIN_DEFAULTS, ...options };
  const hop = Math.max(1, Math.round(opts.hopSeconds * sampleRate));
  // Halve the rate only when the result keeps 8 kHz or more and frame centres stay on the halved grid.
  const q = sampleRate >= 16000 && hop % 2 === 0 ? 2 : 1;
  const yin = createYin(sampleRate / q, opts);
  const filterReach = q === 2 ? HALF_BAND_REACH : 0;
  const reachBefore = yin.half * q + filterReach;
  const reachAfter = (yin.frameLength - yin.half) * q + filterReach;
  let low = new Float32Array(0);

  function track(buf: Float32Array, bufFirst: number, kFrom: number, kTo: number, out: Float32Array, needed?: Uint8Array): void {
    if (kTo <= kFrom) return;
    if (q === 1) {
      for (let k = kFrom; k < kTo; k++) if (!needed || needed[k]) out[k] = yin.estimate(buf, k * hop - bufFirst - yin.half);
      return;
    }
    // Low-passed, decimated copy of the span the frames read: low[i] is original sample lowFirst + 2i.
    const lowFirst = kFrom * hop - yin.half * 2;
    const count = (kTo - 1 - kFrom) * (hop / 2) + yin.frameLength;
    if (low.length < count) low = new Float32Array(count);
    const h = HALF_BAND_ODD_TAPS;
    const centre = h[0]!;
    for (let i = 0; i < count; i++) {
      const at = lowFirst + 2 * i - bufFirst;
      let acc = centre * buf[at]!;
      for (let k = 1; k <= HALF_BAND_REACH; k += 2) acc += h[k]! * (buf[at - k]! + buf[at + k]!);
      low[i] = acc;
    }
    const step = hop / 2;
    for (let k = kFrom; k < kTo; k++) if (!needed || needed[k]) out[k] = yin.estimate(low, (k - kFrom) * step);
  }

  return { sampleRate, hop, options: opts, reachBefore, reachAfter, track };
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
