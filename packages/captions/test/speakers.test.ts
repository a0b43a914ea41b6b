import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CaptionList, type Caption, type CaptionWord } from '@ecg/contracts';
import {
  SPEAKER_COLORS,
  captionFields,
  fromTranscript,
  defaultSpeakerName,
  documentSpeakers,
  editText,
  mergeSpeakers,
  mergeWithNext,
  nextSpeakerId,
  reassignCaption,
  reassignFrom,
  renameSpeaker,
  speakerColor,
  speakerIdsOf,
  speakerLines,
  speakerName,
  speakerTurnsOf,
  splitCaption,
  type EditResult,
} from '../src/index.js';

function captionsOf(result: EditResult): Caption[] {
  assert.equal(result.ok, true, result.ok ? '' : `refused: ${result.reason}`);
  return result.ok ? result.captions : [];
}

/** Words spelling `text` one per second from `start`, each spoken by the speaker its index maps to. */
function wordsOf(text: string, start: number, speakers: readonly string[]): CaptionWord[] {
  return text.split(/\s+/).map((w, k) => ({ word: k === 0 ? w : ` ${w}`, start: start + k, end: start + k + 1, speaker: speakers[k]! }));
}

function caption(id: string, text: string, start: number, speakers: readonly string[], extra: Partial<Caption> = {}): Caption {
  const words = wordsOf(text.replace(/\n/g, ' '), start, speakers);
  return { id, start, end: start + words.length, text, words, speaker: speakers[0]!, ...extra };
}

const A = 'SPEAKER_00';
const B = 'SPEAKER_01';
const C = 'SPEAKER_02';

describe('speaker names and ids', () => {
  test('names speakers Speaker 1, Speaker 2, … from their ids until renamed', () => {
    assert.equal(defaultSpeakerName('SPEAKER_00'), 'Speaker 1');
    assert.equal(defaultSpeakerName('SPEAKER_11'), 'Speaker 12');
    assert.equal(speakerName([{ id: B, name: 'Ana' }], B), 'Ana');
    assert.equal(speakerName([{ id: B, name: 'Ana' }], A), 'Speaker 1');
    assert.equal(speakerName(undefined, C), 'Speaker 3');
  });

  test('lists the speakers the captions mention in order of first appearance', () => {
    const captions = [caption('c0', 'one two', 0, [B, A]), caption('c1', 'three', 2, [C]), { id: 'c2', start: 3, end: 4, text: 'typed', words: [], speaker: 'SPEAKER_05' }];
    assert.deepEqual(speakerIdsOf(captions), [B, A, C, 'SPEAKER_05']);
    assert.deepEqual(speakerIdsOf([{ id: 'c0', start: 0, end: 1, text: 'x', words: [] }]), []);
  });

  test('keeps saved names, also of speakers no longer mentioned, and adds new ones after them', () => {
    const captions = [caption('c0', 'one two', 0, [C, A])];
    const saved = [{ id: B, name: 'Ben' }, { id: A, name: 'Ana' }];
    assert.deepEqual(documentSpeakers(captions, saved), [
      { id: B, name: 'Ben' },
      { id: A, name: 'Ana' },
      { id: C, name: 'Speaker 3' },
    ]);
    assert.deepEqual(documentSpeakers(captions), [
      { id: C, name: 'Speaker 3' },
      { id: A, name: 'Speaker 1' },
    ]);
  });

  test('makes the next speaker id after every id in use, in the list or in the captions', () => {
    assert.equal(nextSpeakerId([], []), 'SPEAKER_00');
    assert.equal(nextSpeakerId([{ id: C, name: 'x' }], [caption('c0', 'a', 0, [A])]), 'SPEAKER_03');
    assert.equal(nextSpeakerId([{ id: A, name: 'x' }], [caption('c0', 'a', 0, ['SPEAKER_09'])]), 'SPEAKER_10');
  });

  test('renames a speaker, tidying the name, adding the entry when missing, refusing an empty name', () => {
    const list = [{ id: A, name: 'Speaker 1' }, { id: B, name: 'Speaker 2' }];
    assert.deepEqual(renameSpeaker(list, B, '  Dr.   Ana\nRuiz '), [{ id: A, name: 'Speaker 1' }, { id: B, name: 'Dr. Ana Ruiz' }]);
    assert.deepEqual(renameSpeaker(list, C, 'Cleo'), [...list, { id: C, name: 'Cleo' }]);
    assert.equal(renameSpeaker(list, A, '   '), null);
    assert.equal(renameSpeaker(list, A, 'x'.repeat(101)), null);
    assert.deepEqual(list, [{ id: A, name: 'Speaker 1' }, { id: B, name: 'Speaker 2' }], 'the input list is not changed');
  });
});

describe('reassigning speakers', () => {
  const two = [caption('c0', 'hello there my friend', 0, [A, A, A, A]), caption('c1', 'fine', 4, [A])];

  test('reassigns a whole caption and all its words', () => {
    const [c0] = captionsOf(reassignCaption(two, 'c0', B));
    assert.equal(c0!.speaker, B);
    assert.deepEqual(c0!.words.map((w) => w.speaker), [B, B, B, B]);
    assert.equal(reassignCaption(two, 'nope', B).ok, false);
  });

  test('a cursor at 0 reassigns the whole caption', () => {
    assert.deepEqual(captionsOf(reassignFrom(two, 'c0', 0, B)), captionsOf(reassignCaption(two, 'c0', B)));
  });

  test('a change inside a one-line caption puts a line break at the cursor: one line per speaker', () => {
    const out = captionsOf(reassignFrom(two, 'c0', 'hello there '.length, B));
    assert.equal(out.length, 2);
    assert.equal(out[0]!.text, 'hello there\nmy friend');
    assert.deepEqual(out[0]!.words.map((w) => w.speaker), [A, A, B, B]);
    assert.equal(out[0]!.speaker, A);
    assert.deepEqual(speakerLines(out[0]!), [
      { text: 'hello there', speaker: A },
      { text: 'my friend', speaker: B },
    ]);
    assert.equal(CaptionList.safeParse(out).success, true);
  });

  test('a cursor inside a word puts the break before or after the word, by the side holding its middle', () => {
    // "th|ere": the cursor is before the middle of "there", so "there" goes to the new speaker; "the|re" is past it.
    assert.equal(captionsOf(reassignFrom(two, 'c0', 'hello th'.length, B))[0]!.text, 'hello\nthere my friend');
    assert.equal(captionsOf(reassignFrom(two, 'c0', 'hello the'.length, B))[0]!.text, 'hello there\nmy friend');
  });

  test('a change inside a two-line caption splits it at the cursor; the second caption is spoken by the new speaker', () => {
    const lines = [caption('c0', 'hello there\nmy friend', 0, [A, A, A, A])];
    const out = captionsOf(reassignFrom(lines, 'c0', 'hello there\nmy '.length, B));
    assert.deepEqual(out.map((c) => c.text), ['hello there\nmy', 'friend']);
    assert.deepEqual(out.map((c) => c.speaker), [A, B]);
    assert.deepEqual(out[1]!.words.map((w) => w.speaker), [B]);
    assert.equal(out[1]!.start, 3, 'the cut is the first reassigned word start');
  });

  test('a change at the line break of a two-line caption only changes the second line', () => {
    const lines = [caption('c0', 'hello there\nmy friend', 0, [A, A, A, A])];
    const out = captionsOf(reassignFrom(lines, 'c0', 'hello there\n'.length, B));
    assert.equal(out.length, 1);
    assert.deepEqual(speakerLines(out[0]!).map((l) => l.speaker), [A, B]);
  });

  test('a change that would need a third speaker line splits instead', () => {
    // A one-line caption already holding two speakers (from an old save): a break would leave line 1 mixed.
    const mixed = [caption('c0', 'yes no maybe so', 0, [A, B, B, B])];
    const out = captionsOf(reassignFrom(mixed, 'c0', 'yes no '.length, C));
    assert.deepEqual(out.map((c) => c.text), ['yes no', 'maybe so']);
    assert.deepEqual(out.map((c) => c.speaker), [A, C]);
  });

  test('a caption without words is split, the new part spoken by the new speaker', () => {
    const typed: Caption[] = [{ id: 'c0', start: 0, end: 4, text: 'hello there friend', words: [], speaker: A }];
    const out = captionsOf(reassignFrom(typed, 'c0', 'hello there '.length, B));
    assert.deepEqual(out.map((c) => [c.text, c.speaker]), [['hello there', A], ['friend', B]]);
  });

  test('a cursor after the last word reassigns nothing and says so', () => {
    const r = reassignFrom(two, 'c0', 'hello there my friend'.length, B);
    assert.deepEqual(r, { ok: false, reason: 'SPLIT_AT_EDGE' });
    assert.deepEqual(reassignFrom(two, 'c9', 1, B), { ok: false, reason: 'CAPTION_NOT_FOUND' });
  });

  test('refuses to write something that is not a speaker id', () => {
    assert.throws(() => reassignCaption(two, 'c0', 'Bob'), RangeError);
  });
});

describe('merging speakers', () => {
  const names = [{ id: A, name: 'Ana' }, { id: B, name: 'Ben' }, { id: C, name: 'Speaker 3' }];

  test('gives every word and caption of one speaker to another and drops its name, keeping the other names and order', () => {
    const captions = [caption('c0', 'hello there', 0, [A, A]), caption('c1', 'yes\nno', 2, [C, B]), caption('c2', 'fine', 4, [C])];
    const out = mergeSpeakers(captions, names, C, A);
    assert.ok(out);
    assert.deepEqual(out.speakers, [{ id: A, name: 'Ana' }, { id: B, name: 'Ben' }]);
    assert.deepEqual(out.captions.map((c) => [c.speaker, c.words.map((w) => w.speaker)]), [
      [A, [A, A]],
      [A, [A, B]],
      [A, [A]],
    ]);
    assert.deepEqual(speakerIdsOf(out.captions), [A, B], 'no caption mentions the merged speaker');
    assert.equal(out.captions[0], captions[0], 'an untouched caption is the same object');
    assert.equal(captions[2]!.speaker, C, 'the input is not changed (undo needs it)');
    assert.equal(names.length, 3);
    assert.equal(CaptionList.safeParse(out.captions).success, true);
  });

  test('a two-speaker caption whose lines now share a speaker is a one-speaker two-line caption, text untouched', () => {
    const dash = [caption('c0', 'Yes?\nNo.', 0, [A, B])];
    const out = mergeSpeakers(dash, names, B, A)!;
    assert.equal(out.captions[0]!.text, 'Yes?\nNo.');
    assert.deepEqual(speakerLines(out.captions[0]!), [
      { text: 'Yes?', speaker: A },
      { text: 'No.', speaker: A },
    ]);
    assert.deepEqual(speakerTurnsOf(out.captions), [{ start: 0, end: 2, speaker: A }], 'one turn now');
  });

  test('leaves neighbouring captions of the now one speaker as separate captions', () => {
    const out = mergeSpeakers([caption('c0', 'one', 0, [A]), caption('c1', 'two', 1, [B])], names, B, A)!;
    assert.deepEqual(out.captions.map((c) => [c.id, c.text, c.speaker]), [['c0', 'one', A], ['c1', 'two', A]]);
  });

  test('a caption without words and words without their own speaker follow the caption', () => {
    const typed: Caption = { id: 'c0', start: 0, end: 1, text: 'typed', words: [], speaker: B };
    const bare: Caption = { id: 'c1', start: 1, end: 2, text: 'bare', words: [{ word: 'bare', start: 1, end: 2 }], speaker: B };
    const out = mergeSpeakers([typed, bare], names, B, C)!;
    assert.deepEqual(out.captions.map((c) => c.speaker), [C, C]);
    assert.deepEqual(speakerTurnsOf(out.captions).map((t) => t.speaker), [C]);
  });

  test('captions without speakers stay without', () => {
    const plain: Caption = { id: 'c0', start: 0, end: 1, text: 'x', words: [{ word: 'x', start: 0, end: 1 }] };
    const out = mergeSpeakers([plain], names, B, A)!;
    assert.equal(out.captions[0], plain);
    assert.ok(!('speaker' in out.captions[0]!));
  });

  test('refuses a merge into itself, an id not in the list and something that is not a speaker id', () => {
    const captions = [caption('c0', 'one', 0, [A])];
    assert.equal(mergeSpeakers(captions, names, A, A), null);
    assert.equal(mergeSpeakers(captions, names, 'SPEAKER_07', A), null, 'from is not in the list');
    assert.equal(mergeSpeakers(captions, names, A, 'SPEAKER_07'), null, 'into is not in the list');
    assert.equal(mergeSpeakers(captions, [...names, { id: 'Bob', name: 'Bob' }], 'Bob', A), null);
    assert.equal(mergeSpeakers(captions, names, A, 'Ana'), null);
  });
});

describe('speakers through split, merge and text edits', () => {
  test('split: each part is opened by its first word speaker', () => {
    const [c0, c1] = captionsOf(splitCaption([caption('c0', 'yes\nno', 0, [A, B])], 'c0', 3));
    assert.equal(c0!.speaker, A);
    assert.equal(c1!.speaker, B);
  });

  test('split of a caption without words keeps its speaker on both parts', () => {
    const typed: Caption[] = [{ id: 'c0', start: 0, end: 2, text: 'one two', words: [], speaker: B }];
    assert.deepEqual(captionsOf(splitCaption(typed, 'c0', 4)).map((c) => c.speaker), [B, B]);
  });

  test('merge: opened by the first speaker, words keep theirs', () => {
    const merged = captionsOf(mergeWithNext([caption('c0', 'yes', 0, [A]), caption('c1', 'no', 1, [B])], 'c0'));
    assert.equal(merged[0]!.speaker, A);
    assert.deepEqual(merged[0]!.words.map((w) => w.speaker), [A, B]);
  });

  test('edited words keep the speaker of the word they replace; inserted ones the speaker before them', () => {
    const c = caption('c0', 'yes\nno way', 0, [A, B, B]);
    const [edited] = captionsOf(editText([c], 'c0', 'yeah\nno more way'));
    assert.deepEqual(edited!.words.map((w) => [w.word.trim(), w.speaker]), [['yeah', A], ['no', B], ['more', B], ['way', B]]);
  });

  test('captions without speakers stay without after every edit', () => {
    const plain: Caption = { id: 'c0', start: 0, end: 2, text: 'one two', words: [{ word: 'one', start: 0, end: 1 }, { word: ' two', start: 1, end: 2 }] };
    const split = captionsOf(splitCaption([plain], 'c0', 4));
    assert.ok(split.every((c) => !('speaker' in c) && c.words.every((w) => !('speaker' in w))));
    const edited = captionsOf(editText([plain], 'c0', 'one three'));
    assert.ok(edited[0]!.words.every((w) => !('speaker' in w)));
  });
});

describe('speakers from a transcript and from stored captions', () => {
  test('opens a caption with its segment speaker, else its first word speaker; words keep theirs', () => {
    const captions = fromTranscript({
      segments: [
        { id: 0, start: 0, end: 2, text: ' yes no', speaker: B, words: [{ word: ' yes', start: 0, end: 1, probability: 0.9, speaker: A }, { word: ' no', start: 1, end: 2, probability: 0.9, speaker: B }] },
        { id: 1, start: 2, end: 3, text: ' fine', words: [{ word: ' fine', start: 2, end: 3, probability: 0.9, speaker: C }] },
        { id: 2, start: 3, end: 4, text: ' plain', words: [{ word: ' plain', start: 3, end: 4, probability: 0.9 }] },
      ],
    });
    assert.deepEqual(captions.map((c) => c.speaker), [B, C, undefined]);
    assert.ok(!('speaker' in captions[2]!));
    assert.deepEqual(captions[0]!.words.map((w) => w.speaker), [A, B]);
  });

  test('keeps a caption speaker that is a speaker id and drops one that is not', () => {
    assert.equal(captionFields({ id: 'c0', start: 0, end: 1, text: 'x', words: [], speaker: A }).speaker, A);
    // A row stored before the field was named may hold anything there.
    const stored = { id: 'c0', start: 0, end: 1, text: 'x', words: [{ word: 'x', start: 0, end: 1, speaker: 'Bob' }], speaker: 'Bob' } as Caption;
    const clean = captionFields(stored);
    assert.ok(!('speaker' in clean) && !('speaker' in clean.words[0]!));
  });
});

describe('speaker lines, turns and colours', () => {
  test('gives each line the speaker of its first word, or the caption speaker without aligned words', () => {
    assert.deepEqual(speakerLines(caption('c0', 'Yes?\nNo.', 0, [A, B])), [
      { text: 'Yes?', speaker: A },
      { text: 'No.', speaker: B },
    ]);
    assert.deepEqual(speakerLines({ id: 'c0', start: 0, end: 1, text: 'typed\nin', words: [], speaker: C }), [
      { text: 'typed', speaker: C },
      { text: 'in', speaker: C },
    ]);
  });

  test('merges consecutive words of one speaker into turns across captions', () => {
    const captions = [caption('c0', 'a b', 0, [A, A]), caption('c1', 'c\nd', 2, [A, B]), caption('c2', 'e', 5, [B])];
    assert.deepEqual(speakerTurnsOf(captions), [
      { start: 0, end: 3, speaker: A },
      { start: 3, end: 6, speaker: B },
    ]);
    assert.deepEqual(speakerTurnsOf([{ id: 'c0', start: 0, end: 1, text: 'x', words: [] }]), []);
  });

  test('colours speakers by their place in the list with 8 distinct colours readable on black and on white', () => {
    const luminance = (hex: string): number => {
      const [r, g, b] = [1, 3, 5].map((i) => {
        const c = parseInt(hex.slice(i, i + 2), 16) / 255;
        return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
    };
    assert.equal(new Set(SPEAKER_COLORS).size, 8);
    for (const colour of SPEAKER_COLORS) {
      assert.match(colour, /^#[0-9a-f]{6}$/);
      const l = luminance(colour);
      assert.ok((l + 0.05) / 0.05 >= 3, `${colour} on black`);
      assert.ok(1.05 / (l + 0.05) >= 3, `${colour} on white`);
    }
    const list = [{ id: C, name: 'x' }, { id: A, name: 'y' }];
    assert.equal(speakerColor(list, C), SPEAKER_COLORS[0]);
    assert.equal(speakerColor(list, A), SPEAKER_COLORS[1]);
    assert.equal(speakerColor([], 'SPEAKER_09'), SPEAKER_COLORS[1], 'cycles after the eighth');
  });
});
