import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TranscriptResult } from '@ecg/contracts';
import { assembleResult, wordsFromTokens } from '../src/pipeline/assemble-result.js';
import type { EngineSegment, EngineToken } from '../src/engine/engine.js';

const tok = (text: string, start: number, end: number, probability = 0.9, special = false): EngineToken => ({ text, start, end, probability, special });
const meta = { modelName: 'base', engineName: 'whisper.cpp whisper-cli', threads: 2, timing: { transcribe: 1.5 } };
const assemble = (segments: EngineSegment[], durationSeconds = 11, language = 'en') =>
  assembleResult({ ...meta, durationSeconds, transcript: { language, seconds: 1, segments } });

test('words start at a leading space; word pieces and punctuation join the previous word; specials are skipped', () => {
  const words = wordsFromTokens([tok('[_BEG_]', 0, 0, 1, true), tok(' And', 0, 0.3), tok(' so', 0.3, 0.5), tok(' Amer', 0.5, 0.8, 0.7), tok('icans', 0.8, 1.1, 0.95), tok(',', 1.1, 1.1), tok('[_TT_55]', 1.1, 1.1, 1, true)]);
  assert.deepEqual(words.map((w) => w.word), ['And', 'so', 'Americans,']);
  assert.deepEqual([words[2]!.start, words[2]!.end, words[2]!.probability], [0.5, 1.1, 0.7]);
});

test('the first token of a segment starts a word even without a leading space', () => {
  assert.deepEqual(wordsFromTokens([tok('Ask', 0, 0.2), tok(' not', 0.2, 0.4)]).map((w) => w.word), ['Ask', 'not']);
});

test('a spaced punctuation token attaches to the word before; an opening quote to the word after', () => {
  const words = wordsFromTokens([tok(' he', 0, 0.2), tok(' said', 0.2, 0.4), tok(' "', 0.4, 0.45), tok('Go', 0.45, 0.6), tok(' !', 0.6, 0.6)]);
  assert.deepEqual(words.map((w) => w.word), ['he', 'said', '"Go!']);
});

test('Korean words made of several tokens (and of byte-merged syllables) come out whole', () => {
  const words = wordsFromTokens([tok(' 안녕', 0, 0.4, 0.9), tok('하', 0.4, 0.6, 0.5), tok('세요', 0.6, 0.9), tok(' 여러분', 1.0, 1.5)], 'ko');
  assert.deepEqual(words.map((w) => [w.word, w.start, w.end, w.probability]), [['안녕하세요', 0, 0.9, 0.5], ['여러분', 1, 1.5, 0.9]]);
});

test('in Japanese (no spaces between words) each token is a word and segment texts join without spaces', () => {
  const r = assemble(
    [
      { start: 0, end: 1, text: 'こんにちは', tokens: [tok('こんにちは', 0, 0.6), tok('。', 0.6, 0.7)] },
      { start: 1, end: 2, text: '元気です', tokens: [tok('元気', 1, 1.4), tok('です', 1.4, 2)] },
    ],
    5,
    'ja',
  );
  assert.deepEqual(r.segments.flatMap((s) => s.words!.map((w) => w.word)), ['こんにちは。', '元気', 'です']);
  assert.equal(r.text, 'こんにちは元気です');
});

test('times are clamped to the media, monotonic, and words stay inside their segment', () => {
  const r = assemble([
    { start: 0.48, end: 10.62, text: ' ask not', tokens: [tok(' ask', 0.18, 0.3), tok(' not', 0.4, 12)] },
    { start: 9, end: 30, text: ' tail', tokens: [tok(' tail', 9.5, 29)] },
    { start: 10, end: 11, text: '  ', tokens: [] },
  ]);
  assert.deepEqual(r.segments.map((s) => s.id), [0, 1], 'empty segment dropped, ids renumbered');
  const [a, b] = r.segments;
  assert.deepEqual([a!.start, a!.end], [0.48, 9], 'ends where the next segment starts');
  assert.deepEqual(a!.words!.map((w) => [w.start, w.end]), [[0.48, 0.48], [0.48, 9]]);
  assert.deepEqual([b!.start, b!.end], [9, 11], 'clamped to the duration');
  assert.deepEqual(b!.words!.map((w) => [w.start, w.end]), [[9.5, 11]]);
  assert.equal(r.text, 'ask not tail');
  assert.equal(r.duration, 11);
  assert.deepEqual(r.model, { name: 'base', engine: 'whisper.cpp whisper-cli', threads: 2 });
  assert.deepEqual(r.timing, { transcribe: 1.5 });
});

test('overlapping and out-of-order engine times come out ordered and non-overlapping', () => {
  const r = assemble(
    [
      { start: -1, end: 3, text: ' one two three', tokens: [tok(' one', 2, 2.5), tok(' two', 1, 1.5), tok(' three', 1.4, 4)] },
      { start: 2, end: 1, text: ' back', tokens: [tok(' back', 0, 0.5)] },
      { start: 50, end: 60, text: ' after', tokens: [tok(' after', 50, 51)] },
    ],
    20,
  );
  const segs = r.segments;
  assert.equal(segs[0]!.start, 0, 'negative start clamped to 0');
  for (let i = 1; i < segs.length; i++) assert.ok(segs[i]!.start >= segs[i - 1]!.start && segs[i - 1]!.end <= segs[i]!.start + 1e-9, `segment ${i}`);
  for (const s of segs) {
    assert.ok(s.start <= s.end && s.end <= 20, `segment ${s.id} inside the media`);
    const words = s.words ?? [];
    words.forEach((w, i) => {
      assert.ok(w.start >= s.start && w.end <= s.end && w.start <= w.end, `word ${w.word} inside its segment`);
      if (i > 0) assert.ok(w.start >= words[i - 1]!.end, `word ${w.word} after the previous one`);
    });
  }
  assert.deepEqual([segs[2]!.start, segs[2]!.end], [20, 20], 'a segment past the end is pinned to it, its text kept');
  assert.ok(TranscriptResult.safeParse(r).success, 'the result satisfies the public contract');
});

test('a transcript with no speech is an empty, valid result', () => {
  const r = assemble([{ start: 0, end: 30, text: '', tokens: [] }], 30);
  assert.deepEqual([r.text, r.segments.length], ['', 0]);
  assert.ok(TranscriptResult.safeParse(r).success);
});
