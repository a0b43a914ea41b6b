/**
 * pitch-yin.ts's fast path (float64 frame copy, lags in pairs, the WebAssembly SIMD loop)
 * against a reference written here the plain way: the half-band low-pass and decimation
 * as a direct FIR, and YIN as de Cheveigné & Kawahara (2002) give it — d(τ) summed term by
 * term for every lag, the cumulative mean normalised difference, the absolute threshold,
 * parabolic interpolation — with the module's two documented guards (a dip above maxHz is
 * passed over; still descending at the largest lag is unvoiced). Voicing must be the same
 * frame for frame and F0 within 1e-6 Hz; the WebAssembly and JavaScript loops must agree
 * bit for bit.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { rmsDbFromSum } from '../src/analysis/loudness.js';
import { createHalfBand } from '../src/analysis/half-band-wasm.js';
import { createPitchTracker, createYin, HALF_BAND_ODD_TAPS, HALF_BAND_REACH, pitchTrack, YIN_DEFAULTS } from '../src/analysis/pitch-yin.js';
import { yinDifference } from '../src/analysis/yin-difference-wasm.js';
import { chirp, concat, harmonicVoice, SR, sine, whiteNoise } from './support/dsp-signals.js';

/** The reference YIN on one frame (float64 copy of float32 samples), at sampleRate. */
function referenceYin(frame: ArrayLike<number>, sampleRate: number): number {
  const o = YIN_DEFAULTS;
  const frameLength = Math.round(o.frameSeconds * sampleRate);
  const tauMin = Math.max(2, Math.floor(sampleRate / o.maxHz));
  const tauMax = Math.ceil(sampleRate / o.minHz);
  const w = frameLength - tauMax;
  let energy = 0;
  for (let i = 0; i < frameLength; i++) energy += frame[i]! * frame[i]!;
  if (rmsDbFromSum(energy, frameLength) <= o.silenceDb) return 0;
  const d = new Float64Array(tauMax + 1);
  for (let tau = 1; tau <= tauMax; tau++) {
    for (let j = 0; j < w; j++) d[tau]! += (frame[j]! - frame[j + tau]!) ** 2;
  }
  const cmnd = new Float64Array(tauMax + 1);
  cmnd[0] = 1;
  let running = 0;
  for (let tau = 1; tau <= tauMax; tau++) {
    running += d[tau]!;
    cmnd[tau] = running > 0 ? (d[tau]! * tau) / running : 1;
  }
  const refine = (b: number) => {
    const curvature = d[b - 1]! - 2 * d[b]! + d[b + 1]!;
    return curvature > 0 ? b + Math.max(-0.5, Math.min(0.5, (0.5 * (d[b - 1]! - d[b + 1]!)) / curvature)) : b;
  };
  let tau = tauMin;
  for (;;) {
    while (tau <= tauMax && cmnd[tau]! >= o.threshold) tau++; // the first lag under the threshold
    if (tau > tauMax) return 0;
    while (tau + 1 <= tauMax && cmnd[tau + 1]! < cmnd[tau]!) tau++; // down to the bottom of the dip
    if (tau + 1 > tauMax) return 0; // still descending at the largest lag
    const f0 = sampleRate / refine(tau);
    if (f0 <= o.maxHz) return f0;
    tau++;
    while (tau <= tauMax && cmnd[tau]! < o.threshold) tau++; // pass over the rest of this dip
  }
}

/** The module's half-band filter, from its definition: 23-tap windowed sinc (Blackman), unit DC gain. */
function halfBandTaps(): Float64Array {
  const reach = 11;
  const taps = new Float64Array(2 * reach + 1);
  let sum = 0;
  for (let k = -reach; k <= reach; k++) {
    const sinc = k === 0 ? 0.5 : Math.sin((Math.PI * k) / 2) / (Math.PI * k);
    const n = (k + reach + 1) / (2 * reach + 2);
    taps[k + reach] = sinc * (0.42 - 0.5 * Math.cos(2 * Math.PI * n) + 0.08 * Math.cos(4 * Math.PI * n));
    sum += taps[k + reach]!;
  }
  // Every other tap of a half-band filter is zero (sin(πk/2) at even k, to rounding): dropped, as the module does.
  for (let k = -reach; k <= reach; k++) taps[k + reach] = k === 0 || Math.abs(k) % 2 === 1 ? taps[k + reach]! / sum : 0;
  return taps;
}

/** The reference track: frame k centred on sample k·hop, YIN at 8 kHz after the low-pass when the rate is 16 kHz. */
function referenceTrack(x: Float32Array, sampleRate: number): Float64Array {
  const hop = Math.round(YIN_DEFAULTS.hopSeconds * sampleRate);
  const frames = Math.ceil(x.length / hop);
  const out = new Float64Array(frames);
  const at = (i: number) => (i >= 0 && i < x.length ? x[i]! : 0);
  const q = sampleRate >= 16000 ? 2 : 1;
  const rate = sampleRate / q;
  const frameLength = Math.round(YIN_DEFAULTS.frameSeconds * rate);
  const half = Math.floor(frameLength / 2);
  const taps = halfBandTaps();
  const frame = new Float64Array(frameLength);
  for (let k = 0; k < frames; k++) {
    for (let i = 0; i < frameLength; i++) {
      const p = k * hop + (i - half) * q;
      if (q === 1) {
        frame[i] = at(p);
        continue;
      }
      // Symmetric FIR, centre tap then the pairs around it; stored as float32, as the module's buffer is.
      let acc = taps[11]! * at(p);
      for (let j = 1; j <= 11; j += 2) acc += taps[11 + j]! * (at(p - j) + at(p + j));
      frame[i] = Math.fround(acc);
    }
    out[k] = referenceYin(frame, rate);
  }
  return out;
}

const SIGNALS: Record<string, Float32Array> = {
  'sines from 65 to 480 Hz': concat(...[65, 98, 147, 220, 262, 330, 415, 480].map((hz) => sine(hz, 0.3, 0.25))),
  'a chirp from 70 to 520 Hz': chirp(70, 520, 0.4, 1.5),
  'a harmonic voice gliding 95 → 180 Hz (espeak-like)': harmonicVoice(95, 180, 1.5),
  'a high harmonic voice 220 → 320 Hz': harmonicVoice(220, 320, 1, 11),
  'white noise': whiteNoise(0.3, SR),
  'a tone fading through the silence gate': sine(200, 1, 1).map((v, i) => v * 10 ** (-(40 + (30 * i) / SR) / 20)),
  'a voice in noise': (() => {
    const noise = whiteNoise(0.05, SR, 3);
    return harmonicVoice(120, 140, 1).map((v, i) => v + noise[i]!);
  })(),
};

/** Same voicing frame for frame; F0 within 1e-6 Hz plus the float32 track's own rounding (half an ulp). */
function assertTracksMatch(got: Float32Array, want: Float64Array, name: string): void {
  assert.equal(got.length, want.length);
  for (let k = 0; k < want.length; k++) {
    const where = `${name}, frame ${k}: ${got[k]} Hz vs reference ${want[k]} Hz`;
    assert.equal(got[k]! > 0, want[k]! > 0, where);
    const halfUlp = want[k]! > 0 ? 2 ** (Math.floor(Math.log2(want[k]!)) - 24) : 0;
    assert.ok(Math.abs(got[k]! - want[k]!) <= halfUlp + 1e-6, where);
  }
}

describe('YIN pitch: the fast path equals the paper-by-the-letter reference', () => {
  for (const [name, x] of Object.entries(SIGNALS)) {
    it(`tracks ${name} at 16 kHz (half-band to 8 kHz) like the reference`, () => {
      assertTracksMatch(pitchTrack(x, SR), referenceTrack(x, SR), name);
    });
  }

  it('tracks at 8 kHz (no decimation) like the reference', () => {
    const x = harmonicVoice(100, 200, 1).filter((_, i) => i % 2 === 0);
    assertTracksMatch(pitchTrack(x, 8000), referenceTrack(x, 8000), '8 kHz voice');
  });

  it('estimates F0 of single 8 kHz frames within 1e-6 Hz of the reference, voicing identical', () => {
    const yin = createYin(8000);
    let voiced = 0;
    let frames = 0;
    for (const x16 of Object.values(SIGNALS)) {
      const x = x16.filter((_, i) => i % 2 === 0);
      for (let at = 0; at + yin.frameLength <= x.length; at += 41, frames++) {
        const got = yin.estimate(x, at);
        const want = referenceYin(Float64Array.from(x.subarray(at, at + yin.frameLength)), 8000);
        assert.equal(got > 0, want > 0, `frame at ${at}: ${got} vs ${want} Hz`);
        assert.ok(Math.abs(got - want) <= 1e-6, `frame at ${at}: ${got} vs ${want} Hz`);
        if (want > 0) voiced++;
      }
    }
    assert.ok(voiced > frames / 3 && voiced < frames, `${voiced} of ${frames} frames voiced`);
  });

  it('uses WebAssembly SIMD here (Node 20 on x64 and arm64 always has it), so the tests above cover that loop', () => {
    assert.ok(yinDifference !== undefined);
  });

  it('gives the same bits from the WebAssembly SIMD loop and the JavaScript loop', () => {
    const wasm = createYin(8000);
    const js = createYin(8000, {}, null);
    let compared = 0;
    for (const x of Object.values(SIGNALS)) {
      for (let at = 0; at + wasm.frameLength <= x.length; at += 97, compared++) assert.equal(wasm.estimate(x, at), js.estimate(x, at));
    }
    assert.ok(compared > 1000);
  });

  it('keeps estimators of different frame lengths apart when they share the WebAssembly memory', () => {
    const x = harmonicVoice(150, 150, 0.5).filter((_, i) => i % 2 === 0); // at 8 kHz
    const small = createYin(8000);
    const before = small.estimate(x, 800);
    // A long frame grows the shared memory, which detaches the small estimator's views.
    const big = createYin(48000, { frameSeconds: 0.8 });
    assert.ok(big.frameLength * 8 > 65536);
    big.estimate(sine(150, 0.3, 1, 48000), 0);
    assert.equal(small.estimate(x, 800), before);
    assert.ok(before > 140 && before < 160, `${before} Hz`);
  });
});

describe('Half-band decimation: WebAssembly and JavaScript give the same bits', () => {
  /** The JavaScript loop of pitch-yin.ts, written out again: output i centred on x[from + 2i]. */
  function jsDecimate(x: Float32Array, from: number, count: number): Float32Array {
    const h = HALF_BAND_ODD_TAPS;
    const out = new Float32Array(count);
    for (let i = 0; i < count; i++) {
      const at = from + 2 * i;
      let acc = h[0]! * x[at]!;
      for (let k = 1; k <= HALF_BAND_REACH; k += 2) acc += h[k]! * (x[at - k]! + x[at + k]!);
      out[i] = acc;
    }
    return out;
  }

  it('filters every signal, full scale and odd offsets included, to the JavaScript loop\'s float32s', () => {
    const kernel = createHalfBand(HALF_BAND_ODD_TAPS);
    assert.ok(kernel, 'WebAssembly is there in Node 20');
    let compared = 0;
    const signals = [...Object.values(SIGNALS), whiteNoise(1, 20_000, 3).map((v) => Math.max(-1, Math.min(32767 / 32768, v * 4)))];
    for (const x of signals) {
      for (const from of [HALF_BAND_REACH, HALF_BAND_REACH + 1]) {
        const count = Math.floor((x.length - from - HALF_BAND_REACH - 1) / 2) + 1;
        const inputs = 2 * (count - 1) + 2 * HALF_BAND_REACH + 1;
        const pages = Math.ceil((inputs * 4 + count * 4) / 65536) - kernel.memory.buffer.byteLength / 65536;
        if (pages > 0) kernel.memory.grow(pages);
        new Float32Array(kernel.memory.buffer, 0, inputs).set(x.subarray(from - HALF_BAND_REACH, from - HALF_BAND_REACH + inputs));
        kernel.decimate(0, inputs * 4, inputs * 4 + count * 4);
        assert.deepEqual(new Float32Array(kernel.memory.buffer, inputs * 4, count), jsDecimate(x, from, count));
        compared += count;
      }
    }
    assert.ok(compared > 50_000, `${compared} outputs`);
  });

  it('tracks the same F0s with the WebAssembly decimation as with the JavaScript one, in pieces and with frames skipped', () => {
    for (const hopSeconds of [0.01, 0.02]) {
      const wasm = createPitchTracker(SR, { hopSeconds });
      const js = createPitchTracker(SR, { hopSeconds }, false);
      for (const x of Object.values(SIGNALS)) {
        const frames = Math.floor((x.length - wasm.reachBefore - wasm.reachAfter) / wasm.hop);
        const a = new Float32Array(frames);
        const b = new Float32Array(frames);
        const needed = Uint8Array.from({ length: frames }, (_, k) => (k % 3 === 1 ? 0 : 1));
        // Frame k centred on x[reachBefore + k·hop]: bufFirst = −reachBefore.
        for (const [from, to] of [
          [0, frames >> 1],
          [frames >> 1, frames],
        ] as const) {
          wasm.track(x, -wasm.reachBefore, from, to, a, needed);
          js.track(x, -js.reachBefore, from, to, b, needed);
        }
        assert.deepEqual(a, b);
        assert.ok(a.some((v) => v > 0) || x === SIGNALS['white noise'], 'some frames voiced');
      }
    }
  });
});
