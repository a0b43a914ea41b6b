import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AnalyzedTranscriptResult, type TranscriptResult, WaveformJson } from '@ecg/contracts';
import { analyzeRecording, analyzeSamples, DEFAULT_EMPHASIS_THRESHOLDS, type AnalysisOutput } from '../src/analysis/analyze-recording.js';
import { DB_FLOOR } from '../src/analysis/loudness.js';
import { readWav } from '../src/analysis/read-wav.js';
import { ServiceError } from '@ecg/service-kit';
import { JFK_WAV } from './helpers/fixtures.js';

const SR = 16000;
const EMPHASES = new Set(['loud', 'normal', 'whisper']);

/**
 * jfk.wav's words, timed by hand from its 10 ms energy envelope and pauses
 * (the test model is random, so whisper-cli's timings would be noise).
 */
const JFK_SEGMENTS: Array<[number, number, Array<[string, number, number]>]> = [
  [0.3, 2.15, [['And', 0.3, 0.55], ['so', 0.6, 0.95], ['my', 0.95, 1.28], ['fellow', 1.33, 1.62], ['Americans,', 1.62, 2.15]]],
  [3.2, 4.3, [['ask', 3.22, 3.65], ['not', 3.98, 4.3]]],
  [5.38, 7.5, [['what', 5.38, 5.56], ['your', 5.6, 5.86], ['country', 5.92, 6.42], ['can', 6.45, 6.62], ['do', 6.62, 6.9], ['for', 6.95, 7.16], ['you,', 7.16, 7.5]]],
  [8.15, 10.6, [['ask', 8.15, 8.46], ['what', 8.55, 8.78], ['you', 8.86, 9.14], ['can', 9.2, 9.42], ['do', 9.42, 9.64], ['for', 9.66, 9.82], ['your', 9.82, 10.0], ['country.', 10.0, 10.6]]],
];

function transcript(segments: Array<[number, number, Array<[string, number, number]>]>): TranscriptResult {
  const segs = segments.map(([start, end, words], id) => ({
    id,
    start,
    end,
    text: words.map(([w]) => w).join(' '),
    words: words.map(([word, s, e]) => ({ word, start: s, end: e, probability: 0.9 })),
  }));
  return { text: segs.map((s) => s.text).join(' '), language: 'en', duration: 11, segments: segs, model: { name: 'test', engine: 'whisper.cpp' } };
}

/** Consecutive 200 Hz tone bursts, one per word, each at its own level (dBFS, AES17; null = silence). */
function toneWords(levels: Array<number | null>, wordSeconds = 0.3): { samples: Float32Array; result: TranscriptResult } {
  const n = Math.round(wordSeconds * SR);
  const samples = new Float32Array(n * levels.length);
  levels.forEach((db, w) => {
    if (db === null) return;
    const a = 10 ** (db / 20);
    for (let i = 0; i < n; i++) samples[w * n + i] = a * Math.sin((2 * Math.PI * 200 * (w * n + i)) / SR);
  });
  const words: Array<[string, number, number]> = levels.map((_, w) => [`w${w}`, w * wordSeconds, (w + 1) * wordSeconds]);
  return { samples, result: transcript([[0, levels.length * wordSeconds, words]]) };
}

const allWords = (out: AnalysisOutput) => out.result.segments.flatMap((s) => s.words ?? []);

describe('per-word analysis of jfk.wav with hand-timed words', () => {
  let out: AnalysisOutput;
  before(async () => {
    out = await analyzeRecording({ wavPath: JFK_WAV, result: transcript(JFK_SEGMENTS) });
  });

  it('produces a result the contract accepts, keeping every Whisper field', () => {
    const parsed = AnalyzedTranscriptResult.parse(out.result);
    assert.equal(parsed.text, transcript(JFK_SEGMENTS).text);
    assert.equal(parsed.language, 'en');
    assert.deepEqual(out.result.model, { name: 'test', engine: 'whisper.cpp' });
    const words = allWords(out);
    assert.equal(words.length, 22);
    assert.deepEqual(words.map((w) => [w.word, w.start, w.end, w.probability]), JFK_SEGMENTS.flatMap(([, , ws]) => ws.map(([w, s, e]) => [w, s, e, 0.9])));
  });

  it('measures loudness that varies from word to word (not a constant)', () => {
    const volumes = allWords(out).map((w) => w.volume_db);
    const mean = volumes.reduce((a, b) => a + b, 0) / volumes.length;
    const std = Math.sqrt(volumes.reduce((a, b) => a + (b - mean) ** 2, 0) / volumes.length);
    assert.ok(std > 1, `word loudness std ${std.toFixed(2)} dB`);
    assert.ok(new Set(volumes).size > 15, 'most words have their own level');
    for (const w of allWords(out)) {
      assert.ok(w.volume_db > -40 && w.volume_db < 0, `${w.word}: ${w.volume_db}`);
      assert.ok(w.peak_db >= w.volume_db - 3.02 && w.peak_db <= 0, `${w.word}: peak ${w.peak_db} vs rms ${w.volume_db}`);
    }
    assert.ok(Math.abs(out.result.analysis.volume_db_std! - std) < 0.02);
  });

  it('finds a speaking pitch (70–400 Hz) in most words and no pitch outside that range', () => {
    const words = allWords(out);
    const voiced = words.filter((w) => w.pitch_hz !== null);
    assert.ok(voiced.length >= 0.75 * words.length, `${voiced.length} of ${words.length} words voiced`);
    for (const w of voiced) assert.ok(w.pitch_hz! >= 70 && w.pitch_hz! <= 400, `${w.word}: ${w.pitch_hz} Hz`);
    assert.ok(new Set(voiced.map((w) => w.pitch_hz)).size > voiced.length / 2, 'pitch is measured per word, not a constant');
  });

  it('labels every word loud, normal or whisper against the mean of the words', () => {
    const a = out.result.analysis;
    assert.equal(a.thresholds.loud_db, DEFAULT_EMPHASIS_THRESHOLDS.loudDb);
    assert.equal(a.thresholds.whisper_db, DEFAULT_EMPHASIS_THRESHOLDS.whisperDb);
    assert.equal(a.thresholds.reference_db, a.volume_db_mean);
    for (const w of allWords(out)) {
      assert.ok(EMPHASES.has(w.emphasis));
      const expected = w.volume_db >= a.thresholds.reference_db! + 6 ? 'loud' : w.volume_db <= a.thresholds.reference_db! - 10 ? 'whisper' : 'normal';
      // Values are rounded to 0.01 dB in the output; a word that close to a threshold may go either way.
      if (Math.abs(w.volume_db - (a.thresholds.reference_db! + 6)) > 0.02 && Math.abs(w.volume_db - (a.thresholds.reference_db! - 10)) > 0.02) assert.equal(w.emphasis, expected, w.word);
    }
  });

  it('gives each segment its stats and the recording its speaking rate', () => {
    for (const seg of out.result.segments) {
      const n = seg.words!.length;
      assert.ok(Math.abs(seg.stats.words_per_minute! - (n / (seg.end - seg.start)) * 60) < 0.1);
      assert.ok(seg.stats.volume_db_mean! < 0 && seg.stats.volume_db_std! >= 0);
    }
    const speaking = JFK_SEGMENTS.reduce((a, [s, e]) => a + (e - s), 0);
    assert.ok(Math.abs(out.result.analysis.words_per_minute! - (22 / speaking) * 60) < 0.1);
    assert.equal(out.result.analysis.method.loudness, 'rms_dbfs_aes17');
  });

  it('summarises the waveform at 100 pixels per second: 1100 pixels for 11 s', () => {
    const w = WaveformJson.parse(out.waveform);
    assert.equal(w.length, 1100);
    assert.ok(Math.max(...w.data) > 64 && Math.min(...w.data) < -64, 'speech reaches well past half scale');
  });

  it('survives a JSON round trip unchanged (no NaN, no Infinity)', () => {
    assert.deepEqual(JSON.parse(JSON.stringify(out)), out);
  });

  it('gives the same numbers whatever the block size, and the same as the in-memory analysis', async () => {
    const small = await analyzeRecording({ wavPath: JFK_WAV, result: transcript(JFK_SEGMENTS), blockSeconds: 0.7 });
    assert.deepEqual(small, out);
    const { samples, sampleRate } = await readWav(JFK_WAV);
    assert.deepEqual(analyzeSamples(samples, sampleRate, transcript(JFK_SEGMENTS)), out);
  });
});

describe('emphasis, short words and edge cases on synthetic words', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ecg-ml-analysis-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('calls a word 12 dB above the others loud and one 15 dB below a whisper', () => {
    const { samples, result } = toneWords([-20, -20, -8, -20, -20, -20, -35, -20, -20, -20]);
    const out = analyzeSamples(samples, SR, result);
    const words = allWords(out);
    assert.deepEqual(words.map((w) => w.emphasis), ['normal', 'normal', 'loud', 'normal', 'normal', 'normal', 'whisper', 'normal', 'normal', 'normal']);
    assert.ok(Math.abs(words[2]!.volume_db - -8) < 0.5 && Math.abs(words[6]!.volume_db - -35) < 0.5);
    for (const w of words) assert.ok(Math.abs(w.pitch_hz! - 200) < 4, String(w.pitch_hz));
  });

  it('moves the labels with the thresholds it is given (EMPHASIS_LOUD_DB / EMPHASIS_WHISPER_DB)', () => {
    const { samples, result } = toneWords([-20, -20, -8, -20, -20, -20, -35, -20, -20, -20]);
    const out = analyzeSamples(samples, SR, result, { loudDb: 15, whisperDb: 20 });
    assert.ok(allWords(out).every((w) => w.emphasis === 'normal'));
    assert.deepEqual(out.result.analysis.thresholds, { loud_db: 15, whisper_db: 20, reference_db: out.result.analysis.volume_db_mean });
  });

  it('leaves a silent word out of the reference level, and calls it a whisper with no pitch', () => {
    const { samples, result } = toneWords([-20, -20, null, -20, -20]);
    const out = analyzeSamples(samples, SR, result);
    const silent = allWords(out)[2]!;
    assert.deepEqual([silent.volume_db, silent.peak_db, silent.pitch_hz, silent.emphasis], [DB_FLOOR, DB_FLOOR, null, 'whisper']);
    assert.ok(Math.abs(out.result.analysis.thresholds.reference_db! - -20) < 0.1, 'the silent word does not drag the mean down');
  });

  it('measures a zero-length word on a 20 ms window centred on it, and a word past the end as silence', () => {
    const { samples, result } = toneWords([-12, -12]);
    const seg = result.segments[0]!;
    seg.words!.push({ word: 'blink', start: 0.45, end: 0.45, probability: 1 }, { word: 'late', start: 5, end: 5.5, probability: 1 });
    const words = allWords(analyzeSamples(samples, SR, result));
    assert.ok(Math.abs(words[2]!.volume_db - -12) < 0.5, String(words[2]!.volume_db));
    assert.ok(Math.abs(words[2]!.pitch_hz! - 200) < 4, String(words[2]!.pitch_hz));
    assert.deepEqual([words[3]!.volume_db, words[3]!.pitch_hz], [DB_FLOOR, null]);
  });

  it('keeps a segment without words as it is, with empty stats', () => {
    const { samples, result } = toneWords([-12]);
    result.segments.push({ id: 1, start: 0.3, end: 0.3, text: '' });
    const out = analyzeSamples(samples, SR, result);
    const seg = out.result.segments[1]!;
    assert.equal(seg.words, undefined);
    assert.deepEqual(seg.stats, { volume_db_mean: null, volume_db_std: null, pitch_hz_mean: null, pitch_hz_std: null, words_per_minute: null });
  });

  it('refuses thresholds that are not positive dB values', () => {
    const { samples, result } = toneWords([-12]);
    for (const t of [{ loudDb: 0, whisperDb: 10 }, { loudDb: 6, whisperDb: Number.NaN }, { loudDb: -3, whisperDb: 10 }]) {
      assert.throws(() => analyzeSamples(samples, SR, result, t), (err: unknown) => err instanceof ServiceError && err.code === 'INTERNAL_ERROR');
    }
  });

  it('fails with AUDIO_EXTRACTION_ERROR when the audio file is not a WAV', async () => {
    const path = join(dir, 'broken.wav');
    await writeFile(path, 'RIFF but not really');
    await assert.rejects(analyzeRecording({ wavPath: path, result: toneWords([-12]).result }), (err: unknown) => err instanceof ServiceError && err.code === 'AUDIO_EXTRACTION_ERROR');
  });
});
