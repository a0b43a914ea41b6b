import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { CaptionList, type Caption, type TranscriptResult } from '@ecg/contracts';
import { captionProfile, checkCaptions, editText, fromTranscript, layoutCaptions, reflowCaptions, textWidth, type EditResult } from '../src/index.js';

const en = captionProfile('en');
const ja = captionProfile('ja');

function captionsOf(result: EditResult): Caption[] {
  assert.equal(result.ok, true);
  return result.ok ? result.captions : [];
}
/** All the text of a caption list, as one line with single spaces. */
const allText = (captions: readonly Caption[]): string => captions.map((c) => c.text.replace(/\s+/g, ' ').trim()).join(' ');

// What the issue complains about: one Whisper segment, one caption of a whole paragraph.
const sentence =
  'So this morning I went to the bakery on the corner because my sister told me they had the best bread in town, and honestly she was right, it was still warm when I got it home and we ate half of it before lunch.';
const tokens = sentence.split(' ');
const transcript: TranscriptResult = {
  text: sentence,
  language: 'en',
  segments: [
    {
      id: 0,
      start: 0,
      end: tokens.length * 0.25,
      text: ` ${sentence}`,
      words: tokens.map((t, i) => ({ word: ` ${t}`, start: i * 0.25, end: i * 0.25 + 0.22, probability: 0.9, emphasis: 'normal' as const })),
    },
  ],
};

describe('reflowCaptions', () => {
  test('lays a transcript-sized caption out as captions within the rules, words and their fields kept', () => {
    const [long] = fromTranscript(transcript);
    assert.equal(long!.text.length, sentence.length);
    const captions = reflowCaptions([long!], en);
    assert.ok(captions.length >= 3);
    assert.equal(allText(captions), sentence);
    assert.deepEqual(
      captions.flatMap((c) => c.words),
      long!.words,
    );
    assert.deepEqual(checkCaptions(captions, en), []);
  });

  test('gives the same captions as the layout when nothing was edited', () => {
    const words = fromTranscript(transcript)[0]!.words;
    const laidOut = layoutCaptions(words, en);
    assert.deepEqual(reflowCaptions(laidOut, en), laidOut);
  });

  test('keeps text edits made through editText, with the words that still match', () => {
    const laidOut = layoutCaptions(fromTranscript(transcript)[0]!.words, en);
    const target = laidOut.find((c) => c.text.includes('sister'))!;
    const edited = captionsOf(editText(laidOut, target.id, target.text.replace('sister', 'older brother').replace(/\n/g, ' ')));
    const captions = reflowCaptions(edited, en);
    assert.equal(allText(captions), sentence.replace('sister', 'older brother'));
    assert.equal(CaptionList.safeParse(captions).success, true);
    // The words editText kept are the same objects, fields and all.
    const kept = captions.flatMap((c) => c.words).filter((w) => w.emphasis === 'normal');
    assert.equal(kept.length, tokens.length - 1);
  });

  test('keeps text typed over words that no longer spell it, timed across the caption', () => {
    const saved: Caption[] = [
      {
        id: 'c0',
        start: 10,
        end: 14,
        // Edited outside the editor: the words still say "hello world".
        text: 'Completely different words that nobody said, typed in by hand to replace what was there before',
        words: [
          { word: ' hello', start: 10, end: 10.5 },
          { word: ' world', start: 10.5, end: 11 },
        ],
      },
      { id: 'c1', start: 15, end: 16, text: 'Typed, without words.', words: [] },
    ];
    const captions = reflowCaptions(saved, en);
    assert.equal(allText(captions), `${saved[0]!.text} ${saved[1]!.text}`);
    const words = captions.flatMap((c) => c.words);
    assert.equal(words[0]!.word, ' Completely');
    for (const w of words.slice(0, -3)) assert.ok(w.start >= 10 && w.end <= 14, `${w.word} at ${w.start}`);
    assert.deepEqual(
      words.slice(-3).map((w) => [w.word, w.start >= 15 && w.end <= 16]),
      [
        [' Typed,', true],
        [' without', true],
        [' words.', true],
      ],
    );
    for (const c of captions) for (const line of c.text.split('\n')) assert.ok(line.length <= 42, line);
  });

  test('re-lays captions for another profile, the user’s line breaks included', () => {
    const saved: Caption[] = [
      { id: 'c0', start: 0, end: 3, text: 'We left\nthe party early,', words: [] },
      { id: 'c7', start: 3.1, end: 6, text: 'and nobody noticed until the next morning.', words: [] },
    ];
    const vertical = captionProfile('en', true);
    const captions = reflowCaptions(saved, vertical);
    assert.equal(allText(captions), 'We left the party early, and nobody noticed until the next morning.');
    captions.forEach((c, i) => assert.equal(c.id, `c${i}`));
    for (const c of captions) for (const line of c.text.split('\n')) assert.ok(line.length <= 18, line);
  });

  test('cuts edited Japanese text into characters so kinsoku and the 13-character line hold', () => {
    const saved: Caption[] = [
      { id: 'c0', start: 0, end: 6, text: '今日は東京でとても楽しい一日を過ごしました。明日は大阪に行きます。', words: [] },
    ];
    const captions = reflowCaptions(saved, ja);
    assert.equal(captions.map((c) => c.text.replace(/\n/g, '')).join(''), saved[0]!.text);
    for (const c of captions) {
      for (const line of c.text.split('\n')) {
        assert.ok(textWidth(line, 'east-asian') <= 13, line);
        assert.doesNotMatch(line, /^[。、]/u);
      }
    }
  });

  test('drops captions with no text and keeps the rest in order', () => {
    const saved: Caption[] = [
      { id: 'c0', start: 0, end: 1, text: 'First.', words: [] },
      { id: 'c1', start: 1.5, end: 2, text: '   ', words: [{ word: ' gone', start: 1.5, end: 2 }] },
      { id: 'c2', start: 3, end: 4, text: 'Last.', words: [] },
    ];
    assert.equal(allText(reflowCaptions(saved, en)), 'First. Last.');
    assert.deepEqual(reflowCaptions([], en), []);
  });

  test('keeps every edit over random layouts and random edits (property)', () => {
    const vocabulary = ['we', 'the', 'river,', 'said', 'nothing.', 'Really?', 'a', 'long', 'afternoon', 'in', 'Paris', '—', 'okay'];
    const edit = fc.record({
      at: fc.nat(),
      text: fc.array(fc.constantFrom(...vocabulary), { minLength: 1, maxLength: 30 }).map((t) => t.join(' ')),
      viaEditor: fc.boolean(),
    });
    const words = fc.array(fc.tuple(fc.constantFrom(...vocabulary), fc.double({ min: 0, max: 1.5, noNaN: true })), { minLength: 1, maxLength: 50 });
    fc.assert(
      fc.property(words, fc.array(edit, { maxLength: 4 }), fc.constantFrom(en, captionProfile('latin', true)), (spec, edits, profile) => {
        let t = 0;
        const stream = spec.map(([word, pause]) => {
          t += pause;
          const w = { word: ` ${word}`, start: t, end: t + 0.3 };
          t += 0.32;
          return w;
        });
        let captions = layoutCaptions(stream, profile);
        for (const e of edits) {
          const target = captions[e.at % captions.length]!;
          captions = e.viaEditor
            ? captionsOf(editText(captions, target.id, e.text))
            : captions.map((c) => (c.id === target.id ? { ...c, text: e.text } : c));
        }
        const reflowed = reflowCaptions(captions, profile);
        assert.equal(allText(reflowed), allText(captions));
        assert.equal(CaptionList.safeParse(reflowed).success, true);
        for (const c of reflowed) assert.ok(c.text.split('\n').length <= profile.max_lines);
      }),
      { numRuns: 100, seed: 20250102 },
    );
  });
});
