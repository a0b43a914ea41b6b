import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Caption, TranscriptResult } from '@ecg/contracts';
import {
  deleteCaption,
  editText,
  fromTranscript,
  mergeWithNext,
  nextCaptionId,
  setTiming,
  splitCaption,
  type EditResult,
} from '../src/index.js';

function captionsOf(result: EditResult): Caption[] {
  assert.equal(result.ok, true, result.ok ? '' : `refused: ${result.reason}`);
  return result.ok ? result.captions : [];
}

function reasonOf(result: EditResult): string {
  assert.equal(result.ok, false, 'expected a refusal');
  return result.ok ? '' : result.reason;
}

const transcript: TranscriptResult = {
  text: ' And so my fellow Americans',
  language: 'en',
  segments: [
    {
      id: 0,
      start: 0.32,
      end: 2.1,
      text: ' And so my fellow Americans,',
      words: [
        { word: ' And', start: 0.32, end: 0.5, probability: 0.9 },
        { word: ' so', start: 0.5, end: 0.8, probability: 0.95 },
        { word: ' my', start: 0.9, end: 1.1, probability: 0.99 },
        { word: ' fellow', start: 1.1, end: 1.5, probability: 0.99 },
        { word: ' Americans,', start: 1.5, end: 2.1, probability: 0.97, volume_db: -14 },
      ],
    },
    { id: 1, start: 2.05, end: 3, text: '  ', words: [] },
    { id: 2, start: 2.0, end: 4, text: ' ask  not', words: [] },
  ],
};

describe('fromTranscript', () => {
  test('makes one caption per spoken segment with stable ids, trimmed text and kept word fields', () => {
    const captions = fromTranscript(transcript);
    assert.deepEqual(
      captions.map((c) => [c.id, c.start, c.end, c.text]),
      [
        ['c0', 0.32, 2.1, 'And so my fellow Americans,'],
        ['c1', 2.1, 4, 'ask not'],
      ],
    );
    assert.equal(captions[0]!.words.length, 5);
    assert.equal(captions[0]!.words[4]!['volume_db'], -14);
    assert.deepEqual(fromTranscript(transcript), captions);
  });

  test('moves a start that overlaps the previous caption to its end', () => {
    const captions = fromTranscript(transcript);
    assert.equal(captions[1]!.start, captions[0]!.end);
  });
});

describe('nextCaptionId', () => {
  test('never reuses an id', () => {
    assert.equal(nextCaptionId([]), 'c0');
    assert.equal(nextCaptionId(fromTranscript(transcript)), 'c2');
    assert.equal(nextCaptionId([{ id: 'c9', start: 0, end: 1, text: 'x', words: [] }, { id: 'custom', start: 1, end: 2, text: 'y', words: [] }]), 'c10');
  });
});

describe('splitCaption', () => {
  const captions = fromTranscript(transcript);

  test('splits text at the cursor and time at the first word of the second part', () => {
    const text = captions[0]!.text;
    const split = captionsOf(splitCaption(captions, 'c0', text.indexOf('my')));
    assert.equal(split.length, 3);
    const [head, tail, rest] = split;
    assert.deepEqual([head!.id, head!.start, head!.end, head!.text], ['c0', 0.32, 0.9, 'And so']);
    assert.deepEqual([tail!.id, tail!.start, tail!.end, tail!.text], ['c2', 0.9, 2.1, 'my fellow Americans,']);
    assert.deepEqual(head!.words.map((w) => w.word), [' And', ' so']);
    assert.deepEqual(tail!.words.map((w) => w.word), [' my', ' fellow', ' Americans,']);
    assert.equal(rest!.id, 'c1');
  });

  test('gives a word cut in the middle to the side holding most of it', () => {
    const text = captions[0]!.text;
    const inFellow = text.indexOf('fellow') + 4; // "fell|ow"
    const [head, tail] = captionsOf(splitCaption(captions, 'c0', inFellow));
    assert.equal(head!.text, 'And so my fell');
    assert.equal(tail!.text, 'ow Americans,');
    assert.deepEqual(head!.words.map((w) => w.word.trim()), ['And', 'so', 'my', 'fellow']);
    assert.equal(head!.end, 1.5);
  });

  test('shares time by characters when the caption has no words', () => {
    const plain: Caption[] = [{ id: 'c0', start: 10, end: 20, text: '가나다라마바사아자차', words: [] }];
    const [head, tail] = captionsOf(splitCaption(plain, 'c0', 4));
    assert.deepEqual([head!.start, head!.end, head!.text], [10, 14, '가나다라']);
    assert.deepEqual([tail!.start, tail!.end, tail!.text], [14, 20, '마바사아자차']);
  });

  test('refuses a split at either edge or between spaces only', () => {
    assert.equal(reasonOf(splitCaption(captions, 'c0', 0)), 'SPLIT_AT_EDGE');
    assert.equal(reasonOf(splitCaption(captions, 'c0', captions[0]!.text.length)), 'SPLIT_AT_EDGE');
    const padded: Caption[] = [{ id: 'x', start: 0, end: 1, text: 'a  ', words: [] }];
    assert.equal(reasonOf(splitCaption(padded, 'x', 2)), 'SPLIT_AT_EDGE');
    assert.equal(reasonOf(splitCaption(captions, 'c0', 2.5)), 'SPLIT_AT_EDGE');
  });

  test('refuses an unknown caption', () => {
    assert.equal(reasonOf(splitCaption(captions, 'nope', 3)), 'CAPTION_NOT_FOUND');
  });

  test('leaves the input list untouched', () => {
    const before = structuredClone(captions);
    splitCaption(captions, 'c0', 5);
    assert.deepEqual(captions, before);
  });
});

describe('mergeWithNext', () => {
  const captions = fromTranscript(transcript);

  test('joins text and words and spans both captions, keeping the first id', () => {
    const merged = captionsOf(mergeWithNext(captions, 'c0'));
    assert.equal(merged.length, 1);
    assert.deepEqual([merged[0]!.id, merged[0]!.start, merged[0]!.end], ['c0', 0.32, 4]);
    assert.equal(merged[0]!.text, 'And so my fellow Americans, ask not');
    assert.equal(merged[0]!.words.length, 5);
  });

  test('joins Japanese and Chinese without a space and Korean with one', () => {
    const ja: Caption[] = [
      { id: 'a', start: 0, end: 1, text: 'こんにちは', words: [] },
      { id: 'b', start: 1, end: 2, text: '世界', words: [] },
    ];
    assert.equal(captionsOf(mergeWithNext(ja, 'a'))[0]!.text, 'こんにちは世界');
    const ko: Caption[] = [
      { id: 'a', start: 0, end: 1, text: '안녕하세요', words: [] },
      { id: 'b', start: 1, end: 2, text: '여러분', words: [] },
    ];
    assert.equal(captionsOf(mergeWithNext(ko, 'a'))[0]!.text, '안녕하세요 여러분');
  });

  test('undoes a split exactly in text and time', () => {
    const split = captionsOf(splitCaption(captions, 'c0', captions[0]!.text.indexOf('my')));
    const merged = captionsOf(mergeWithNext(split, 'c0'));
    assert.deepEqual(merged, captions);
  });

  test('refuses the last caption and an unknown id', () => {
    assert.equal(reasonOf(mergeWithNext(captions, 'c1')), 'NO_NEXT_CAPTION');
    assert.equal(reasonOf(mergeWithNext(captions, 'zz')), 'CAPTION_NOT_FOUND');
  });
});

describe('setTiming', () => {
  const captions: Caption[] = [
    { id: 'a', start: 0, end: 2, text: 'one', words: [] },
    { id: 'b', start: 3, end: 5, text: 'two three', words: [{ word: 'two', start: 3, end: 3.9 }, { word: ' three', start: 4, end: 5 }] },
    { id: 'c', start: 6, end: 8, text: 'four', words: [] },
  ];

  test('sets new times and pulls words inside them', () => {
    const [, b] = captionsOf(setTiming(captions, 'b', 3.5, 4.5));
    assert.deepEqual([b!.start, b!.end], [3.5, 4.5]);
    assert.deepEqual(b!.words.map((w) => [w.start, w.end]), [[3.5, 3.9], [4, 4.5]]);
  });

  test('accepts times touching the neighbours', () => {
    const [, b] = captionsOf(setTiming(captions, 'b', 2, 6));
    assert.deepEqual([b!.start, b!.end], [2, 6]);
  });

  test('refuses overlap with a neighbour, a start not before the end, and bad numbers', () => {
    assert.equal(reasonOf(setTiming(captions, 'b', 1.9, 5)), 'OVERLAPS_PREVIOUS');
    assert.equal(reasonOf(setTiming(captions, 'b', 3, 6.1)), 'OVERLAPS_NEXT');
    assert.equal(reasonOf(setTiming(captions, 'b', 4, 4)), 'START_NOT_BEFORE_END');
    assert.equal(reasonOf(setTiming(captions, 'b', 4.5, 4)), 'START_NOT_BEFORE_END');
    assert.equal(reasonOf(setTiming(captions, 'a', -1, 1)), 'INVALID_TIME');
    assert.equal(reasonOf(setTiming(captions, 'a', Number.NaN, 1)), 'INVALID_TIME');
    assert.equal(reasonOf(setTiming(captions, 'q', 0, 1)), 'CAPTION_NOT_FOUND');
  });

  test('clamps into the gap between neighbours when asked to', () => {
    const [, b] = captionsOf(setTiming(captions, 'b', 1, 7, { clamp: true }));
    assert.deepEqual([b!.start, b!.end], [2, 6]);
    assert.equal(reasonOf(setTiming(captions, 'b', 7, 9, { clamp: true })), 'START_NOT_BEFORE_END');
  });
});

describe('editText', () => {
  const base: Caption[] = [
    {
      id: 'c0',
      start: 0,
      end: 3,
      text: 'the quick brown fox',
      words: [
        { word: ' the', start: 0, end: 0.5, probability: 0.9 },
        { word: ' quick', start: 0.5, end: 1 },
        { word: ' brown', start: 1, end: 2 },
        { word: ' fox', start: 2, end: 3 },
      ],
    },
  ];

  test('keeps every word timing when only spacing changes', () => {
    const [c] = captionsOf(editText(base, 'c0', '  the quick   brown fox '));
    assert.equal(c!.text, 'the quick brown fox');
    assert.deepEqual(c!.words, base[0]!.words);
  });

  test('keeps unchanged words and re-times a changed one within its old span', () => {
    const [c] = captionsOf(editText(base, 'c0', 'the quick brawn fox'));
    assert.deepEqual(c!.words.map((w) => [w.word, w.start, w.end]), [
      [' the', 0, 0.5],
      [' quick', 0.5, 1],
      [' brawn', 1, 2],
      [' fox', 2, 3],
    ]);
    assert.equal(c!.words[0]!.probability, 0.9);
  });

  test('shares the time of replaced words among inserted ones by length', () => {
    const [c] = captionsOf(editText(base, 'c0', 'the quick red dog fox'));
    const inserted = c!.words.slice(2, 4).map((w) => [w.word, w.start, w.end]);
    assert.deepEqual(inserted, [
      [' red', 1, 1.5],
      [' dog', 1.5, 2],
    ]);
    assert.equal(c!.words.length, 5);
  });

  test('times new words at the start and end of the caption', () => {
    const [c] = captionsOf(editText(base, 'c0', 'oh the quick brown fox jumps'));
    assert.deepEqual(c!.words[0], { word: 'oh', start: 0, end: 0 });
    assert.deepEqual(c!.words[5], { word: ' jumps', start: 3, end: 3 });
  });

  test('re-times everything when no word survives', () => {
    const [c] = captionsOf(editText(base, 'c0', '완전히 다른 문장'));
    assert.deepEqual(c!.words.map((w) => w.word.trim()), ['완전히', '다른', '문장']);
    assert.equal(c!.words[0]!.start, 0);
    assert.equal(c!.words[2]!.end, 3);
    for (const w of c!.words) assert.ok(w.start <= w.end);
  });

  test('leaves a caption without word timings without them', () => {
    const plain: Caption[] = [{ id: 'p', start: 0, end: 1, text: 'x', words: [] }];
    assert.deepEqual(captionsOf(editText(plain, 'p', 'new text'))[0]!.words, []);
  });

  test('refuses empty text and unknown ids', () => {
    assert.equal(reasonOf(editText(base, 'c0', '   ')), 'EMPTY_TEXT');
    assert.equal(reasonOf(editText(base, 'zz', 'x')), 'CAPTION_NOT_FOUND');
  });
});

describe('deleteCaption', () => {
  test('removes the caption and refuses an unknown id', () => {
    const captions = fromTranscript(transcript);
    assert.deepEqual(captionsOf(deleteCaption(captions, 'c0')).map((c) => c.id), ['c1']);
    assert.equal(reasonOf(deleteCaption(captions, 'c9')), 'CAPTION_NOT_FOUND');
  });
});
