import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Caption } from '@ecg/contracts';
import { editText, normaliseCaptionText, toAss, toSrt, toVtt } from '../src/index.js';

const TWO_LINES: Caption[] = [
  {
    id: 'c0',
    start: 1,
    end: 3.5,
    text: 'And so my fellow Americans,\nask not what your country',
    words: [
      { word: ' And', start: 1, end: 1.2 },
      { word: ' so', start: 1.2, end: 1.4 },
      { word: ' my', start: 1.4, end: 1.6 },
      { word: ' fellow', start: 1.6, end: 1.9 },
      { word: ' Americans,', start: 1.9, end: 2.4 },
      { word: ' ask', start: 2.5, end: 2.7 },
      { word: ' not', start: 2.7, end: 2.9 },
      { word: ' what', start: 2.9, end: 3.0 },
      { word: ' your', start: 3.0, end: 3.2 },
      { word: ' country', start: 3.2, end: 3.5 },
    ],
  },
];

describe('line breaks inside a caption', () => {
  it('are kept when the text is tidied, blank lines and stray spaces dropped', () => {
    assert.equal(normaliseCaptionText('  one  two \r\n\n\n three\rfour  '), 'one two\nthree\nfour');
  });

  it('survive an edit, and moving a break keeps every word timing', () => {
    const moved = editText(TWO_LINES, 'c0', 'And so my fellow Americans, ask not\nwhat your country');
    assert.ok(moved.ok);
    assert.equal(moved.captions[0]!.text, 'And so my fellow Americans, ask not\nwhat your country');
    assert.deepEqual(moved.captions[0]!.words, TWO_LINES[0]!.words);
  });

  it('are written by SRT and WebVTT as line breaks and by ASS as \\N', () => {
    assert.match(toSrt(TWO_LINES), /Americans,\nask not/);
    assert.match(toVtt(TWO_LINES), /Americans,\nask not/);
    const dialogue = toAss(TWO_LINES, { expressive: false, strength: 1 }).split('\n').find((l) => l.startsWith('Dialogue:')) ?? '';
    assert.match(dialogue, /Americans,.*\\N.*ask/);
  });
});
