import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WaveformJson } from '@ecg/contracts';
import { AES17_OFFSET_DB, DB_FLOOR, peakDb, rmsDb } from '../src/analysis/loudness.js';
import { pitchTrack, spanPitchHz } from '../src/analysis/pitch-yin.js';
import { WaveformAccumulator, waveformSummary } from '../src/analysis/waveform.js';
import { whiteNoise } from './support/dsp-signals.js';

const SR = 16000;

/** A sine whose peak amplitude is 10^(dbfs/20): "a sine at dbfs" on the AES17 scale. */
function sine(hz: number, dbfs: number, seconds: number, sampleRate = SR): Float32Array {
  const a = 10 ** (dbfs / 20);
  const x = new Float32Array(Math.round(seconds * sampleRate));
  for (let i = 0; i < x.length; i++) x[i] = a * Math.sin((2 * Math.PI * hz * i) / sampleRate);
  return x;
}

function square(hz: number, seconds: number): Float32Array {
  const x = new Float32Array(Math.round(seconds * SR));
  // Full scale as 16-bit audio holds it: +32767 and -32768.
  for (let i = 0; i < x.length; i++) x[i] = Math.floor((2 * hz * i) / SR) % 2 === 0 ? 32767 / 32768 : -1;
  return x;
}

describe('loudness in dBFS (AES17: a sine reads its peak level)', () => {
  it('measures a sine at -12 dBFS as -12 dB RMS and -12 dB peak', () => {
    const x = sine(1000, -12, 1);
    assert.ok(Math.abs(rmsDb(x) - -12) < 0.5, `rms ${rmsDb(x)}`);
    assert.ok(Math.abs(peakDb(x) - -12) < 0.1, `peak ${peakDb(x)}`);
  });

  it('measures a quieter sine, at -30 dBFS, as -30 dB', () => {
    assert.ok(Math.abs(rmsDb(sine(440, -30, 0.5)) - -30) < 0.5);
  });

  it('reads a full-scale square wave 3.01 dB above a full-scale sine, as AES17 defines', () => {
    const level = rmsDb(square(100, 1));
    assert.ok(Math.abs(level - AES17_OFFSET_DB) < 0.01, String(level));
  });

  it('measures only the requested span', () => {
    const x = new Float32Array(SR);
    x.set(sine(500, -6, 0.5), SR / 2);
    assert.equal(rmsDb(x, 0, SR / 2), DB_FLOOR);
    assert.ok(Math.abs(rmsDb(x, SR / 2, SR) - -6) < 0.5);
  });

  it('gives silence and empty spans the floor, a finite number JSON can carry', () => {
    const silence = new Float32Array(1000);
    for (const v of [rmsDb(silence), peakDb(silence), rmsDb(silence, 10, 10), peakDb(new Float32Array(0))]) {
      assert.equal(v, DB_FLOOR);
      assert.ok(Number.isFinite(v));
    }
    assert.equal(JSON.stringify({ v: rmsDb(silence) }), '{"v":-100}');
  });
});

describe('YIN pitch', () => {
  for (const hz of [110, 220, 440]) {
    it(`measures a ${hz} Hz tone within 2 %`, () => {
      const f0 = spanPitchHz(sine(hz, -12, 1), SR, 0, SR);
      assert.ok(f0 !== null, 'tone should be voiced');
      assert.ok(Math.abs(f0 - hz) / hz < 0.02, `measured ${f0}`);
    });
  }

  it('finds the fundamental of a tone with a strong second harmonic, not the octave above', () => {
    const x = sine(150, -12, 1);
    const h = sine(300, -9, 1);
    for (let i = 0; i < x.length; i++) x[i]! += h[i]!;
    const f0 = spanPitchHz(x, SR, 0, SR)!;
    assert.ok(Math.abs(f0 - 150) / 150 < 0.02, `measured ${f0}`);
  });

  it('follows a change of pitch frame by frame (frame k describes time k·10 ms)', () => {
    const x = new Float32Array(SR);
    x.set(sine(120, -12, 0.5));
    x.set(sine(240, -12, 0.5), SR / 2);
    const track = pitchTrack(x, SR);
    assert.equal(track.length, 100);
    assert.ok(Math.abs(track[20]! - 120) < 2.4, String(track[20]));
    assert.ok(Math.abs(track[80]! - 240) < 4.8, String(track[80]));
  });

  it('finds no pitch in silence', () => {
    assert.equal(spanPitchHz(new Float32Array(SR), SR, 0, SR), null);
    assert.ok(pitchTrack(new Float32Array(SR), SR).every((v) => v === 0));
  });

  it('finds no pitch in white noise', () => {
    const noise = whiteNoise(0.5, SR);
    assert.equal(spanPitchHz(noise, SR, 0, SR), null);
    const voiced = pitchTrack(noise, SR).filter((v) => v > 0).length;
    assert.ok(voiced <= 2, `${voiced} of 100 noise frames called voiced`);
  });

  it('treats a tone below the silence level (-60 dBFS) as unvoiced', () => {
    assert.equal(spanPitchHz(sine(200, -70, 1), SR, 0, SR), null);
    assert.ok(spanPitchHz(sine(200, -50, 1), SR, 0, SR) !== null);
  });

  it('works at a sample rate it does not decimate (8 kHz)', () => {
    const f0 = spanPitchHz(sine(220, -12, 1, 8000), 8000, 0, 8000)!;
    assert.ok(Math.abs(f0 - 220) / 220 < 0.02, String(f0));
  });
});

describe('waveform summary (audiowaveform JSON, 100 pixels per second, 8 bits)', () => {
  it('has ceil(duration · 100) pixels and the audiowaveform header fields', () => {
    const x = sine(300, -6, 1.234);
    const w = waveformSummary(x, SR);
    assert.equal(w.length, Math.ceil(1.234 * 100));
    assert.equal(w.data.length, 2 * w.length);
    assert.deepEqual({ ...w, data: undefined }, { version: 2, channels: 1, sample_rate: 16000, samples_per_pixel: 160, bits: 8, length: 124, data: undefined });
    assert.doesNotThrow(() => WaveformJson.parse(w));
  });

  it('keeps values in -128..127 with each min at or below its max, tracking the level', () => {
    const w = waveformSummary(sine(300, -6, 1), SR);
    for (let p = 0; p < w.length; p++) {
      const [lo, hi] = [w.data[2 * p]!, w.data[2 * p + 1]!];
      assert.ok(lo >= -128 && hi <= 127 && lo <= hi);
    }
    // -6 dBFS peak = 0.501 of full scale: 64 of 128 steps.
    assert.equal(Math.max(...w.data), 64);
    assert.equal(Math.min(...w.data), -65);
  });

  it('draws a full-scale square wave at exactly -128 and 127', () => {
    const w = waveformSummary(square(50, 0.5), SR);
    assert.ok(w.data.length > 0);
    for (let p = 0; p < w.length; p++) {
      // Each 10 ms pixel spans half a period of 50 Hz: it holds one level or both, never anything else.
      for (const v of [w.data[2 * p]!, w.data[2 * p + 1]!]) assert.ok(v === 127 || v === -128, String(v));
    }
    assert.equal(Math.max(...w.data), 127);
    assert.equal(Math.min(...w.data), -128);
  });

  it('gives silence zeros and empty audio an empty summary', () => {
    assert.ok(waveformSummary(new Float32Array(800), SR).data.every((v) => v === 0));
    assert.deepEqual(waveformSummary(new Float32Array(0), SR).data, []);
  });

  it('gives the same summary when the audio arrives in uneven blocks', () => {
    const x = whiteNoise(0.8, 5000, 7);
    const acc = new WaveformAccumulator(x.length, SR);
    for (const [from, to] of [[0, 97], [97, 1000], [1000, 1601], [1601, 5000]] as const) acc.add(from, x.subarray(from, to));
    assert.deepEqual(acc.toJson(), waveformSummary(x, SR));
  });
});
