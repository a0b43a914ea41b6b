import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assembleResult, wordsFromTokens } from '../src/pipeline/assemble-result.js';
import type { EngineToken } from '../src/engine/engine.js';

const tok = (text: string, start: number, end: number, probability = 0.9, special = false): EngineToken => ({ text, start, end, probability, special });
const meta = { modelName: 'base', engineName: 'whisper.cpp whisper-cli', threads: 2, timing: { transcribe: 1 } };

test('words start at a leading space; pieces and punctuation join the previous word', () => {
  const words = wordsFromTokens([tok('[_BEG_]', 0, 0, 1, true), tok(' And', 0, 0.3), tok(' so', 0.3, 0.5), tok(' Amer', 0.5, 0.8, 0.7), tok('icans', 0.8, 1.1, 0.95), tok(',', 1.1, 1.1)]);
  assert.deepEqual(words.map((w) => w.word), ['And', 'so', 'Americans,']);
  assert.deepEqual([words[2]!.start, words[2]!.end, words[2]!.probability], [0.5, 1.1, 0.7]);
});

test('Korean words made of several tokens come out whole', () => {
  const words = wordsFromTokens([tok(' 안녕', 0, 0.4), tok('하세요', 0.4, 0.9), tok(' 여러분', 1.0, 1.5)]);
  assert.deepEqual(words.map((w) => w.word), ['안녕하세요', '여러분']);
});

test('times are clamped to the media, monotonic, and words stay inside their segment', () => {
  const r = assembleResult({
    ...meta,
    durationSeconds: 11,
    transcript: {
      language: 'en',
      seconds: 1,
      segments: [
        { start: 0.48, end: 10.62, text: ' ask not', tokens: [tok(' ask', 0.18, 0.3), tok(' not', 0.4, 12)] },
        { start: 9, end: 30, text: ' tail', tokens: [tok(' tail', 9.5, 29)] },
        { start: 10, end: 11, text: '  ', tokens: [] },
      ],
    },
  });
  assert.equal(r.segments.length, 2, 'empty segment dropped');
  assert.deepEqual(r.segments.map((s) => s.id), [0, 1]);
  const [a, b] = r.segments;
  assert.deepEqual([a!.start, a!.end], [0.48, 10.62]);
  assert.deepEqual(a!.words!.map((w) => [w.start, w.end]), [[0.48, 0.48], [0.48, 10.62]]);
  assert.ok(b!.start >= a!.start && b!.end <= 11);
  for (const s of r.segments) for (const w of s.words ?? []) assert.ok(w.start >= s.start && w.end <= s.end);
  assert.equal(r.text, 'ask not tail');
  assert.equal(r.duration, 11);
  assert.equal(r.model?.name, 'base');
});
