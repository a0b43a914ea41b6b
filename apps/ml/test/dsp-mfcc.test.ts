/**
 * mfcc.ts's fast path (packed real FFT, two radix-2 stages per pass, flattened filters,
 * blocked DCT; each frame in one WebAssembly call, mel-frame-wasm.ts, and the DCT in
 * another, dct-wasm.ts, or all in JavaScript) against a reference written here the slow,
 * obvious way: the steps of the module's header (DC removal, pre-emphasis 0.97, Hamming
 * window, zero padding) and then a plain O(n²) DFT, the power spectrum, the HTK-mel
 * triangles and the orthonormal DCT-II. The fast path must give the reference's numbers to
 * floating-point noise, and its WebAssembly and JavaScript paths the same bits.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMfcc, DEFAULT_MFCC, type MfccOptions } from '../src/diarization/mfcc.js';
import { chirp, concat, harmonicVoice, SR, sine, whiteNoise } from './support/dsp-signals.js';

/** The reference: mel-filter energies of x[at, at + frameLength) by the definitions. */
function referenceMelEnergies(x: Float32Array, at: number, o: MfccOptions): Float64Array {
  const n = o.fftSize;
  const len = o.frameLength;
  let mean = 0;
  for (let i = 0; i < len; i++) mean += x[at + i]!;
  mean /= len;
  const frame = new Float64Array(n);
  for (let i = 0; i < len; i++) {
    const cur = x[at + i]! - mean;
    const prev = i > 0 ? x[at + i - 1]! - mean : 0;
    const hamming = 0.54 - 0.46 * Math.cos((2 * Math.PI * i) / (len - 1));
    // Kaldi's pre-emphasis of the first sample: x0 − 0.97·x0.
    frame[i] = (i > 0 ? cur - 0.97 * prev : cur * 0.03) * hamming;
  }
  const bins = n / 2 + 1;
  const power = new Float64Array(bins);
  for (let k = 0; k < bins; k++) {
    let re = 0;
    let im = 0;
    for (let i = 0; i < n; i++) {
      re += frame[i]! * Math.cos((2 * Math.PI * k * i) / n);
      im -= frame[i]! * Math.sin((2 * Math.PI * k * i) / n);
    }
    power[k] = re * re + im * im;
  }
  const mel = (hz: number) => 2595 * Math.log10(1 + hz / 700);
  const hzOf = (m: number) => 700 * (10 ** (m / 2595) - 1);
  const lo = mel(o.lowHz);
  const hi = mel(o.highHz);
  const edge = (i: number) => hzOf(lo + ((hi - lo) * i) / (o.melBins + 1));
  const binHz = o.sampleRate / n;
  const out = new Float64Array(o.melBins);
  for (let m = 1; m <= o.melBins; m++) {
    const [l, c, r] = [edge(m - 1), edge(m), edge(m + 1)];
    let e = 0;
    for (let k = 0; k < bins; k++) {
      const f = k * binHz;
      if (f < l || f > r) continue;
      e += (f <= c ? (f - l) / (c - l) : (r - f) / (r - c)) * power[k]!;
    }
    out[m - 1] = e;
  }
  return out;
}

function referenceCepstra(energies: Float64Array, o: MfccOptions): Float64Array {
  const nb = o.melBins;
  const logMel = Array.from(energies, (e) => Math.log(e + 1e-10));
  const out = new Float64Array(o.coefficients);
  for (let k = 1; k <= o.coefficients; k++) {
    let c = 0;
    for (let m = 0; m < nb; m++) c += Math.sqrt(2 / nb) * Math.cos((Math.PI * k * (m + 0.5)) / nb) * logMel[m]!;
    out[k - 1] = c;
  }
  return out;
}

const SIGNALS: Record<string, Float32Array> = {
  'a 1 kHz sine': sine(1000, 0.5, 0.3),
  'a 3.3 kHz sine near full scale': sine(3300, 0.99, 0.3),
  'a chirp from 50 Hz to 7.9 kHz': chirp(50, 7900, 0.4, 0.5),
  'white noise': whiteNoise(0.3, 0.3 * SR),
  'a harmonic voice (espeak-like)': harmonicVoice(110, 170, 0.75),
  'a tone on a DC offset, then digital silence': concat(sine(440, 0.2, 0.15).map((v) => v + 0.3), new Float32Array(0.15 * SR)),
};

/**
 * |fast − reference| ≤ 1e-9 relative, each filter's energy against its own value; filters
 * that hold under a millionth of the frame's energy (window sidelobes far from a pure
 * tone) are held to 1e-9 of that millionth instead, since the FFT's rounding error is
 * relative to the whole frame, not to each bin.
 */
function assertEnergiesMatch(got: Float64Array, want: Float64Array, where: string): void {
  const frameEnergy = want.reduce((a, b) => a + b, 0);
  for (let m = 0; m < want.length; m++) {
    const scale = Math.max(Math.abs(want[m]!), 1e-6 * frameEnergy);
    assert.ok(Math.abs(got[m]! - want[m]!) <= 1e-9 * scale + 1e-300, `${where}, filter ${m}: ${got[m]} vs reference ${want[m]}`);
  }
}

describe('MFCCs: the fast path equals the plain-DFT reference', () => {
  for (const [name, x] of Object.entries(SIGNALS)) {
    it(`mel energies and cepstra of ${name}`, () => {
      const mfcc = createMfcc();
      const o = mfcc.options;
      const got = new Float64Array(o.melBins);
      const ceps = new Float32Array(o.coefficients);
      let frames = 0;
      for (let at = 0; at + o.frameLength <= x.length; at += 480) {
        const want = referenceMelEnergies(x, at, o);
        mfcc.melEnergies(x, at, got);
        assertEnergiesMatch(got, want, `frame at ${at}`);
        mfcc.compute(x, at, ceps, 0);
        const wantCeps = referenceCepstra(want, o);
        for (let k = 0; k < o.coefficients; k++) {
          // Float32 output: within its rounding (and the log's absolute error from the energies).
          assert.ok(Math.abs(ceps[k]! - wantCeps[k]!) <= 1e-6 * Math.max(1, Math.abs(wantCeps[k]!)), `frame at ${at}, c${k + 1}: ${ceps[k]} vs ${wantCeps[k]}`);
        }
        frames++;
      }
      assert.ok(frames >= 9, `only ${frames} frames checked`);
    });
  }

  // 4 and 8 points take the short paths, 256 an odd count of stages, 1024 an odd count too (9).
  for (const [fftSize, frameLength] of [
    [4, 4],
    [8, 6],
    [256, 200],
    [1024, 640],
  ] as const) {
    it(`handles other FFT sizes: ${fftSize} points for ${frameLength}-sample frames`, () => {
      const o: Partial<MfccOptions> = { fftSize, frameLength, melBins: Math.min(DEFAULT_MFCC.melBins, fftSize), coefficients: 3 };
      const mfcc = createMfcc(o);
      const x = harmonicVoice(130, 150, 0.25);
      const got = new Float64Array(mfcc.options.melBins);
      for (let at = 1000; at + frameLength <= 3000; at += 333) {
        mfcc.melEnergies(x, at, got);
        assertEnergiesMatch(got, referenceMelEnergies(x, at, mfcc.options), `${fftSize}-point frame at ${at}`);
      }
    });
  }

  it('uses the WebAssembly SIMD frame kernel here (Node 20 on x64 and arm64 always has it), so the tests above cover that path', () => {
    assert.ok(createMfcc().wasm);
    assert.ok(createMfcc({ fftSize: 1024, frameLength: 640 }).wasm);
    assert.equal(createMfcc({}, false).wasm, false);
  });

  // 8 points: no passes; 16: one single stage after stages 1 and 2; 256 and 1024: passes and a single stage.
  it('gives the same bits from the WebAssembly frame kernel and the JavaScript loops', () => {
    let compared = 0;
    for (const [fftSize, frameLength] of [
      [512, 400],
      [256, 200],
      [1024, 640],
      [32, 30],
      [16, 12],
      [8, 8],
    ] as const) {
      const o = { fftSize, frameLength, melBins: Math.min(30, fftSize / 2), coefficients: 5 };
      const wasm = createMfcc(o);
      const js = createMfcc(o, false);
      assert.ok(wasm.wasm, `${fftSize} points`);
      const a = new Float64Array(o.melBins);
      const b = new Float64Array(o.melBins);
      for (const x of Object.values(SIGNALS)) {
        for (let at = 0; at + frameLength <= x.length; at += 211, compared++) {
          wasm.melEnergies(x, at, a);
          js.melEnergies(x, at, b);
          assert.deepEqual(a, b, `${fftSize}-point frame at ${at}`);
        }
      }
    }
    assert.ok(compared > 500, `${compared} frames`);
  });

  it('gives the same cepstra from the WebAssembly frame and DCT kernels and the JavaScript loops, with and without noise subtraction', () => {
    const x = SIGNALS['a harmonic voice (espeak-like)']!;
    const noiseMel = new Float64Array(30).fill(1e-4);
    // 19 cepstra: an odd row left over from the kernel's pairs of rows; 12: none.
    for (const extra of [{}, { noiseMel }, { coefficients: 12 }]) {
      const wasm = createMfcc(extra);
      const js = createMfcc(extra, false);
      const a = new Float32Array(wasm.options.coefficients);
      const b = new Float32Array(wasm.options.coefficients);
      for (let at = 0; at + 400 <= x.length; at += 160) {
        wasm.compute(x, at, a, 0);
        js.compute(x, at, b, 0);
        assert.deepEqual(a, b, `frame at ${at}`);
      }
    }
  });

  it('reads a frame that runs past the buffer as JavaScript always did (NaN), not from the kernel\'s stale samples', () => {
    const x = SIGNALS['white noise']!;
    const a = new Float64Array(30);
    const b = new Float64Array(30);
    createMfcc().melEnergies(x, x.length - 100, a);
    createMfcc({}, false).melEnergies(x, x.length - 100, b);
    assert.deepEqual(a, b);
    assert.ok(Number.isNaN(a[0]));
  });

  it('gives a frame the same energies wherever it sits in a buffer (no state carried between frames)', () => {
    const mfcc = createMfcc();
    const x = whiteNoise(0.2, 4000, 99);
    const a = new Float64Array(30);
    const b = new Float64Array(30);
    mfcc.melEnergies(x, 1234, a);
    mfcc.melEnergies(harmonicVoice(100, 120, 0.1), 0, b);
    mfcc.melEnergies(x.slice(1234 - 17), 17, b);
    assert.deepEqual(b, a);
  });
});
