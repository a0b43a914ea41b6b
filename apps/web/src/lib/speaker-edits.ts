import { documentSpeakers, mergeSpeakers, nextSpeakerId, reassignCaption, reassignFrom, renameSpeaker, speakerIdsOf, type EditRefusal } from '@ecg/captions';
import { MAX_SPEAKERS, type Caption, type CaptionSpeaker } from '@ecg/contracts';
import type { MessageKey } from '../i18n/en.js';

/*
 * The editor's speaker edits as one state change each, captions and names
 * together, so the undo history takes a rename or a reassignment back in one
 * step. The speaker rules themselves are @ecg/captions'; this only joins them
 * to the editor's state and makes up the new speaker a menu offers.
 */

/** What the editor's history holds: the captions and the names of their speakers. */
export interface SpeakerState {
  captions: Caption[];
  speakers: CaptionSpeaker[];
}

/** The menus' "new speaker": not an id (ids look like SPEAKER_00), made into one when chosen. */
export const NEW_SPEAKER = 'new';

export type SpeakerEditRefusal = EditRefusal | 'TOO_MANY_SPEAKERS';

export type SpeakerEdit =
  | { ok: true; state: SpeakerState; speaker: CaptionSpeaker }
  | { ok: false; reason: SpeakerEditRefusal };

/**
 * The names after an edit of the captions: every name kept, and a default
 * one for each speaker the captions newly mention. The same array when
 * nothing was added, so an edit that touches no speaker leaves it as it was.
 */
export function namesFor(captions: readonly Caption[], speakers: CaptionSpeaker[]): CaptionSpeaker[] {
  const next = documentSpeakers(captions, speakers);
  // documentSpeakers keeps every saved entry in order and only appends.
  return next.length === speakers.length ? speakers : next;
}

/** Whether a new speaker can still be made: a document holds names for at most MAX_SPEAKERS. */
export function canAddSpeaker(state: SpeakerState): boolean {
  return state.speakers.length < MAX_SPEAKERS;
}

/**
 * Gives caption `captionId` to `target` (an id, or NEW_SPEAKER), or with
 * `fromChar` only its words from that character of its text on (see
 * reassignFrom: a line break goes in, or the caption is split). Answers the
 * new state and the speaker it went to.
 */
export function giveToSpeaker(state: SpeakerState, captionId: string, target: string, fromChar?: number): SpeakerEdit {
  if (target === NEW_SPEAKER && !canAddSpeaker(state)) return { ok: false, reason: 'TOO_MANY_SPEAKERS' };
  const id = target === NEW_SPEAKER ? nextSpeakerId(state.speakers, state.captions) : target;
  const r = fromChar === undefined ? reassignCaption(state.captions, captionId, id) : reassignFrom(state.captions, captionId, fromChar, id);
  if (!r.ok) return r;
  const speakers = namesFor(r.captions, state.speakers);
  return { ok: true, state: { captions: r.captions, speakers }, speaker: speakers.find((s) => s.id === id)! };
}

/**
 * `id` renamed `name` everywhere at once (captions refer to speakers by id,
 * so only the list changes). Null when refused (an empty name); the same
 * state when the name is unchanged, so no undo step is made for it.
 */
export function renameInState(state: SpeakerState, id: string, name: string): SpeakerState | null {
  const speakers = renameSpeaker(state.speakers, id, name);
  if (!speakers) return null;
  const before = state.speakers.find((s) => s.id === id)?.name;
  if (before !== undefined && speakers.find((s) => s.id === id)?.name === before) return state;
  return { captions: state.captions, speakers };
}

/**
 * `from` merged into `into` (see mergeSpeakers): captions and names in one
 * state, so one undo step takes the merge back whole. Null when there is
 * nothing to merge (the same speaker, or one no longer in the list).
 */
export function mergeInState(state: SpeakerState, from: string, into: string): SpeakerState | null {
  return mergeSpeakers(state.captions, state.speakers, from, into);
}

/** The speaker filter after merging `from` into `into`: a filter on `from` follows its captions to `into`. */
export function filterAfterMerge(filter: string | null, from: string, into: string): string | null {
  return filter === from ? into : filter;
}

/** The speakers one caption mentions, opener first: one, or two for a two-speaker (dash) caption. */
export function captionSpeakerIds(caption: Caption): string[] {
  return speakerIdsOf([caption]);
}

/** How many captions mention each speaker (a two-speaker caption counts for both). */
export function speakerCaptionCounts(captions: readonly Caption[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const c of captions) for (const id of captionSpeakerIds(c)) counts.set(id, (counts.get(id) ?? 0) + 1);
  return counts;
}

/** The ids of the captions shown under a speaker filter (every caption mentioning it); null when the filter is off. */
export function captionsShownFor(captions: readonly Caption[], speaker: string | null): Set<string> | null {
  if (speaker === null) return null;
  return new Set(captions.filter((c) => captionSpeakerIds(c).includes(speaker)).map((c) => c.id));
}

/** The message for a refused speaker edit: a cursor past the last word means something else here than for a split. */
export function speakerRefusalKey(reason: SpeakerEditRefusal): MessageKey {
  if (reason === 'TOO_MANY_SPEAKERS') return 'speakers.tooMany';
  if (reason === 'SPLIT_AT_EDGE') return 'speakers.cursorAtEnd';
  return `refusal.${reason}`;
}
