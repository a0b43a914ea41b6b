/**
 * MFCCs of one 25 ms frame, written here rather than taken from `meyda`:
 * measured on this project's machine, meyda 5.6 took 0.93 s per audio minute
 * for MFCCs alone (it allocates per frame and needs power-of-two frames) and
 * brings 33 packages (a CLI, wav and stream readers); this module does the
 * same steps in about a tenth of the time with no dependency.
 *
 * Steps and numbers follow Kaldi's `compute-mfcc-feats` and its speaker
 * recognition recipes (egs/voxceleb conf/mfcc.conf: 20–7600 Hz, 30 mel bins):
 * DC removal, pre-emphasis 0.97, Hamming window over 400 samples, zero-padded
 * 512-point FFT, power spectrum, triangular filters on the HTK mel scale
 * (2595 log10(1 + f/700)), natural log, orthonormal DCT-II. c0 (the frame's
 * loudness) is dropped: a speaker is not louder or quieter, the microphone is.
 *
 * Speed, measured 2026-12-01 on this project's shared 2-core machine (process.cpuUsage,
 * median of 11, the 6600 frames of jfk.wav looped to 66 s, against the previous version of
 * this file alternated in one process): `melEnergies` 90 → 38 ms per 66 s (13.7 → 5.8 µs a
 * frame). What did it: two FFT stages per pass over the arrays with per-stage twiddle
 * tables, the first two fused with the bit-reversed load, the later passes in WebAssembly
 * SIMD (fft-wasm.ts, two butterflies an instruction); bins k and n/2 − k untangled together
 * (no `%`); the filters' weights in one flat array; four DCT rows per sweep in `compute`.
 * Every product and sum is the one the plain radix-2 loops formed, in the same order, so
 * the energies and cepstra are unchanged to the bit (dsp-mfcc.test.ts holds them to a
 * plain-DFT reference, and the WebAssembly and JavaScript paths to each other).
 *
 * Then the whole frame in one WebAssembly call (mel-frame-wasm.ts: mean, pre-emphasis,
 * window, FFT, untangle, power, filters) and the DCT in another (dct-wasm.ts; the log stays
 * here). Measured 2026-12-01 on the same machine the same way (median of 11, alternated
 * with the previous version in one process): `melEnergies` 47–54 → 17–20 ms per 66 s,
 * `compute` 59–67 → 24–30 ms. The JavaScript below is what runs without WebAssembly SIMD.
 */

import { createDct, type DctKernel } from './dct-wasm.js';
import { createMelFrame, type MelFrameKernel } from './mel-frame-wasm.js';

export interface MfccOptions {
  sampleRate: number;
  frameLength: number;
  fftSize: number;
  melBins: number;
  lowHz: number;
  highHz: number;
  /** Cepstra kept: c1..c{coefficients}. */
  coefficients: number;
  /**
   * The recording's noise, as mean mel-filter energies of frames outside
   * speech (noise-spectrum.ts): subtracted from every frame's energies
   * before the log (spectral subtraction, Boll 1979, in the mel domain),
   * down to NOISE_FLOOR of the frame's own energy (Berouti et al. 1979's
   * spectral floor), so steady noise (a fan, a hum, a hiss) does not pull
   * every voice towards the same cepstra. Unset: no subtraction.
   */
  noiseMel?: Float64Array | undefined;
}

/** The least a filter's energy keeps after the noise is taken off: a tenth (−10 dB), against musical noise. */
export const NOISE_FLOOR = 0.1;

export const DEFAULT_MFCC: MfccOptions = { sampleRate: 16_000, frameLength: 400, fftSize: 512, melBins: 30, lowHz: 20, highHz: 7600, coefficients: 19 };

const mel = (hz: number) => 2595 * Math.log10(1 + hz / 700);
const melInv = (m: number) => 700 * (10 ** (m / 2595) - 1);

/** Triangular mel filters as (first bin, weights) over the power spectrum's fftSize/2 + 1 bins. */
export function melFilterbank(o: MfccOptions): { first: number; weights: Float64Array }[] {
  const bins = o.fftSize / 2 + 1;
  const lo = mel(o.lowHz);
  const hi = mel(o.highHz);
  const centres = Array.from({ length: o.melBins + 2 }, (_, i) => melInv(lo + ((hi - lo) * i) / (o.melBins + 1)));
  const binHz = o.sampleRate / o.fftSize;
  const filters: { first: number; weights: Float64Array }[] = [];
  for (let m = 1; m <= o.melBins; m++) {
    const [l, c, r] = [centres[m - 1]!, centres[m]!, centres[m + 1]!];
    const first = Math.max(0, Math.ceil(l / binHz));
    const last = Math.min(bins - 1, Math.floor(r / binHz));
    const w = new Float64Array(Math.max(0, last - first + 1));
    for (let k = first; k <= last; k++) {
      const f = k * binHz;
      w[k - first] = f <= c ? (f - l) / (c - l) : (r - f) / (r - c);
    }
    filters.push({ first, weights: w });
  }
  return filters;
}

export interface MfccExtractor {
  readonly options: MfccOptions;
  /** Whether frames run in the WebAssembly kernel (mel-frame-wasm.ts) rather than the JavaScript below. */
  readonly wasm: boolean;
  /** The frame's mel-filter energies (before any noise subtraction and the log), into out[0, melBins). */
  melEnergies(x: Float32Array, at: number, out: Float64Array): void;
  /** Writes c1..cN of the frame x[at, at + frameLength) into out[outAt, outAt + N). */
  compute(x: Float32Array, at: number, out: Float32Array, outAt: number): void;
}

/** One whole-frame kernel per configuration for the process, shared by its extractors (frames run start to end without a break). */
const melFrames = new Map<string, { kernel: MelFrameKernel; samples: Float32Array; energies: Float64Array } | undefined>();
/** The same for the DCT kernels, by rows and bins: a frame's log energies go in and its cepstra out in one call. */
const dcts = new Map<string, DctKernel | undefined>();

/**
 * `simd`: run each frame's `melEnergies` in one WebAssembly SIMD call where available
 * (mel-frame-wasm.ts; same bits); tests pass false for the JavaScript loops.
 */
export function createMfcc(options: Partial<MfccOptions> = {}, simd = true): MfccExtractor {
  const o: MfccOptions = { ...DEFAULT_MFCC, ...options };
  const n = o.fftSize;
  const levels = Math.log2(n);
  if (!Number.isInteger(levels) || levels < 2 || o.frameLength > n) throw new Error('fftSize must be a power of two (at least 4) and at least frameLength');
  const window = new Float64Array(o.frameLength);
  for (let i = 0; i < o.frameLength; i++) window[i] = 0.54 - 0.46 * Math.cos((2 * Math.PI * i) / (o.frameLength - 1));
  // The frame is real, so its n-point FFT is one n/2-point complex FFT of the even samples
  // (real parts) and odd samples (imaginary parts), untangled after: half the butterflies
  // (the FFT is still about half of a frame's time).
  const h = n / 2;
  const rev = new Uint32Array(h);
  for (let i = 0; i < h; i++) {
    let r = 0;
    for (let b = 0; b < levels - 1; b++) r |= ((i >> b) & 1) << (levels - 2 - b);
    rev[i] = r;
  }
  // e^{-2πik/n} for k < n/2: the n/2-point FFT uses every other one.
  const cos = new Float64Array(h);
  const sin = new Float64Array(h);
  for (let i = 0; i < h; i++) {
    cos[i] = Math.cos((2 * Math.PI * i) / n);
    sin[i] = -Math.sin((2 * Math.PI * i) / n);
  }
  // The same twiddles laid out per stage (the stage whose butterflies span 2·half reads
  // twCos/twSin[half − 1 + j], j < half), so the inner loop reads them in order instead of
  // striding through cos/sin; the values are copied, not recomputed, so every product is
  // the one the textbook loop forms.
  const twCos = new Float64Array(Math.max(1, h - 1));
  const twSin = new Float64Array(Math.max(1, h - 1));
  for (let half = 1; half < h; half <<= 1) {
    const step = h / half;
    for (let j = 0; j < half; j++) {
      twCos[half - 1 + j] = cos[j * step]!;
      twSin[half - 1 + j] = sin[j * step]!;
    }
  }
  const filters = melFilterbank(o);
  // All filters' weights end to end (filter m's from weightAt[m]), read in one sweep.
  const weightAt = new Uint32Array(o.melBins + 1);
  const firstBin = new Uint32Array(o.melBins);
  for (let m = 0; m < o.melBins; m++) {
    weightAt[m + 1] = weightAt[m]! + filters[m]!.weights.length;
    firstBin[m] = filters[m]!.first;
  }
  const weights = new Float64Array(weightAt[o.melBins]!);
  for (let m = 0; m < o.melBins; m++) weights.set(filters[m]!.weights, weightAt[m]!);
  const nc = o.coefficients;
  // Orthonormal DCT-II rows 1..nc (row 0, c0, is never computed).
  const dct = new Float64Array(nc * o.melBins);
  for (let k = 1; k <= nc; k++) {
    for (let m = 0; m < o.melBins; m++) dct[(k - 1) * o.melBins + m] = Math.sqrt(2 / o.melBins) * Math.cos((Math.PI * k * (m + 0.5)) / o.melBins);
  }
  const re = new Float64Array(h);
  const im = new Float64Array(h);
  const power = new Float64Array(h + 1);
  const frame = new Float64Array(n);
  const logMelJs = new Float64Array(o.melBins);

  const energies = new Float64Array(o.melBins);
  const noise = o.noiseMel;
  const len = o.frameLength;

  const key = [o.sampleRate, n, len, o.melBins, o.lowHz, o.highHz].join(' ');
  if (simd && h >= 4 && !melFrames.has(key)) {
    const kernel = createMelFrame({ h, frameLength: len, rev, twCos, twSin, cos, sin, filters }, window);
    // Its memory never grows after creation, so these views stay attached.
    melFrames.set(
      key,
      kernel && {
        kernel,
        samples: new Float32Array(kernel.memory.buffer, kernel.layout.samples, len),
        energies: new Float64Array(kernel.memory.buffer, kernel.layout.energies, o.melBins),
      },
    );
  }
  const wasm = simd ? melFrames.get(key) : undefined;
  const dctKey = `${nc} ${o.melBins}`;
  if (simd && nc > 0 && !dcts.has(dctKey)) dcts.set(dctKey, createDct(dct, nc, o.melBins));
  const dctKernel = simd ? dcts.get(dctKey) : undefined;

  /**
   * The n/2-point complex FFT of frame's even (real) and odd (imaginary) samples into re, im:
   * radix-2 decimation in time, two stages per pass over the array (each butterfly of the
   * pass's second stage reads two outputs of its first), so a value is loaded and stored half
   * as often. Every butterfly is the textbook radix-2 one with the same twiddle, in the same
   * order for each value, so the result is bit for bit the plain loop's.
   */
  function fft(): void {
    let half = 1;
    if (h >= 4) {
      // Stages 1 and 2 fused with the bit-reversed load. Stage 1's twiddle and stage 2's first
      // are 1: a sum and a difference, exactly what multiplying by 1 and 0 gave.
      const wr = twCos[2]!;
      const wi = twSin[2]!;
      for (let g = 0; g < h; g += 4) {
        const p0 = 2 * rev[g]!;
        const p1 = 2 * rev[g + 1]!;
        const p2 = 2 * rev[g + 2]!;
        const p3 = 2 * rev[g + 3]!;
        const r0 = frame[p0]!;
        const i0 = frame[p0 + 1]!;
        const r1 = frame[p1]!;
        const i1 = frame[p1 + 1]!;
        const r2 = frame[p2]!;
        const i2 = frame[p2 + 1]!;
        const r3 = frame[p3]!;
        const i3 = frame[p3 + 1]!;
        // Stage 1: (0, 1) and (2, 3).
        const ar = r0 + r1;
        const ai = i0 + i1;
        const br = r0 - r1;
        const bi = i0 - i1;
        const cr = r2 + r3;
        const ci = i2 + i3;
        const dr = r2 - r3;
        const di = i2 - i3;
        // Stage 2: (0, 2) with twiddle 1, (1, 3) with e^{-iπ/2} as the table holds it.
        re[g] = ar + cr;
        im[g] = ai + ci;
        re[g + 2] = ar - cr;
        im[g + 2] = ai - ci;
        const tr = dr * wr - di * wi;
        const ti = dr * wi + di * wr;
        re[g + 1] = br + tr;
        im[g + 1] = bi + ti;
        re[g + 3] = br - tr;
        im[g + 3] = bi - ti;
      }
      half = 4;
    } else {
      for (let g = 0; g < h; g += 2) {
        const p = 2 * rev[g]!;
        const q = 2 * rev[g + 1]!;
        re[g] = frame[p]! + frame[q]!;
        im[g] = frame[p + 1]! + frame[q + 1]!;
        re[g + 1] = frame[p]! - frame[q]!;
        im[g + 1] = frame[p + 1]! - frame[q + 1]!;
      }
      half = 2;
    }
    // Stages of half-span H and 2H together: values g+j, g+j+H, g+j+2H, g+j+3H.
    for (; 2 * half < h; half <<= 2) {
      const span = 4 * half;
      const t1 = half - 1;
      const t2 = 2 * half - 1;
      for (let g = 0; g < h; g += span) {
        for (let j = 0; j < half; j++) {
          const i0 = g + j;
          const i1 = i0 + half;
          const i2 = i1 + half;
          const i3 = i2 + half;
          const w1r = twCos[t1 + j]!;
          const w1i = twSin[t1 + j]!;
          let tr = re[i1]! * w1r - im[i1]! * w1i;
          let ti = re[i1]! * w1i + im[i1]! * w1r;
          const ar = re[i0]! + tr;
          const ai = im[i0]! + ti;
          const br = re[i0]! - tr;
          const bi = im[i0]! - ti;
          tr = re[i3]! * w1r - im[i3]! * w1i;
          ti = re[i3]! * w1i + im[i3]! * w1r;
          const cr = re[i2]! + tr;
          const ci = im[i2]! + ti;
          const dr = re[i2]! - tr;
          const di = im[i2]! - ti;
          const w2r = twCos[t2 + j]!;
          const w2i = twSin[t2 + j]!;
          tr = cr * w2r - ci * w2i;
          ti = cr * w2i + ci * w2r;
          re[i0] = ar + tr;
          im[i0] = ai + ti;
          re[i2] = ar - tr;
          im[i2] = ai - ti;
          const w3r = twCos[t2 + half + j]!;
          const w3i = twSin[t2 + half + j]!;
          tr = dr * w3r - di * w3i;
          ti = dr * w3i + di * w3r;
          re[i1] = br + tr;
          im[i1] = bi + ti;
          re[i3] = br - tr;
          im[i3] = bi - ti;
        }
      }
    }
    // A last single stage when the count of stages left is odd.
    if (half < h) {
      const t = half - 1;
      for (let j = 0; j < half; j++) {
        const a = j;
        const b = j + half;
        const wr = twCos[t + j]!;
        const wi = twSin[t + j]!;
        const tr = re[b]! * wr - im[b]! * wi;
        const ti = re[b]! * wi + im[b]! * wr;
        const ar = re[a]!;
        const ai = im[a]!;
        re[b] = ar - tr;
        im[b] = ai - ti;
        re[a] = ar + tr;
        im[a] = ai + ti;
      }
    }
  }

  function melEnergies(x: Float32Array, at: number, into: Float64Array): void {
    // A frame past the buffer's ends reads NaNs in JavaScript; the kernel would read stale samples instead.
    if (wasm && at >= 0 && at + len <= x.length) {
      wasm.samples.set(x.subarray(at, at + len));
      wasm.kernel.frame();
      into.set(wasm.energies);
      return;
    }
    let mean = 0;
    for (let i = 0; i < len; i++) mean += x[at + i]!;
    mean /= len;
    // DC removed, pre-emphasised, windowed, zero-padded to n.
    let prev = x[at]! - mean;
    frame[0] = prev * 0.03 * window[0]!;
    for (let i = 1; i < len; i++) {
      const cur = x[at + i]! - mean;
      frame[i] = (cur - 0.97 * prev) * window[i]!;
      prev = cur;
    }
    frame.fill(0, len);
    fft();
    // X[k] = E[k] + e^{-2πik/n} O[k], with E and O the even and odd samples' spectra:
    // E[k] = (Z[k] + conj Z[h-k]) / 2, O[k] = (Z[k] - conj Z[h-k]) / 2i. Bins k and h − k
    // share Z[k] and Z[h − k] (E and O of one are the other's conjugates, exactly), so each
    // pair is untangled together; Z's index h is its index 0.
    {
      const er = re[0]!;
      const or = im[0]!;
      // k = 0 (twiddle 1) and k = h (twiddle −1): X = E ± O, both real.
      power[0] = (er + or) * (er + or);
      power[h] = (er - or) * (er - or);
    }
    for (let k = 1, l = h - 1; k <= l; k++, l--) {
      const ar = re[k]!;
      const ai = im[k]!;
      const br = re[l]!;
      const bi = im[l]!;
      const er = (ar + br) / 2;
      const ei = (ai - bi) / 2;
      const or = (ai + bi) / 2;
      const oi = -(ar - br) / 2;
      let wr = cos[k]!;
      let wi = sin[k]!;
      let xr = er + wr * or - wi * oi;
      let xi = ei + wr * oi + wi * or;
      power[k] = xr * xr + xi * xi;
      // Bin l: E = conj(er, ei), O = conj(or, oi).
      wr = cos[l]!;
      wi = sin[l]!;
      xr = er + wr * or + wi * oi;
      xi = -ei - wr * oi + wi * or;
      power[l] = xr * xr + xi * xi;
    }
    for (let m = 0, w = 0; m < o.melBins; m++) {
      let e = 0;
      for (let k = firstBin[m]!, end = weightAt[m + 1]!; w < end; w++, k++) e += weights[w]! * power[k]!;
      into[m] = e;
    }
  }

  const bins = o.melBins;

  function compute(x: Float32Array, at: number, out: Float32Array, outAt: number): void {
    melEnergies(x, at, energies);
    const logMel = dctKernel ? dctKernel.logMel : logMelJs;
    for (let m = 0; m < bins; m++) {
      const e = noise ? Math.max(energies[m]! - noise[m]!, NOISE_FLOOR * energies[m]!) : energies[m]!;
      // Floor far below any real sound (16-bit quantisation noise is ~1e-9 per bin), so digital silence stays finite.
      logMel[m] = Math.log(e + 1e-10);
    }
    if (dctKernel) {
      dctKernel.dct();
      out.set(dctKernel.cepstra, outAt);
      return;
    }
    // Four DCT rows per sweep: four independent sums overlap in the CPU, and each row still
    // adds its terms in the order m = 0, 1, ... (the same values as one row at a time).
    let k = 0;
    for (; k + 3 < nc; k += 4) {
      const r0 = k * bins;
      const r1 = r0 + bins;
      const r2 = r1 + bins;
      const r3 = r2 + bins;
      let c0 = 0;
      let c1 = 0;
      let c2 = 0;
      let c3 = 0;
      for (let m = 0; m < bins; m++) {
        const v = logMel[m]!;
        c0 += dct[r0 + m]! * v;
        c1 += dct[r1 + m]! * v;
        c2 += dct[r2 + m]! * v;
        c3 += dct[r3 + m]! * v;
      }
      out[outAt + k] = c0;
      out[outAt + k + 1] = c1;
      out[outAt + k + 2] = c2;
      out[outAt + k + 3] = c3;
    }
    for (; k < nc; k++) {
      const r = k * bins;
      let c = 0;
      for (let m = 0; m < bins; m++) c += dct[r + m]! * logMel[m]!;
      out[outAt + k] = c;
    }
  }

  return {
    options: o,
    wasm: wasm !== undefined,
    melEnergies,
    compute,
  };
}

// The diarizer's configuration (block-features.ts: the defaults, 19 cepstra) is built when
// this module loads, and run on 100 frames of silence so V8 compiles the kernels then:
// generating the frame kernel alone took 13 ms, cold in a fresh process (2026-12-01). The
// diarizer thread loads this module when it starts (diarizer-thread.ts warm(), at service
// start), so that is not the first job's.
{
  const warm = createMfcc();
  const silence = new Float32Array(warm.options.frameLength);
  const cepstra = new Float32Array(warm.options.coefficients);
  for (let i = 0; i < 100; i++) warm.compute(silence, 0, cepstra, 0);
}
