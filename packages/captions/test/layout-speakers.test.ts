import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CaptionList, type Caption, type CaptionWord, type TranscriptResult } from '@ecg/contracts';
import { captionProfile, checkCaptions, fromTranscript, layoutCaptions, reflowCaptions, speakerLines } from '../src/index.js';

/*
 * Speakers in the layout (issue 10): a speaker change starts a new caption,
 * except a short exchange that would flash as two captions, which becomes
 * one dash caption, one line per speaker.
 */

const en = captionProfile('en');
const A = 'SPEAKER_00';
const B = 'SPEAKER_01';

const said = (spec: ReadonlyArray<readonly [string, number, number, string?]>): CaptionWord[] =>
  spec.map(([word, start, end, speaker]) => (speaker === undefined ? { word, start, end } : { word, start, end, speaker }));
const texts = (captions: readonly Caption[]): string[] => captions.map((c) => c.text);

/** Whether every line of every caption has one speaker, and no caption has more than two. */
function onePerLine(captions: readonly Caption[]): boolean {
  return captions.every((c) => {
    const lines = speakerLines(c);
    const byLine = c.text.split('\n').map((line) => new Set(c.words.filter((w) => line.includes(w.word.trim())).map((w) => w.speaker)));
    return new Set(lines.map((l) => l.speaker)).size <= 2 && byLine.every((set) => set.size <= 1);
  });
}

describe('layout with speakers', () => {
  test('a speaker change inside a Whisper segment splits the caption', () => {
    // One segment, as Whisper gives it, said by two people; the diarizer names each word.
    const words = said([
      [' I', 0, 0.2, A], [' think', 0.2, 0.5, A], [' we', 0.5, 0.6, A], [' should', 0.6, 0.9, A], [' go', 0.9, 1.2, A], [' now.', 1.2, 1.6, A],
      [' Not', 1.8, 2.0, B], [' before', 2.0, 2.3, B], [' we', 2.3, 2.4, B], [' finish', 2.4, 2.8, B], [' the', 2.8, 2.9, B], [' report.', 2.9, 3.5, B],
    ]);
    const transcript: TranscriptResult = {
      text: ' I think we should go now. Not before we finish the report.',
      language: 'en',
      segments: [{ id: 0, start: 0, end: 3.5, text: ' I think we should go now. Not before we finish the report.', words: words.map((w) => ({ ...w, probability: 0.9 })), speaker: A }],
    };
    const derived = fromTranscript(transcript);
    assert.equal(derived.length, 1, 'one segment, one caption before the layout');
    assert.equal(derived[0]!.speaker, A);
    const captions = reflowCaptions(derived, en);
    assert.deepEqual(texts(captions), ['I think we should go now.', 'Not before we finish the report.']);
    assert.deepEqual(captions.map((c) => c.speaker), [A, B]);
    assert.deepEqual(captions.map((c) => c.words.map((w) => w.speaker)), [Array(6).fill(A), Array(6).fill(B)]);
    assert.equal(CaptionList.safeParse(captions).success, true);
  });

  test('cuts at a speaker change even where the text reads on without a break', () => {
    // No punctuation, no pause: without speakers this is one caption.
    const spec = [[' so', 0, 0.3], [' what', 0.3, 0.6], [' do', 0.6, 0.8], [' you', 0.8, 1.0], [' think', 1.0, 1.3], [' about', 1.3, 1.6], [' it', 1.6, 1.8], [' honestly', 1.8, 2.3], [' I', 2.3, 2.4], [' have', 2.4, 2.6], [' no', 2.6, 2.8], [' idea', 2.8, 3.3]] as const;
    assert.equal(layoutCaptions(said(spec), en).length, 1);
    const words = said(spec.map(([w, s, e], k) => [w, s, e, k < 8 ? A : B] as const));
    assert.deepEqual(texts(layoutCaptions(words, en)), ['so what do you think about it honestly', 'I have no idea']);
  });

  test('a quick exchange becomes one dash caption, one line per speaker, instead of two captions that flash', () => {
    // "Yes?" and "No." each last 0.3 s, 0.2 s apart; the next words come 2 s later.
    const words = said([[' Yes?', 0, 0.3, A], [' No.', 0.5, 0.8, B], [' Why', 3, 3.3, A], [' not?', 3.3, 3.7, A]]);
    const captions = layoutCaptions(words, en);
    assert.deepEqual(texts(captions), ['Yes?\nNo.', 'Why not?']);
    assert.deepEqual(speakerLines(captions[0]!), [
      { text: 'Yes?', speaker: A },
      { text: 'No.', speaker: B },
    ]);
    assert.equal(captions[0]!.speaker, A);
    // No flicker: every caption stays up for the profile's minimum duration.
    assert.deepEqual(checkCaptions(captions, en), []);
    assert.ok(captions.every((c) => c.end - c.start >= en.min_duration));
  });

  test('two speakers each with time to be read get a caption each, however short', () => {
    const words = said([[' Yes?', 0, 0.3, A], [' No.', 2.5, 2.8, B]]);
    assert.deepEqual(texts(layoutCaptions(words, en)), ['Yes?', 'No.']);
  });

  test('a rapid back-and-forth never holds three speakers or two changes in a caption', () => {
    const words = said([
      [' Yes?', 0, 0.2, A], [' No.', 0.3, 0.5, B], [' Yes!', 0.6, 0.8, A], [' No!', 0.9, 1.1, B], [' Fine.', 1.2, 1.5, 'SPEAKER_02'], [' Stop.', 1.6, 1.9, A],
    ]);
    const captions = layoutCaptions(words, en);
    assert.equal(captions.flatMap((c) => c.words).length, words.length);
    assert.ok(onePerLine(captions), JSON.stringify(texts(captions)));
    assert.ok(captions.every((c) => c.text.split('\n').length <= 2));
  });

  test('no dash caption where a profile allows one line only', () => {
    const oneLine = { ...en, max_lines: 1 };
    const words = said([[' Yes?', 0, 0.3, A], [' No.', 0.5, 0.8, B], [' Why', 3, 3.3, A]]);
    assert.deepEqual(texts(layoutCaptions(words, oneLine)), ['Yes?', 'No.', 'Why']);
  });

  test('a dash caption holds one line per speaker: a reply longer than a line goes on in the next caption', () => {
    const reply = 'we will have to take the long way round then, or we will be late again';
    const words = said([[' Yes?', 0, 0.3, A], ...reply.split(' ').map((w, k) => [` ${w}`, 0.5 + k * 0.25, 0.7 + k * 0.25, B] as const)]);
    const captions = layoutCaptions(words, en);
    const [first, ...rest] = captions;
    assert.deepEqual(speakerLines(first!).map((l) => l.speaker), [A, B]);
    assert.equal(first!.text.split('\n')[0], 'Yes?');
    assert.ok(rest.length > 0 && rest.every((c) => c.speaker === B && c.words.every((w) => w.speaker === B)));
    assert.ok(onePerLine(captions));
    assert.deepEqual(checkCaptions(captions, en).filter((i) => i.rule === 'line_too_long' || i.rule === 'too_many_lines'), []);
  });

  test('words without a speaker go with the speaker before them, and the turns still fill in for older transcripts', () => {
    const words = said([[' one', 0, 0.4, A], [' two', 0.4, 0.8], [' three', 2.8, 3.2, B], [' four', 3.2, 3.6]]);
    const captions = layoutCaptions(words, en);
    assert.deepEqual(texts(captions), ['one two', 'three four']);
    const bare = said([[' one', 0, 0.4], [' two', 0.4, 0.8], [' three', 0.8, 1.2], [' four', 1.2, 1.6]]);
    const turns = [{ start: 0, end: 0.8, speaker: A }, { start: 0.8, end: 2, speaker: B }];
    const fromTurns = layoutCaptions(bare, en, { speakers: turns });
    assert.deepEqual(texts(fromTurns), ['one two', 'three four']);
    assert.deepEqual(fromTurns.map((c) => c.speaker), [A, B], 'a turn gives the caption its speaker');
  });

  test('reflow keeps a dash caption and the speakers of words that had only their caption speaker', () => {
    const saved: Caption[] = [
      { id: 'c0', start: 0, end: 0.4, text: 'Yes?', words: [{ word: 'Yes?', start: 0, end: 0.3 }], speaker: A },
      { id: 'c1', start: 0.5, end: 0.9, text: 'No.', words: [{ word: ' No.', start: 0.5, end: 0.8 }], speaker: B },
      { id: 'c2', start: 3, end: 4, text: 'Why not?', words: [], speaker: A },
    ];
    const captions = reflowCaptions(saved, en);
    assert.deepEqual(texts(captions), ['Yes?\nNo.', 'Why not?']);
    assert.deepEqual(captions.map((c) => c.words.map((w) => w.speaker)), [[A, B], [A, A]]);
  });

  test('captions without speakers are laid out exactly as before, with no speaker field', () => {
    const words = said([[' Yes?', 0, 0.3], [' No.', 0.5, 0.8], [' Why', 3, 3.3], [' not?', 3.3, 3.7]]);
    const captions = layoutCaptions(words, en);
    assert.deepEqual(texts(captions), ['Yes? No.', 'Why not?']);
    assert.ok(captions.every((c) => !('speaker' in c)));
  });
});
