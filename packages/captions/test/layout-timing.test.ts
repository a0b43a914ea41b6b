import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Caption, CaptionWord } from '@ecg/contracts';
import { captionProfile, checkCaptions, layoutCaptions } from '../src/index.js';

const en = captionProfile('en');
// One short line a caption, so that the two test sentences are always two captions.
const oneLine = { ...en, max_chars_per_line: 16, max_lines: 1 };
const w = (word: string, start: number, end: number): CaptionWord => ({ word: ` ${word}`, start, end });
const spans = (captions: readonly Caption[]): Array<[number, number]> => captions.map((c) => [c.start, c.end]);
const texts = (captions: readonly Caption[]): string[] => captions.map((c) => c.text);

// Two sentences with a clear pause between them, so each is a caption of its own.
const first = [w('We', 0.5, 0.7), w('left', 0.7, 1.0), w('early.', 1.0, 1.6)];
const second = (at: number): CaptionWord[] => [w('Nobody', at, at + 0.4), w('noticed.', at + 0.4, at + 1.2)];

describe('layout timing', () => {
  test('starts at the first word and ends half a second (12 frames) after the last', () => {
    const captions = layoutCaptions([...first, ...second(4)], en);
    assert.deepEqual(spans(captions), [
      [0.5, 2.1],
      [4, 5.7],
    ]);
  });

  test('extends a short caption to the minimum duration (5/6 s, in whole ms rounded up)', () => {
    const captions = layoutCaptions([w('Hi.', 1, 1.1)], en);
    assert.deepEqual(spans(captions), [[1, 1.834]]);
  });

  test('extends toward the reading speed into free time, but not past 1.5 s after the speech', () => {
    // 75 characters spoken in 1.2 s: 20 cps asks for 3.75 s; speech end + 1.5 s allows 2.7 s.
    const fast = 'Absolutely everything we ever needed was already waiting right there for us'.split(' ');
    const words = fast.map((t, i) => w(t, 10 + i * 0.1, 10 + (i + 1) * 0.1));
    const [c] = layoutCaptions(words, en);
    assert.equal(c!.text, 'Absolutely everything we ever needed\nwas already waiting right there for us');
    assert.deepEqual([c!.start, c!.end], [10, 12.7]);
    assert.deepEqual(
      checkCaptions([c!], en).map((i) => [i.rule, i.value]),
      [['too_fast', 27.78]],
    );
  });

  test('closes a gap shorter than half a second to the 2-frame minimum (chaining), and leaves longer ones', () => {
    const chained = layoutCaptions([...first, ...second(2.4)], oneLine);
    // 2.1 would leave 0.3 s before 2.4: the end moves to 2.4 - ceil(2 frames at 24 fps = 83.3 ms).
    assert.deepEqual(spans(chained), [
      [0.5, 2.316],
      [2.4, 4.1],
    ]);
    const apart = layoutCaptions([...first, ...second(2.8)], oneLine);
    assert.deepEqual(spans(apart)[0], [0.5, 2.1]);
  });

  test('takes the minimum gap in frames of the video rate', () => {
    const at25 = layoutCaptions([...first, ...second(2.4)], oneLine, { fps: 25 });
    assert.equal(at25[0]!.end, 2.32);
    const at60 = layoutCaptions([...first, ...second(2.4)], oneLine, { fps: 60 });
    assert.equal(at60[0]!.end, 2.366);
  });

  test('moves a start within 12 frames after a shot change back onto it', () => {
    const captions = layoutCaptions([...first, ...second(4.3)], en, { shotChanges: [4] });
    assert.equal(captions[1]!.start, 4);
  });

  test('moves a start up to 7 frames before a shot change onto it (red zone), and 8 to 11 frames before it to 12 frames before (green zone)', () => {
    const red = layoutCaptions([...first, ...second(3.8)], en, { shotChanges: [4] });
    assert.equal(red[1]!.start, 4);
    const green = layoutCaptions([...first, ...second(3.6)], en, { shotChanges: [4] });
    assert.equal(green[1]!.start, 3.5);
  });

  test('does not snap a start back over the previous caption’s speech', () => {
    // The shot change is 0.1 s after "early." ends: snapping back onto it would cover that speech.
    const captions = layoutCaptions([...first, ...second(2.05)], oneLine, { shotChanges: [1.65] });
    assert.equal(captions.length, 2);
    assert.equal(captions[1]!.start, 2.05);
  });

  test('moves an end within 12 frames before a shot change to 2 frames before it', () => {
    const captions = layoutCaptions([...first, ...second(5)], en, { shotChanges: [2.4] });
    assert.equal(captions[0]!.end, 2.316);
  });

  test('pulls an end that runs up to 12 frames past a shot change back to 2 frames before it when the speech is over', () => {
    const captions = layoutCaptions([...first, ...second(5)], en, { shotChanges: [1.8] });
    assert.equal(captions[0]!.end, 1.716);
    const longer = layoutCaptions([w('We', 0.5, 0.7), w('left', 0.7, 1.0), w('early', 1.0, 2.0)], en, { shotChanges: [2.3] });
    assert.equal(longer[0]!.end, 2.216);
  });

  test('keeps a caption whose speech runs over a shot change at least half a second into the new shot', () => {
    const captions = layoutCaptions([...first, ...second(5)], en, { shotChanges: [1.5] });
    assert.equal(captions[0]!.end, 2.1);
  });

  test('cuts at a shot change rather than at a plain space nearby', () => {
    // One run of words with no punctuation or pause, too long for one caption; the shot change is between "river" and "and".
    const tokens = 'we walked along the river and then we climbed the hill behind the village to watch the sun go down over the fields'.split(' ');
    const words = tokens.map((t, i) => w(t, i * 0.3, i * 0.3 + 0.28));
    const cutAt = tokens.indexOf('climbed') * 0.3;
    const plain = layoutCaptions(words, en);
    const withShot = layoutCaptions(words, en, { shotChanges: [cutAt] });
    assert.notDeepEqual(texts(plain), texts(withShot));
    assert.equal(withShot[0]!.text.replace(/\n/g, ' '), 'we walked along the river and then we');
    assert.deepEqual([withShot[0]!.end, withShot[1]!.start], [2.316, 2.4]);
  });

  test('never lets overlapping or zero-length words make captions overlap', () => {
    const words = [w('One.', 1, 1), w('Two.', 0.5, 3), w('Three.', 0.2, 0.2), w('Four.', 3, 2)];
    const captions = layoutCaptions(words, { ...en, max_chars_per_line: 5, max_lines: 1 });
    assert.deepEqual(texts(captions), ['One.', 'Two.', 'Three.', 'Four.']);
    for (let i = 1; i < captions.length; i++) assert.ok(captions[i]!.start - captions[i - 1]!.end >= 0.083);
  });
});
