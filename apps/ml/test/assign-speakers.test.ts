import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Diarization, TranscriptResult } from '@ecg/contracts';
import { assignSpeakers, speakerForSpan } from '../src/diarization/assign-speakers.js';

const D: Diarization = {
  speakers: [
    { id: 'SPEAKER_00', seconds: 4 },
    { id: 'SPEAKER_01', seconds: 3 },
  ],
  turns: [
    { start: 0, end: 2, speaker: 'SPEAKER_00' },
    { start: 2, end: 5, speaker: 'SPEAKER_01' },
    { start: 7, end: 9, speaker: 'SPEAKER_00' },
  ],
};

const w = (word: string, start: number, end: number) => ({ word, start, end, probability: 0.9 });

const RESULT: TranscriptResult = {
  text: 'a b c d e f',
  language: 'en',
  segments: [
    { id: 0, start: 0, end: 4, text: 'a b c', words: [w('a', 0.1, 0.5), w('b', 1.8, 2.6), w('c', 3, 4)], avg_logprob: -0.2 } as TranscriptResult['segments'][number],
    { id: 1, start: 5.2, end: 8, text: 'd e', words: [w('d', 5.2, 5.6), w('e', 6.5, 6.6)] },
    { id: 2, start: 7.5, end: 8.5, text: 'f' },
  ],
};

test('each word takes the turn it overlaps most; the segment the speaker holding most of its words', () => {
  const out = assignSpeakers(RESULT, D);
  const s0 = out.segments[0]!;
  assert.deepEqual(s0.words!.map((x) => x.speaker), ['SPEAKER_00', 'SPEAKER_01', 'SPEAKER_01']);
  assert.equal(s0.speaker, 'SPEAKER_01');
});

test('a word in a gap takes the nearest turn', () => {
  const out = assignSpeakers(RESULT, D);
  // d (5.2–5.6) is 0.2 s after SPEAKER_01's turn and 1.4 s before SPEAKER_00's; e (6.5–6.6) is 0.4 s before it.
  assert.deepEqual(out.segments[1]!.words!.map((x) => x.speaker), ['SPEAKER_01', 'SPEAKER_00']);
});

test('a segment without words is placed by its span', () => {
  assert.equal(assignSpeakers(RESULT, D).segments[2]!.speaker, 'SPEAKER_00');
});

test('every other field is kept and the input is not changed', () => {
  const before = structuredClone(RESULT);
  const out = assignSpeakers(RESULT, D);
  assert.deepEqual(RESULT, before);
  assert.equal((out.segments[0] as Record<string, unknown>).avg_logprob, -0.2);
  assert.equal(out.segments[0]!.words![0]!.probability, 0.9);
  assert.equal(out.text, RESULT.text);
  assert.equal(out.segments[2]!.words, undefined);
});

test('no turns: the result comes back without speakers', () => {
  const out = assignSpeakers(RESULT, { speakers: [], turns: [] });
  assert.equal(out.segments[0]!.speaker, undefined);
  assert.equal(out.segments[0]!.words![0]!.speaker, undefined);
});

test('a zero-length word at a turn boundary belongs to the turn that starts there', () => {
  assert.equal(speakerForSpan(D.turns, 2, 2), 'SPEAKER_01');
  assert.equal(speakerForSpan(D.turns, 10, 10.5), 'SPEAKER_00');
});
