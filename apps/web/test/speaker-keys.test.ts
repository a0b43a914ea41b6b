import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Caption, CaptionSpeaker } from '@ecg/contracts';
import { en } from '../src/i18n/en.js';
import { ko } from '../src/i18n/ko.js';
import { formatDuration } from '../src/lib/format.js';
import { NEW_SPEAKER } from '../src/lib/speaker-edits.js';
import { isMacPlatform, speakerKey, speakerKeyModifier, speakerKeyTarget, type SpeakerKeyPress } from '../src/lib/speaker-keys.js';
import { speakerTalkTime } from '../src/lib/speaker-talk-time.js';

const A = 'SPEAKER_00';
const B = 'SPEAKER_01';
const C = 'SPEAKER_02';
const SPEAKERS: CaptionSpeaker[] = [
  { id: A, name: 'Ana' },
  { id: B, name: 'Ben' },
  { id: C, name: 'Cy' },
];

function press(code: string, mods: Partial<Omit<SpeakerKeyPress, 'code'>> = {}): SpeakerKeyPress {
  return { code, altKey: false, ctrlKey: false, metaKey: false, shiftKey: false, ...mods };
}

describe('speaker shortcuts', () => {
  test('Alt+1…9 name the speakers in list order and Alt+0 a new one, off macOS', () => {
    assert.deepEqual(speakerKey(press('Digit1', { altKey: true }), false), { kind: 'speaker', index: 0 });
    assert.deepEqual(speakerKey(press('Digit9', { altKey: true }), false), { kind: 'speaker', index: 8 });
    assert.deepEqual(speakerKey(press('Numpad3', { altKey: true }), false), { kind: 'speaker', index: 2 });
    assert.deepEqual(speakerKey(press('Digit0', { altKey: true }), false), { kind: 'new' });
  });

  test('on macOS the chord is Ctrl+Option: Option+digit alone types a character there', () => {
    assert.equal(speakerKey(press('Digit1', { altKey: true }), true), null);
    assert.deepEqual(speakerKey(press('Digit1', { altKey: true, ctrlKey: true }), true), { kind: 'speaker', index: 0 });
    assert.deepEqual(speakerKey(press('Digit0', { altKey: true, ctrlKey: true }), true), { kind: 'new' });
  });

  test('Ctrl+Alt off macOS is AltGr, which types characters: not a shortcut', () => {
    assert.equal(speakerKey(press('Digit2', { altKey: true, ctrlKey: true }), false), null);
  });

  test('other chords, other keys and an IME composition are not shortcuts', () => {
    assert.equal(speakerKey(press('Digit1'), false), null, 'a plain digit types');
    assert.equal(speakerKey(press('Digit1', { ctrlKey: true }), false), null);
    assert.equal(speakerKey(press('Digit1', { altKey: true, shiftKey: true }), false), null);
    assert.equal(speakerKey(press('Digit1', { altKey: true, metaKey: true }), false), null);
    assert.equal(speakerKey(press('KeyA', { altKey: true }), false), null);
    assert.equal(speakerKey(press('Digit1', { altKey: true, isComposing: true }), false), null);
  });

  test('the physical key counts, not the character: AZERTY’s 1 key is "&" unshifted', () => {
    // KeyboardEvent.code is the key's place, whatever the layout prints on it; `key` plays no part.
    assert.deepEqual(speakerKey({ ...press('Digit1', { altKey: true }), key: '&' } as SpeakerKeyPress, false), { kind: 'speaker', index: 0 });
  });

  test('the target is the speaker at that place, a new speaker for 0, none past the list', () => {
    assert.equal(speakerKeyTarget({ kind: 'speaker', index: 1 }, SPEAKERS), B);
    assert.equal(speakerKeyTarget({ kind: 'new' }, SPEAKERS), NEW_SPEAKER);
    assert.equal(speakerKeyTarget({ kind: 'speaker', index: 4 }, SPEAKERS), null);
  });

  test('macOS is told apart by its platform names', () => {
    assert.equal(isMacPlatform('MacIntel'), true);
    assert.equal(isMacPlatform('macOS'), true);
    assert.equal(isMacPlatform('iPad'), true);
    assert.equal(isMacPlatform('Win32'), false);
    assert.equal(isMacPlatform('Linux x86_64'), false);
    assert.equal(speakerKeyModifier(true), 'Ctrl+Option');
    assert.equal(speakerKeyModifier(false), 'Alt');
  });

  test('the shortcuts line names the chord in both languages', () => {
    for (const messages of [en, ko]) {
      assert.ok(messages['editor.shortcuts'].includes('{mod}+1…9') && messages['editor.shortcuts'].includes('{mod}+0'), messages['editor.shortcuts']);
    }
  });
});

/** A caption of words one second long each, with a second's pause between them, spoken by `who[k]`. */
function caption(id: string, start: number, who: readonly string[]): Caption {
  const words = who.map((s, k) => ({ word: ` w${k}`, start: start + 2 * k, end: start + 2 * k + 1, speaker: s }));
  return { id, start, end: start + 2 * who.length - 1, text: words.map((w) => w.word.trim()).join(' '), words, speaker: who[0] };
}

describe('talk time', () => {
  test('sums each speaker’s word durations, pauses left out, across captions', () => {
    const t = speakerTalkTime([caption('1', 0, [A, A, A]), caption('2', 10, [B, B]), caption('3', 20, [A])]);
    assert.equal(t.get(A), 4);
    assert.equal(t.get(B), 2);
    assert.equal(t.has(C), false);
  });

  test('a two-speaker caption counts each speaker’s own words', () => {
    const t = speakerTalkTime([caption('1', 0, [A, A, B])]);
    assert.equal(t.get(A), 2);
    assert.equal(t.get(B), 1);
  });

  test('a word without a speaker is its caption’s; a caption without words counts its span', () => {
    const c = caption('1', 0, [A, A]);
    const unnamed = { ...c, words: c.words.map((w, k) => (k === 1 ? { word: w.word, start: w.start, end: w.end } : w)) };
    const typed: Caption = { id: '2', start: 10, end: 13.5, text: 'typed by hand', words: [], speaker: B };
    const t = speakerTalkTime([unnamed, typed]);
    assert.equal(t.get(A), 2);
    assert.equal(t.get(B), 3.5);
  });

  test('a caption without a speaker adds to nobody', () => {
    const t = speakerTalkTime([{ id: '1', start: 0, end: 3, text: 'no one', words: [] }]);
    assert.equal(t.size, 0);
  });

  test('reads to the second below an hour, in the locale’s words', () => {
    assert.equal(formatDuration(45, 'en'), '45 sec');
    assert.equal(formatDuration(72, 'en'), '1 min 12 sec');
    assert.equal(formatDuration(120, 'en'), '2 min');
    assert.equal(formatDuration(3900, 'en'), '1 hr 5 min');
    assert.equal(formatDuration(72, 'ko'), '1분 12초');
    assert.equal(formatDuration(0.4, 'en'), '0 sec');
  });

  test('the panel line joins the caption count and the time in both languages', () => {
    assert.equal(en['speakers.countTime'].replace('{captions}', '3 captions').replace('{time}', '1 min 12 sec'), '3 captions · 1 min 12 sec spoken');
    assert.ok(ko['speakers.countTime'].includes('{captions}') && ko['speakers.countTime'].includes('{time}'));
  });
});
