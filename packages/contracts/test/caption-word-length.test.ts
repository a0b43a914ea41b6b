import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CaptionDocument } from '../src/index.js';

test('a caption built from a transcript with one very long "word" is still a valid document', () => {
  // Languages without spaces, and models caught in a repetition loop, yield one word per segment.
  const word = 'ab'.repeat(660);
  const doc = { version: 0, edited: false, captions: [{ id: 'c0', start: 0, end: 10, text: word, words: [{ word, start: 0, end: 10 }] }] };
  assert.equal(CaptionDocument.safeParse(doc).success, true);
});
