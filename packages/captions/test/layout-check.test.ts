import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CaptionCheckResponse, CaptionIssue, CaptionRule, type Caption, type CaptionWord } from '@ecg/contracts';
import { captionProfile, checkCaptions, layoutCaptions } from '../src/index.js';

const en = captionProfile('en');
const cap = (id: string, start: number, end: number, text: string): Caption => ({ id, start, end, text, words: [] });

describe('checkCaptions', () => {
  // Each caption breaks one or two rules on purpose.
  const bad: Caption[] = [
    cap('c0', 0, 1, 'This line is far too long for any caption line at all, really'),
    cap('c1', 2, 2.5, 'a\nb\nc'),
    cap('c2', 3, 12, 'A caption that stays up far too long'),
    cap('c3', 12.05, 13.5, 'Too close to the one before'),
    cap('c4', 13.4, 15, 'Starts too early'),
    cap('c5', 16, 17, '  \n '),
    cap('c6', 20, 25, 'Over a cut in the middle'),
    cap('c7', 30.2, 32, 'Starts just after a cut'),
    cap('c8', 33, 35.1, 'Ends just after a cut'),
  ];
  const shotChanges = [22.5, 30, 35];
  const issues = checkCaptions(bad, en, { shotChanges });
  const found = issues.map((i) => `${i.caption_id} ${i.rule}`);

  test('finds every rule, each on the caption that breaks it', () => {
    assert.deepEqual(found, [
      'c0 line_too_long',
      'c0 too_fast',
      'c1 too_many_lines',
      'c1 too_short',
      'c2 too_long',
      'c2 gap_too_small',
      'c3 overlap',
      'c5 empty_text',
      'c6 crosses_shot_change',
      'c7 start_near_shot_change',
      'c8 end_near_shot_change',
    ]);
    assert.deepEqual(new Set(issues.map((i) => i.rule)), new Set(CaptionRule.options));
  });

  test('reports the measured value and the limit in the units CaptionRule names', () => {
    const of = (id: string, rule: string): [number, number] => {
      const i = issues.find((x) => x.caption_id === id && x.rule === rule)!;
      return [i.value, i.limit];
    };
    assert.deepEqual(of('c0', 'line_too_long'), [61, 42]);
    assert.deepEqual(of('c0', 'too_fast'), [61, 20]);
    assert.deepEqual(of('c1', 'too_many_lines'), [3, 2]);
    assert.deepEqual(of('c1', 'too_short'), [0.5, 5 / 6]);
    assert.deepEqual(of('c2', 'too_long'), [9, 7]);
    // 50 ms before the next caption; 2 frames at 24 fps, rounded up to the millisecond.
    assert.deepEqual(of('c2', 'gap_too_small'), [0.05, 0.084]);
    assert.deepEqual(of('c3', 'overlap'), [0.1, 0]);
    assert.deepEqual(of('c6', 'crosses_shot_change'), [22.5, 0]);
    assert.deepEqual(of('c7', 'start_near_shot_change'), [0.2, 0.5]);
    assert.deepEqual(of('c8', 'end_near_shot_change'), [0.1, 0.5]);
  });

  test('answers issues the contract accepts, with a message for the person fixing them', () => {
    for (const i of issues) {
      assert.equal(CaptionIssue.safeParse(i).success, true);
      assert.ok(i.message && i.message.length > 0);
    }
    assert.equal(CaptionCheckResponse.safeParse({ profile: en, caption_count: bad.length, issues }).success, true);
  });

  test('measures Korean lines in half-width units and takes the gap in frames of the video rate', () => {
    const ko = captionProfile('ko');
    // 22 characters, 13 units: within 16.
    assert.deepEqual(checkCaptions([cap('c0', 0, 3, 'Netflix와 YouTube에서 봤다')], ko), []);
    assert.deepEqual(
      checkCaptions([cap('c0', 0, 3, '가나다라마바사아자차카타파하가나다')], ko).map((i) => [i.rule, i.value]),
      [['line_too_long', 17]],
    );
    const pair = [cap('c0', 0, 1, 'One.'), cap('c1', 1.07, 2, 'Two.')];
    assert.deepEqual(checkCaptions(pair, en, { fps: 30 }), []);
    assert.deepEqual(
      checkCaptions(pair, en, { fps: 24 }).map((i) => i.rule),
      ['gap_too_small'],
    );
  });

  test('accepts an end exactly 2 frames before a shot change and a start exactly on it', () => {
    const snapped = [cap('c0', 1, 2.916, 'Before the cut.'), cap('c1', 3, 4.5, 'After the cut.')];
    assert.deepEqual(checkCaptions(snapped, en, { shotChanges: [3] }), []);
  });

  test('finds nothing wrong with the engine’s own captions where the rules can hold', () => {
    const tokens = 'Good evening. Tonight we look at the weather for the weekend, and the news from the coast. First, the rain.'.split(' ');
    let t = 1;
    const words: CaptionWord[] = tokens.map((word) => {
      const start = t;
      const end = start + 0.09 * word.length + 0.08;
      t = end + (/[.,]$/.test(word) ? 0.7 : 0.04);
      return { word: ` ${word}`, start, end };
    });
    const shotChanges = [words[2]!.start - 0.2, words[11]!.start];
    const captions = layoutCaptions(words, en, { shotChanges });
    assert.ok(captions.length >= 2);
    assert.deepEqual(checkCaptions(captions, en, { shotChanges }), []);
  });
});
