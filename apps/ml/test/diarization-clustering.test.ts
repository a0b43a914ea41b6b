/**
 * The diarizer's pure steps on hand-made inputs: where speech regions are cut
 * for the clustering, and when two clusters count as two voices.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { agglomerate, agglomerateBounded, deltaBicTied, MAX_AHC_CLUSTERS, MIN_VOICE_DISTANCE, voiceDistance } from '../src/diarization/bic-clustering.js';
import { MAX_SPEAKERS } from '@ecg/contracts';
import { createMfcc, DEFAULT_MFCC, melFilterbank } from '../src/diarization/mfcc.js';
import { splitAtPauses } from '../src/diarization/split-at-pauses.js';

/** Frame levels (energy-vad.ts's 0.5 dB steps from −127.5 dBFS), 10 ms each, from [seconds, dBFS] runs. */
function levels(runs: Array<[number, number]>): Uint8Array {
  const out: number[] = [];
  for (const [seconds, db] of runs) for (let i = 0; i < Math.round(seconds * 100); i++) out.push(Math.round((db + 127.5) * 2));
  return Uint8Array.from(out);
}

test('a region is cut at a pause of 0.1 s or more inside it, and kept whole across a shorter dip', () => {
  // 0.5 s quiet, 1 s speech, 0.2 s pause, 1 s speech, 0.05 s dip, 1 s speech, 0.5 s quiet.
  const l = levels([[0.5, -60], [1, -20], [0.2, -60], [1, -20], [0.05, -60], [1, -20], [0.5, -60]]);
  const pieces = splitAtPauses([{ start: 0.45, end: 4.8 }], l, 4.8);
  assert.equal(pieces.length, 2, JSON.stringify(pieces));
  assert.equal(pieces[0]!.start, 0.45, "the first piece keeps the VAD's start");
  assert.ok(Math.abs(pieces[0]!.end - 1.5) < 0.02 && Math.abs(pieces[1]!.start - 1.7) < 0.02, JSON.stringify(pieces));
  assert.equal(pieces[1]!.end, 4.8, "the last piece keeps the VAD's end");
});

test('in steady noise only stretches near the noise floor are pauses, not the quieter parts of speech', () => {
  // Noise at −35 dBFS, speech at −20 with softer −27 stretches (17 dB and 8 dB over the floor).
  const l = levels([[0.5, -35], [0.6, -20], [0.15, -27], [0.6, -20], [0.3, -35], [1, -20], [0.5, -35]]);
  const pieces = splitAtPauses([{ start: 0.5, end: 3.65 }], l, 3.65);
  assert.equal(pieces.length, 2, JSON.stringify(pieces));
  assert.ok(Math.abs(pieces[0]!.end - 1.85) < 0.02, JSON.stringify(pieces));
});

test('a recording with no quiet frames at all leaves the regions as they are', () => {
  const l = levels([[3, -20]]);
  assert.deepEqual(splitAtPauses([{ start: 0, end: 3 }], l, 3), [{ start: 0, end: 3 }]);
});

test('two clusters closer than the least voice distance merge even where BIC alone would keep them apart', () => {
  const d = 4;
  const invW = new Float64Array(d).fill(1);
  // Big clusters a little apart: BIC, whose evidence grows with the counts, says two.
  const a = { n: 200, mean: new Float64Array(d).fill(0) };
  const b = { n: 200, mean: new Float64Array(d).fill(0.6) };
  assert.ok(deltaBicTied(a, b, invW, 400) > 0, 'BIC alone would split');
  assert.ok(voiceDistance(a, b, invW) < MIN_VOICE_DISTANCE);
  assert.deepEqual([...agglomerate([a, b], invW, 400)], [0, 0]);
  // Far enough apart to be two voices: kept apart.
  const c = { n: 200, mean: new Float64Array(d).fill(1.2) };
  assert.ok(voiceDistance(a, c, invW) > MIN_VOICE_DISTANCE);
  assert.deepEqual([...agglomerate([a, c], invW, 400)], [0, 1]);
  // Asked for two, two it is, however close.
  assert.deepEqual([...agglomerate([a, b], invW, 400, { numSpeakers: 2 })], [0, 1]);
});

test('past MAX_AHC_CLUSTERS the clustering goes run by run, then across runs, and still finds each voice once', () => {
  const d = 3;
  const invW = new Float64Array(d).fill(1);
  // 2,500 single windows of three voices, interleaved as in talk: far more than one pass takes.
  const voices = [
    [0, 0, 0],
    [4, 0, 0],
    [0, 4, 0],
  ];
  const jitter = (i: number, q: number) => Math.sin(i * 12.9898 + q * 78.233) * 0.3;
  const input = Array.from({ length: 2 * MAX_AHC_CLUSTERS + 500 }, (_, i) => ({
    n: 1,
    mean: Float64Array.from(voices[Math.floor(i / 7) % 3]!, (v, q) => v + jitter(i, q)),
  }));
  const labels = agglomerateBounded(input, invW, input.length);
  assert.equal(new Set(labels).size, 3);
  input.forEach((_, i) => assert.equal(labels[i], labels[(Math.floor(i / 7) % 3) * 7], `window ${i}`));
  assert.equal(new Set(agglomerateBounded(input, invW, input.length, { numSpeakers: 2 })).size, 2);
});

test('a piece too short to stand alone stays joined to the neighbour nearer across its pause', () => {
  // 1 s speech, 0.15 s pause, 0.3 s speech, 0.3 s pause, 1 s speech.
  const l = levels([[0.5, -60], [1, -20], [0.15, -60], [0.3, -20], [0.3, -60], [1, -20], [0.5, -60]]);
  const pieces = splitAtPauses([{ start: 0.5, end: 3.25 }], l, 3.75);
  assert.equal(pieces.length, 2, JSON.stringify(pieces));
  assert.ok(Math.abs(pieces[0]!.end - 1.95) < 0.02, `the 0.3 s piece joins the first: ${JSON.stringify(pieces)}`);
  assert.ok(Math.abs(pieces[1]!.start - 2.25) < 0.02, JSON.stringify(pieces));
});

test('spectral subtraction of the measured noise brings a noisy frame\'s cepstra back towards the clean ones', () => {
  const rate = 16_000;
  // A vowel-like frame: a 120 Hz voice's harmonics shaped by two formants.
  const clean = new Float32Array(400);
  for (let h = 1; h * 120 < 4000; h++) {
    const f = h * 120;
    const gain = 1 / (1 + ((f - 700) / 150) ** 2) + 0.5 / (1 + ((f - 1200) / 200) ** 2);
    for (let i = 0; i < 400; i++) clean[i]! += 0.2 * gain * Math.sin((2 * Math.PI * f * i) / rate + h);
  }
  let seed = 7;
  const noise = () => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return (seed / 4294967296 - 0.5) * 0.005;
  };
  const noisy = Float32Array.from(clean, (v) => v + noise());
  const noiseOnly = Array.from({ length: 40 }, () => Float32Array.from({ length: 400 }, noise));
  const plain = createMfcc();
  const e = new Float64Array(plain.options.melBins);
  const mean = new Float64Array(plain.options.melBins);
  for (const frame of noiseOnly) {
    plain.melEnergies(frame, 0, e);
    for (let m = 0; m < e.length; m++) mean[m]! += e[m]! / noiseOnly.length;
  }
  const cep = (x: Float32Array, noiseMel?: Float64Array) => {
    const out = new Float32Array(19);
    createMfcc({ noiseMel }).compute(x, 0, out, 0);
    return out;
  };
  const dist = (a: Float32Array, b: Float32Array) => a.reduce((s, v, i) => s + (v - b[i]!) ** 2, 0);
  const reference = cep(clean);
  assert.ok(dist(cep(noisy, mean), reference) < 0.5 * dist(cep(noisy), reference), 'at least halves the distance');
});

test('a frame\'s mel energies are those of its direct DFT (the real-input FFT changes speed, not values)', () => {
  const x = Float32Array.from({ length: 400 }, (_, i) => Math.sin(i * 0.3) * 0.5 + Math.sin(i * 1.7 + 1) * 0.2 + ((i * 7919) % 13) / 100);
  const got = new Float64Array(DEFAULT_MFCC.melBins);
  createMfcc().melEnergies(x, 0, got);
  // The same steps written out plainly: DC removal, pre-emphasis 0.97, Hamming, 512-point DFT.
  const mean = x.reduce((a, v) => a + v, 0) / x.length;
  const f = new Float64Array(512);
  for (let i = 0; i < 400; i++) {
    const c = x[i]! - mean;
    f[i] = (i > 0 ? c - 0.97 * (x[i - 1]! - mean) : c * 0.03) * (0.54 - 0.46 * Math.cos((2 * Math.PI * i) / 399));
  }
  const power = Array.from({ length: 257 }, (_, k) => {
    let re = 0;
    let im = 0;
    for (let i = 0; i < 512; i++) {
      re += f[i]! * Math.cos((2 * Math.PI * k * i) / 512);
      im -= f[i]! * Math.sin((2 * Math.PI * k * i) / 512);
    }
    return re * re + im * im;
  });
  melFilterbank(DEFAULT_MFCC).forEach(({ first, weights }, m) => {
    const want = weights.reduce((e, w, k) => e + w * power[first + k]!, 0);
    assert.ok(Math.abs(got[m]! - want) <= 1e-9 * want, `mel bin ${m}: ${got[m]} vs ${want}`);
  });
});

test('no more speakers than the result contract takes, however many voices the clustering sees', () => {
  const d = 2;
  const invW = new Float64Array(d).fill(1);
  // 40 voices far apart, 10 windows each: BIC alone keeps all 40.
  const input = Array.from({ length: 40 }, (_, v) => ({ n: 10, mean: Float64Array.from([v * 10, 0]) }));
  assert.equal(new Set(agglomerate(input, invW, 400)).size, 40);
  assert.equal(new Set(agglomerate(input, invW, 400, { maxSpeakers: MAX_SPEAKERS })).size, MAX_SPEAKERS);
});
