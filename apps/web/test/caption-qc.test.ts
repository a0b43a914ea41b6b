import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { captionProfile, checkCaptions } from '@ecg/captions';
import { CaptionRule, type Caption, type CaptionIssue } from '@ecg/contracts';
import { en } from '../src/i18n/en.js';
import { ko } from '../src/i18n/ko.js';
import { format } from '../src/i18n/translate.js';
import { wordLines } from '../src/lib/caption-lines.js';
import { layoutRequestFor, profileFigures, profileLabel, PROFILE_NAMES, readProfileName, reflowRequest } from '../src/lib/caption-profiles.js';
import {
  captionLines,
  checkOptions,
  describeIssue,
  draftIssues,
  editorProfile,
  formatCps,
  groupIssues,
  measureCaption,
  qcEntries,
} from '../src/lib/caption-qc.js';
import { formatAmount } from '../src/lib/format.js';
import { stripTiles } from '../src/lib/thumbnail-strip.js';

const EN = captionProfile('en');
const KO = captionProfile('ko');

function caption(id: string, start: number, end: number, text: string): Caption {
  const words = text
    .split(/\s+/)
    .filter(Boolean)
    .map((w, i, all) => {
      const step = (end - start) / all.length;
      return { word: ` ${w}`, start: start + i * step, end: start + (i + 1) * step };
    });
  return { id, start, end, text, words };
}

describe('caption figures against the profile', () => {
  test('reading speed counts the lines joined by a space, over the whole-millisecond duration, as the checker does', () => {
    // "Hello there" + "my friend": 11 + 1 + 9 = 21 characters in 1.5 s.
    const m = measureCaption({ text: 'Hello there\nmy friend', start: 1, end: 2.5 }, EN);
    assert.equal(m.cps, 14);
    assert.equal(m.longestLine, 11);
    assert.equal(m.lines, 2);
    assert.deepEqual([m.maxCps, m.maxLine, m.maxLines], [20, 42, 2]);
  });

  test('Korean counts Latin letters, digits and spaces as half a character, on lines and in reading speed', () => {
    const m = measureCaption({ text: '안녕하세요 OK', start: 0, end: 1 }, KO);
    assert.equal(m.longestLine, 5 + 0.5 + 1);
    assert.equal(m.cps, 6.5);
    assert.equal(m.maxLine, 16);
  });

  test('an empty or zero-length caption gives finite figures (the checker divides by at least 1 ms)', () => {
    assert.deepEqual(measureCaption({ text: '', start: 2, end: 2 }, EN).cps, 0);
    assert.equal(measureCaption({ text: 'Hi', start: 2, end: 2 }, EN).cps, 2000);
  });

  test('agrees with checkCaptions: a too_fast issue exactly when the figure is over the limit', () => {
    const captions = [caption('c0', 0, 1, 'This sentence is far too long to read in one second'), caption('c1', 2, 5, 'Slow enough')];
    const issues = checkCaptions(captions, EN);
    for (const c of captions) {
      const over = measureCaption(c, EN).cps > EN.max_chars_per_second;
      assert.equal(issues.some((i) => i.caption_id === c.id && i.rule === 'too_fast'), over, c.id);
    }
  });

  test('lines are trimmed and blank lines dropped, as every writer shows them', () => {
    assert.deepEqual(captionLines(' one \r\n\n two\n'), ['one', 'two']);
    assert.deepEqual(captionLines('   '), []);
  });
});

describe('caption figures for people', () => {
  test('amounts lose trailing zeros and keep at most the asked decimals', () => {
    assert.equal(formatAmount(38), '38');
    assert.equal(formatAmount(7.5), '7.5');
    assert.equal(formatAmount(0.0833, 2), '0.08');
    assert.equal(formatAmount(-0.001, 2), '0');
  });

  test('reading speed is whole unless the whole number would hide the excess, or it is below 10', () => {
    assert.equal(formatCps(17.2, 20), '17');
    assert.equal(formatCps(31.46, 20), '31');
    assert.equal(formatCps(20.4, 20), '20.4', 'never "20" next to a too-fast warning at 20');
    assert.equal(formatCps(20, 20), '20');
    assert.equal(formatCps(4.25, 4), '4.3');
    assert.equal(formatCps(Infinity, 20), '∞');
  });

  test('every rule has a line in both languages with its value and limit filled in', () => {
    const samples: CaptionIssue[] = CaptionRule.options.flatMap((rule) => [
      { caption_id: 'c0', rule, value: 31.46, limit: 20 },
      { caption_id: 'c0', rule, value: -0.25, limit: 0.5 },
    ]);
    for (const issue of samples) {
      const { key, vars } = describeIssue(issue);
      for (const dict of [en, ko]) {
        const text = format(dict[key], vars);
        assert.doesNotMatch(text, /\{\w+\}/, `${key} leaves a placeholder: ${text}`);
        assert.ok(text.length > 5, key);
      }
    }
    const fast = describeIssue({ caption_id: 'c0', rule: 'too_fast', value: 31.46, limit: 20 });
    assert.equal(format(en[fast.key], fast.vars), 'Reads too fast: 31 characters a second (limit 20)');
    assert.equal(format(ko[fast.key], fast.vars), '읽기에 너무 빠릅니다: 초당 31자 (한도 20자)');
    const before = describeIssue({ caption_id: 'c0', rule: 'start_near_shot_change', value: -0.25, limit: 0.5 });
    assert.equal(format(en[before.key], before.vars), 'Starts 0.25 s before a shot change; start on it');
    const after = describeIssue({ caption_id: 'c0', rule: 'end_near_shot_change', value: 0.12, limit: 0.5 });
    assert.equal(format(en[after.key], after.vars), 'Ends 0.12 s after a shot change; end just before it');
    const cross = describeIssue({ caption_id: 'c0', rule: 'crosses_shot_change', value: 62.5, limit: 0 });
    assert.equal(format(en[cross.key], cross.vars), 'Runs across the shot change at 1:02.50');
  });

  test('the per-caption line reads "cps against limit · line against limit" in both languages', () => {
    const vars = { cps: '17', maxCps: '20', line: '38', maxLine: '42' };
    assert.equal(format(en['qc.measure'], vars), '17/20 cps · line 38/42');
    assert.equal(format(ko['qc.measure'], vars), '초당 17/20자 · 한 줄 38/42자');
  });
});

describe('issues per caption', () => {
  const a: CaptionIssue = { caption_id: 'c0', rule: 'too_fast', value: 30, limit: 20 };
  const b: CaptionIssue = { caption_id: 'c0', rule: 'gap_too_small', value: 0.04, limit: 0.08 };
  const c: CaptionIssue = { caption_id: 'c2', rule: 'line_too_long', value: 50, limit: 42 };

  test('groups in the checker order, captions without issues absent', () => {
    const grouped = groupIssues([a, b, c]);
    assert.deepEqual([...grouped.keys()], ['c0', 'c2']);
    assert.deepEqual(grouped.get('c0'), [a, b]);
    assert.equal(grouped.get('c1'), undefined);
  });

  test('keeps the previous array of a caption whose issues did not change, so its memoised row does not re-render', () => {
    const first = groupIssues([a, b, c]);
    const second = groupIssues([{ ...a }, { ...b }, { ...c, value: 51 }], first);
    assert.equal(second.get('c0'), first.get('c0'), 'same issues: same array');
    assert.notEqual(second.get('c2'), first.get('c2'), 'a changed value: a new array');
    assert.equal(second.get('c2')?.[0]?.value, 51);
  });

  test('QC entries number captions from 1 and carry the start to seek to; issues of unknown captions are left out', () => {
    const captions = [caption('c0', 0, 1, 'a'), caption('c1', 1.5, 2, 'b'), caption('c2', 3, 4, 'c')];
    const entries = qcEntries(captions, [a, b, c, { ...c, caption_id: 'gone' }]);
    assert.deepEqual(
      entries.map((e) => [e.number, e.captionId, e.start, e.issue.rule]),
      [
        [1, 'c0', 0, 'too_fast'],
        [1, 'c0', 0, 'gap_too_small'],
        [3, 'c2', 3, 'line_too_long'],
      ],
    );
  });

  test('a draft is checked as typed, keeping the committed issues that depend on the next caption', () => {
    const c0 = caption('c0', 0, 2, 'Short');
    const gap: CaptionIssue = { caption_id: 'c0', rule: 'gap_too_small', value: 0.01, limit: 0.08 };
    const staleFast: CaptionIssue = { caption_id: 'c0', rule: 'too_fast', value: 99, limit: 20 };
    const typed = 'A caption that grew much too long while being typed';
    const live = draftIssues(c0, typed, EN, {}, [staleFast, gap]);
    assert.deepEqual(
      live.map((i) => i.rule),
      ['line_too_long', 'too_fast', 'gap_too_small'],
      'own rules from the draft, the gap kept, in the checker order',
    );
    assert.notEqual(live.find((i) => i.rule === 'too_fast')?.value, 99, 'the stale figure is replaced by the draft’s');
    assert.deepEqual(
      draftIssues(c0, 'Short\nand sweet', EN, {}, [gap]).map((i) => i.rule),
      ['gap_too_small'],
    );
  });
});

describe('the profile the editor measures against', () => {
  test('is the document’s profile when the server sends one', () => {
    const vertical = captionProfile('ko', true);
    assert.equal(editorProfile({ profile: vertical, layout: { profile: 'en' } }, 'en'), vertical);
  });

  test('else the layout request resolved over the language, as the backend would', () => {
    assert.deepEqual(editorProfile({ layout: { vertical: true } }, 'ko'), captionProfile('ko', true));
    assert.deepEqual(editorProfile({ language: 'ja' }, 'en'), captionProfile('ja'));
    assert.deepEqual(editorProfile({}, undefined), captionProfile('latin'));
  });

  test('checks against the video’s shot changes and frame rate, and none for audio', () => {
    assert.deepEqual(checkOptions({ video: { fps: 25, width: 640, height: 360, shot_changes: [1.2, 4] } }), { shotChanges: [1.2, 4], fps: 25 });
    assert.deepEqual(checkOptions({}), {});
  });
});

describe('caption style pickers', () => {
  test('name every profile with its published line length, in both languages', () => {
    assert.equal(format(en['profile.en'], profileLabel('en').vars), 'English (Netflix, 42 per line)');
    assert.equal(format(en['profile.ko'], profileLabel('ko').vars), 'Korean (Netflix, 16 per line)');
    assert.equal(format(ko['profile.ja'], profileLabel('ja').vars), '일본어 (넷플릭스, 한 줄 13자)');
    for (const name of PROFILE_NAMES) {
      const { key, vars } = profileLabel(name);
      assert.doesNotMatch(format(en[key], vars), /\{/);
      assert.doesNotMatch(format(ko[key], vars), /\{/);
    }
    const figures = profileFigures(captionProfile('en', true));
    assert.equal(format(en[figures.key], figures.vars), '18 characters a line, 2 lines, at most 20 characters a second.');
  });

  test('the upload form sends nothing by default, a bare name, or the layout request when vertical', () => {
    assert.equal(layoutRequestFor({ name: 'auto', vertical: false }), undefined);
    assert.deepEqual(layoutRequestFor({ name: 'auto', vertical: true }), { vertical: true });
    assert.equal(layoutRequestFor({ name: 'ko', vertical: false }), 'ko');
    assert.deepEqual(layoutRequestFor({ name: 'en', vertical: true }), { profile: 'en', vertical: true });
    assert.equal(readProfileName('zh-hant'), 'zh-hant');
    assert.equal(readProfileName('klingon'), 'auto');
  });

  test('a re-flow keeps the API-set overrides only under the same rules', () => {
    const overrides = { max_chars_per_line: 30 };
    const current = { profile: 'en' as const, overrides };
    const profile = captionProfile('en');
    assert.deepEqual(reflowRequest(current, profile, { name: 'en', vertical: false }), { profile: 'en', vertical: false, overrides });
    assert.deepEqual(reflowRequest(current, profile, { name: 'en', vertical: true }), { profile: 'en', vertical: true });
    assert.deepEqual(reflowRequest(current, profile, { name: 'ko', vertical: false }), { profile: 'ko', vertical: false });
  });
});

describe('caption lines and words', () => {
  const words = (...ws: string[]) => ws.map((word) => ({ word }));

  test('puts each word on the line of the text it is on', () => {
    assert.deepEqual(wordLines('And so my\nfellow Americans', words(' And', ' so', ' my', ' fellow', ' Americans')), [[0, 1, 2], [3, 4]]);
    assert.deepEqual(wordLines('one line', words(' one', ' line')), [[0, 1]]);
  });

  test('Japanese words without spaces, a whitespace-only word riding along, blank lines not drawn', () => {
    assert.deepEqual(wordLines('今日は\n\nいい天気', words('今日', 'は', ' ', 'いい', '天気')), [[0, 1, 2], [3, 4]]);
  });

  test('null when the words no longer spell the text', () => {
    assert.equal(wordLines('Hello world', words(' Goodbye')), null);
    assert.equal(wordLines('Hello brave world', words(' Hello', ' world')), null, 'a word of the text has no timing');
    assert.equal(wordLines('Hello world and more', words(' Hello', ' world')), null, 'text past the last word');
  });
});

describe('thumbnail strip placement', () => {
  const sprite = { width: 160, height: 90, columns: 10, times: [0, 4, 4.5, 30] };
  const view = { start: 0, span: 10, width: 1000 }; // 100 px a second

  test('each tile starts at its shot, scaled to the strip, cut where the next shot starts', () => {
    const { tiles, sheetWidth, sheetHeight } = stripTiles(sprite, view, 45, 40);
    assert.deepEqual(
      tiles.map((t) => [t.index, t.x, t.width]),
      [
        [0, 0, 80],
        [1, 400, 50],
        [2, 450, 80],
      ],
      'shot 1 is 0.5 s (50 px) long: its tile is cut there; the shot at 30 s is out of view',
    );
    assert.equal(sheetWidth, 10 * 80);
    assert.equal(sheetHeight, 45);
  });

  test('background positions walk the sprite left to right, top to bottom', () => {
    const many = { width: 160, height: 90, columns: 2, times: [0, 1, 2, 3] };
    const { tiles, sheetHeight } = stripTiles(many, { start: 0, span: 4, width: 400 }, 45);
    assert.deepEqual(
      tiles.map((t) => [t.bgX, t.bgY]),
      [
        [-0, -0],
        [-80, -0],
        [-0, -45],
        [-80, -45],
      ],
    );
    assert.equal(sheetHeight, 90);
  });

  test('follows scroll and zoom on the waveform’s time axis', () => {
    const scrolled = stripTiles(sprite, { start: 3, span: 5, width: 1000 }, 45, 40).tiles; // 200 px a second
    assert.deepEqual(
      scrolled.map((t) => [t.index, t.x, t.width]),
      [
        [1, 200, 80],
        [2, 300, 80],
      ],
      'the first shot scrolled out to the left; the second, now 100 px long, shows its whole tile',
    );
    assert.deepEqual(
      stripTiles(sprite, { start: 29, span: 20, width: 1000 }, 45, 40).tiles.map((t) => [t.index, t.x]),
      [[3, 50]],
      'the last shot runs to the end of the recording',
    );
  });

  test('leaves out tiles too narrow to show anything when zoomed far out', () => {
    const dense = { width: 160, height: 90, columns: 10, times: [0, 0.01, 0.02, 5] };
    assert.deepEqual(
      stripTiles(dense, { start: 0, span: 60, width: 600 }, 45, 60).tiles.map((t) => t.index),
      [2, 3],
    );
  });
});
