import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { CaptionList, CaptionProfileName, type Caption, type CaptionProfile, type CaptionWord } from '@ecg/contracts';
import { captionProfile, checkCaptions, layoutCaptions, resolveProfile, textWidth, widthScheme, type LayoutOptions } from '../src/index.js';
import { alignWords } from '../src/text-align.js';

/*
 * Properties of the layout over random word streams: random words (English,
 * Korean, Japanese, punctuation, whitespace-only tokens, words longer than a
 * line), random pauses, overlapping and zero-length words, random shot
 * changes, speakers, frame rates and profile overrides. Run counts are kept
 * moderate so the file stays well under 20 s on a slow two-core machine.
 */

const RUNS = 150;

const VOCABULARY = [
  'the', 'a', 'an', 'and', 'but', 'of', 'to', 'in', 'country', 'Americans,', 'ask', 'not', 'what', 'you.',
  'can', 'do?', 'for', 'your', 'fellow', 'my', 'world!', 'freedom;', 'man', '—', '"Yes,"', 'e.g.', 'Mr.',
  '안녕하세요', '저는', 'ECG를', '사용합니다.', '2024년에', '한국어', '東京', 'に', '行きます', '。', '、', 'ゃ', '」', '「',
  'です', 'カタカナ', '日本語', 'は', 'おはようございます', '中文', '字幕。',
  'incomprehensibilities-and-more-incomprehensibilities-beyond-any-line',
];

interface WordSpec {
  text: string;
  space: boolean;
  gap: number;
  duration: number;
  /** The word's own speaker: 'same' as the word before, an id, or none. */
  speaker: 'same' | 'none' | string;
}

const wordSpec: fc.Arbitrary<WordSpec> = fc.record({
  text: fc.constantFrom(...VOCABULARY),
  space: fc.boolean(),
  // Mostly fluent speech, sometimes a pause, sometimes a word starting before the last ended.
  gap: fc.oneof(
    { weight: 6, arbitrary: fc.double({ min: 0, max: 0.3, noNaN: true }) },
    { weight: 2, arbitrary: fc.double({ min: 0.3, max: 3, noNaN: true }) },
    { weight: 1, arbitrary: fc.double({ min: -0.5, max: 0, noNaN: true }) },
  ),
  duration: fc.oneof(
    { weight: 6, arbitrary: fc.double({ min: 0.05, max: 0.8, noNaN: true }) },
    { weight: 1, arbitrary: fc.constant(0) },
    { weight: 1, arbitrary: fc.double({ min: 0.8, max: 9, noNaN: true }) },
  ),
  // Mostly turns of a few words, sometimes a one-word reply, sometimes a word the diarizer left unnamed.
  speaker: fc.oneof(
    { weight: 5, arbitrary: fc.constant('same') },
    { weight: 2, arbitrary: fc.constantFrom('SPEAKER_00', 'SPEAKER_01', 'SPEAKER_02') },
    { weight: 1, arbitrary: fc.constant('none') },
  ),
});

function wordsOf(specs: readonly WordSpec[], blanks: readonly number[]): CaptionWord[] {
  const words: CaptionWord[] = [];
  let t = 0.2;
  let speaker: string | undefined;
  specs.forEach((s, i) => {
    const start = Math.max(0, t + s.gap);
    const word: CaptionWord = { word: `${s.space ? ' ' : ''}${s.text}`, start, end: start + s.duration, probability: 0.9 };
    if (i % 3 === 0) word.volume_db = -20 - i;
    if (s.speaker !== 'same') speaker = s.speaker === 'none' ? undefined : s.speaker;
    if (speaker !== undefined) word.speaker = speaker;
    words.push(word);
    if (blanks.includes(i)) words.push({ word: ' ', start: start + s.duration, end: start + s.duration });
    t = Math.max(t, start + s.duration);
  });
  return words;
}

const profileArb: fc.Arbitrary<CaptionProfile> = fc
  .record({
    profile: fc.constantFrom(...CaptionProfileName.options),
    vertical: fc.boolean(),
    overrides: fc.record(
      {
        max_chars_per_line: fc.integer({ min: 4, max: 100 }),
        max_lines: fc.integer({ min: 1, max: 4 }),
        min_duration: fc.double({ min: 0, max: 2, noNaN: true }),
        max_duration: fc.double({ min: 2, max: 30, noNaN: true }),
        min_gap_frames: fc.integer({ min: 0, max: 24 }),
        max_chars_per_second: fc.double({ min: 1, max: 60, noNaN: true }),
      },
      { requiredKeys: [] },
    ),
  })
  .map((request) => resolveProfile(request));

const optionsArb = (span: number): fc.Arbitrary<LayoutOptions> =>
  fc.record(
    {
      shotChanges: fc.array(fc.double({ min: 0, max: span + 1, noNaN: true }), { maxLength: 12 }),
      speakers: fc
        .array(fc.record({ length: fc.double({ min: 0.2, max: 8, noNaN: true }), speaker: fc.constantFrom('A', 'B', 'C') }), {
          maxLength: 8,
        })
        .map((turns) => {
          let at = 0;
          return turns.map((t) => {
            const turn = { start: at, end: at + t.length, speaker: t.speaker };
            at += t.length;
            return turn;
          });
        }),
      fps: fc.constantFrom(23.976, 24, 25, 29.97, 30, 50, 60),
    },
    { requiredKeys: [] },
  );

const caseArb = fc
  .tuple(fc.array(wordSpec, { minLength: 1, maxLength: 60 }), fc.array(fc.nat(59), { maxLength: 4 }), profileArb)
  .chain(([specs, blanks, profile]) => {
    const words = wordsOf(specs, blanks);
    const span = words.reduce((m, w) => Math.max(m, w.end), 0);
    return optionsArb(span).map((options) => ({ words, profile, options }));
  });

const ms = (s: number): number => Math.round(s * 1000);
const minGapMs = (p: CaptionProfile, fps = 24): number => Math.ceil((p.min_gap_frames * 1000) / fps);

function run(property: (c: { words: CaptionWord[]; profile: CaptionProfile; options: LayoutOptions; captions: Caption[] }) => void): void {
  fc.assert(
    fc.property(caseArb, (c) => property({ ...c, captions: layoutCaptions(c.words, c.profile, c.options) })),
    { numRuns: RUNS, seed: 20250101 },
  );
}

describe('layoutCaptions over random word streams', () => {
  test('keeps every word object exactly once, in order, untouched', () => {
    run(({ words, captions }) => {
      const out = captions.flatMap((c) => c.words);
      assert.equal(out.length, words.length);
      out.forEach((w, i) => assert.equal(w, words[i]));
    });
  });

  test('gives captions the contract accepts, with ids c0, c1, …', () => {
    run(({ captions }) => {
      assert.equal(CaptionList.safeParse(captions).success, true);
      captions.forEach((c, i) => assert.equal(c.id, `c${i}`));
    });
  });

  test('never puts more than max_lines lines in a caption, nor a line over the limit unless one word alone is longer', () => {
    run(({ profile, captions }) => {
      const scheme = widthScheme(profile.name);
      for (const c of captions) {
        const lines = c.text.split('\n');
        assert.ok(lines.length <= profile.max_lines, `${lines.length} lines in ${JSON.stringify(c.text)}`);
        for (const line of lines) {
          const single = c.words.some((w) => w.word.trim() === line);
          assert.ok(textWidth(line, scheme) <= profile.max_chars_per_line || single, `line ${JSON.stringify(line)} in ${profile.name}`);
        }
      }
    });
  });

  test('never overlaps and leaves at least the minimum gap', () => {
    run(({ profile, options, captions }) => {
      const gap = minGapMs(profile, options.fps);
      captions.forEach((c, i) => {
        const next = captions[i + 1];
        assert.ok(ms(c.end) > ms(c.start), `caption ${c.id} has no duration`);
        if (next) assert.ok(ms(next.start) - ms(c.end) >= gap, `gap ${ms(next.start) - ms(c.end)} ms < ${gap} ms after ${c.id}`);
      });
    });
  });

  test('keeps durations within bounds wherever the free time allows', () => {
    run(({ profile, options, captions }) => {
      const gap = minGapMs(profile, options.fps);
      captions.forEach((c, i) => {
        const duration = ms(c.end) - ms(c.start);
        assert.ok(duration <= Math.floor(profile.max_duration * 1000), `${c.id} lasts ${duration} ms`);
        const next = captions[i + 1];
        const boxedIn = next !== undefined && ms(c.end) === ms(next.start) - gap;
        assert.ok(duration >= Math.ceil(profile.min_duration * 1000) || boxedIn, `${c.id} lasts ${duration} ms with room after it`);
      });
    });
  });

  test('holds a speaker change only at the line break of a two-line caption of exactly two speakers', () => {
    run(({ captions }) => {
      for (const c of captions) {
        const ranges = alignWords(c.text, c.words);
        assert.ok(ranges, `the words spell ${JSON.stringify(c.text)}`);
        const lineBreak = c.text.indexOf('\n');
        // Each visible word's speaker, a word without one taken as the speaker before it.
        let speaking: string | undefined;
        const heard: Array<{ speaker: string; line: number }> = [];
        c.words.forEach((w, k) => {
          if (w.word.trim() === '') return;
          speaking = w.speaker ?? speaking;
          if (speaking !== undefined) heard.push({ speaker: speaking, line: lineBreak >= 0 && ranges[k]![0] > lineBreak ? 1 : 0 });
        });
        const speakers = [...new Set(heard.map((h) => h.speaker))];
        if (speakers.length <= 1) continue;
        const where = `${JSON.stringify(c.text)} by ${JSON.stringify(heard)}`;
        assert.equal(speakers.length, 2, where);
        assert.equal(c.text.split('\n').length, 2, where);
        assert.ok(heard.every((h) => h.speaker === speakers[h.line]), where);
        assert.equal(c.speaker, c.words.find((w) => w.speaker !== undefined)?.speaker, where);
      }
    });
  });

  test('is deterministic', () => {
    run(({ words, profile, options, captions }) => {
      assert.deepEqual(layoutCaptions(words, profile, options), captions);
    });
  });

  test('passes its own checker on the hard rules: line count, overlap, gaps, maximum duration', () => {
    run(({ profile, options, captions }) => {
      const hard = checkCaptions(captions, profile, { fps: options.fps }).filter((i) =>
        ['too_many_lines', 'overlap', 'gap_too_small', 'too_long'].includes(i.rule),
      );
      assert.deepEqual(hard, []);
    });
  });

  test('lays out a two-hour talk (20,000 words) in well under the time a test may take', () => {
    const vocabulary = 'the quick brown fox jumps over a lazy dog and then, after that, it runs to the river. we were there for you'.split(' ');
    const words: CaptionWord[] = [];
    let t = 0;
    for (let i = 0; i < 20_000; i++) {
      const d = 0.1 + ((i * 7919) % 40) / 100;
      words.push({ word: ` ${vocabulary[(i * 31) % vocabulary.length]!}`, start: t, end: t + d });
      t += d + (i % 11 === 0 ? 0.8 : 0.03);
    }
    const started = performance.now();
    const captions = layoutCaptions(words, resolveProfile({}, 'en'));
    const took = performance.now() - started;
    assert.equal(captions.flatMap((c) => c.words).length, words.length);
    // About 0.4 s on a laptop; the bound only catches a layout gone quadratic (minutes).
    assert.ok(took < 10_000, `took ${Math.round(took)} ms`);
  });

  test('never throws on words the contract would refuse: NaN, negative, infinite or reversed times, zero-width text', () => {
    const odd: CaptionWord[] = [
      { word: ' a', start: Number.NaN, end: 1 },
      { word: ' b', start: -1, end: Number.POSITIVE_INFINITY },
      { word: '\u0301', start: 5, end: 2 },
      { word: ' ', start: 0, end: 0 },
      { word: '', start: 3, end: 3 },
      { word: ' c', start: 1e12, end: 1e12 },
    ];
    for (const name of CaptionProfileName.options) {
      const captions = layoutCaptions(odd, resolveProfile({ profile: name }), { shotChanges: [Number.NaN, -3, 2], fps: Number.NaN });
      assert.equal(captions.flatMap((c) => c.words).length, odd.length);
      // The words stay as given (the contract refuses their times); the captions' own times are sound.
      assert.equal(CaptionList.safeParse(captions.map((c) => ({ ...c, words: [] }))).success, true);
    }
    assert.deepEqual(layoutCaptions([], captionProfile('en')), []);
    assert.deepEqual(layoutCaptions([{ word: '  ', start: 0, end: 1 }], captionProfile('en')), []);
  });
});
