import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SPEAKER_COLORS } from '@ecg/captions';
import { CaptionList, RequestProcessRequest, type Caption, type CaptionSpeaker } from '@ecg/contracts';
import { speakerTint } from '../src/lib/expressive-style.js';
import { readSpeakerCount, SPEAKER_COUNT_CHOICES, speakerCountRequest } from '../src/lib/speaker-count.js';
import {
  canAddSpeaker,
  captionSpeakerIds,
  captionsShownFor,
  filterAfterMerge,
  giveToSpeaker,
  mergeInState,
  namesFor,
  NEW_SPEAKER,
  renameInState,
  speakerCaptionCounts,
  speakerRefusalKey,
  type SpeakerState,
} from '../src/lib/speaker-edits.js';

const A = 'SPEAKER_00';
const B = 'SPEAKER_01';
const C = 'SPEAKER_02';

/** A caption whose words (one a second) are spoken by `who[k]`, the caption opened by the first. */
function caption(id: string, text: string, start: number, who: readonly string[]): Caption {
  const tokens = text.replace(/\n/g, ' ').split(' ');
  const words = tokens.map((w, k) => ({ word: k === 0 ? w : ` ${w}`, start: start + k, end: start + k + 1, speaker: who[k] ?? who[0]! }));
  return { id, start, end: start + tokens.length, text, words, speaker: who[0]! };
}

function state(): SpeakerState {
  return {
    captions: [caption('c0', 'Good evening everyone', 0, [A]), caption('c1', 'Thank you very much', 4, [B]), caption('c2', 'So tell us', 9, [A])],
    speakers: [
      { id: A, name: 'Speaker 1' },
      { id: B, name: 'Speaker 2' },
    ],
  };
}

function edited(r: ReturnType<typeof giveToSpeaker>): SpeakerState & { speaker: CaptionSpeaker } {
  assert.equal(r.ok, true, r.ok ? '' : `refused: ${r.reason}`);
  if (!r.ok) throw new Error('unreachable');
  return { ...r.state, speaker: r.speaker };
}

describe('upload form: number of speakers', () => {
  test('offers auto and 1 to 10, and sends num_speakers only for a count', () => {
    assert.deepEqual(SPEAKER_COUNT_CHOICES, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    assert.deepEqual(speakerCountRequest('auto'), {});
    assert.deepEqual(speakerCountRequest(3), { num_speakers: 3 });
    const body = { fileKey: 'uploads/x.mp4', ...speakerCountRequest(readSpeakerCount('2')) };
    assert.equal(RequestProcessRequest.safeParse(body).success, true, 'request-process takes it');
  });

  test('reads a select value as a count it offers, anything else as auto', () => {
    assert.equal(readSpeakerCount('4'), 4);
    assert.equal(readSpeakerCount('auto'), 'auto');
    assert.equal(readSpeakerCount('0'), 'auto');
    assert.equal(readSpeakerCount('11'), 'auto');
    assert.equal(readSpeakerCount('2.5'), 'auto');
    assert.equal(readSpeakerCount(''), 'auto');
  });
});

describe('editor: speaker edits as one state change', () => {
  test('gives a whole caption to another speaker, names unchanged', () => {
    const before = state();
    const after = edited(giveToSpeaker(before, 'c2', B));
    assert.deepEqual(captionSpeakerIds(after.captions[2]!), [B]);
    assert.ok(after.captions[2]!.words.every((w) => w.speaker === B));
    assert.equal(after.speakers, before.speakers, 'no new name, so the same list');
    assert.deepEqual(after.speaker, { id: B, name: 'Speaker 2' });
    assert.deepEqual(before.captions[2]!.speaker, A, 'the state before is left as it was (undo needs it)');
  });

  test('gives a caption to a new speaker, named after its id, and the result saves', () => {
    const after = edited(giveToSpeaker(state(), 'c1', NEW_SPEAKER));
    assert.deepEqual(after.speaker, { id: C, name: 'Speaker 3' });
    assert.deepEqual(after.speakers.map((s) => s.id), [A, B, C]);
    assert.deepEqual(captionSpeakerIds(after.captions[1]!), [C]);
    assert.equal(CaptionList.safeParse(after.captions).success, true);
  });

  test('gives the words from the cursor on to another speaker: one caption, one speaker a line', () => {
    const at = 'Good evening '.length;
    const after = edited(giveToSpeaker(state(), 'c0', NEW_SPEAKER, at));
    assert.equal(after.captions.length, 3, 'a one-line caption takes a line break, not a split');
    const c0 = after.captions[0]!;
    assert.equal(c0.text, 'Good evening\neveryone');
    assert.deepEqual(c0.words.map((w) => w.speaker), [A, A, C]);
    assert.deepEqual(captionSpeakerIds(c0), [A, C]);
  });

  test('refuses a cursor after the last word, and a new speaker past the limit of 32', () => {
    const s = state();
    const r = giveToSpeaker(s, 'c0', B, s.captions[0]!.text.length);
    assert.deepEqual(r, { ok: false, reason: 'SPLIT_AT_EDGE' });
    assert.equal(speakerRefusalKey('SPLIT_AT_EDGE'), 'speakers.cursorAtEnd', 'explained as a speaker edit, not a split');
    const full: SpeakerState = { ...s, speakers: Array.from({ length: 32 }, (_, i) => ({ id: `SPEAKER_${String(i).padStart(2, '0')}`, name: `P${i}` })) };
    assert.equal(canAddSpeaker(full), false);
    assert.deepEqual(giveToSpeaker(full, 'c0', NEW_SPEAKER), { ok: false, reason: 'TOO_MANY_SPEAKERS' });
    assert.equal(speakerRefusalKey('TOO_MANY_SPEAKERS'), 'speakers.tooMany');
    assert.equal(speakerRefusalKey('CAPTION_NOT_FOUND'), 'refusal.CAPTION_NOT_FOUND');
  });

  test('renames everywhere at once in the list only; refuses an empty name; an unchanged name is no step', () => {
    const before = state();
    const after = renameInState(before, A, '  김민수 ');
    assert.ok(after);
    assert.deepEqual(after.speakers[0], { id: A, name: '김민수' });
    assert.equal(after.captions, before.captions, 'captions name speakers by id, so they stay as they are');
    assert.equal(renameInState(before, A, '   '), null);
    assert.equal(renameInState(before, B, 'Speaker 2'), before, 'same name: the same state, so no undo step');
  });

  test('keeps the list as it is after an edit that mentions no new speaker, adds a name for one that does', () => {
    const s = state();
    assert.equal(namesFor(s.captions, s.speakers), s.speakers);
    const typed: Caption = { id: 'c3', start: 20, end: 21, text: 'Hi', words: [], speaker: 'SPEAKER_04' };
    assert.deepEqual(namesFor([...s.captions, typed], s.speakers).at(-1), { id: 'SPEAKER_04', name: 'Speaker 5' });
  });

  test('counts captions per speaker and filters the list by one (a two-speaker caption shows under both)', () => {
    const s = edited(giveToSpeaker(state(), 'c0', B, 'Good evening '.length));
    assert.deepEqual([...speakerCaptionCounts(s.captions)], [
      [A, 2],
      [B, 2],
    ]);
    assert.equal(captionsShownFor(s.captions, null), null, 'no filter: everything shows');
    assert.deepEqual([...captionsShownFor(s.captions, B)!], ['c0', 'c1']);
    assert.deepEqual([...captionsShownFor(s.captions, A)!], ['c0', 'c2']);
    assert.deepEqual([...captionsShownFor(s.captions, C)!], []);
  });
});

describe('editor: merging speakers as one state change', () => {
  test('merges one speaker into another in captions and names at once, leaving the state before as it was', () => {
    const before = edited(giveToSpeaker(state(), 'c0', B, 'Good evening '.length));
    const after = mergeInState(before, B, A);
    assert.ok(after);
    assert.deepEqual(after.speakers, [{ id: A, name: 'Speaker 1' }]);
    assert.deepEqual(after.captions.map(captionSpeakerIds), [[A], [A], [A]]);
    assert.equal(after.captions[0]!.text, 'Good evening\neveryone', 'the two-speaker caption keeps its lines');
    assert.deepEqual([...speakerCaptionCounts(after.captions)], [[A, 3]]);
    assert.equal(namesFor(after.captions, after.speakers), after.speakers, 'nothing brings the merged name back');
    assert.deepEqual(before.speakers.map((s) => s.id), [A, B], 'undo needs the state before');
    assert.deepEqual(captionSpeakerIds(before.captions[1]!), [B]);
    assert.equal(CaptionList.safeParse(after.captions).success, true);
  });

  test('refuses a merge into itself or with a speaker no longer in the list', () => {
    assert.equal(mergeInState(state(), A, A), null);
    assert.equal(mergeInState(state(), C, A), null);
    assert.equal(mergeInState(state(), A, C), null);
  });

  test('a filter on the merged speaker moves to the target; any other filter stays', () => {
    assert.equal(filterAfterMerge(B, B, A), A);
    assert.equal(filterAfterMerge(C, B, A), C);
    assert.equal(filterAfterMerge(null, B, A), null);
  });
});

describe('expressive preview: speaker colours', () => {
  test('colours words by speaker only when the job has more than one', () => {
    const two = state().speakers;
    assert.equal(speakerTint(two, A), SPEAKER_COLORS[0]);
    assert.equal(speakerTint(two, B), SPEAKER_COLORS[1]);
    assert.notEqual(speakerTint(two, A), speakerTint(two, B));
    assert.equal(speakerTint(two.slice(0, 1), A), undefined, 'one speaker: the plain look');
    assert.equal(speakerTint(two, undefined), undefined, 'a word nobody is said to speak');
  });
});
