import { SpeakerId, type Caption, type CaptionSpeaker, type CaptionWord, type SpeakerTurn } from '@ecg/contracts';
import { ok, refuse, type EditResult } from './edit-result.js';
import { splitCaption } from './split-merge.js';
import { withCaptionSpeaker, wordSpeaker } from './caption-speaker.js';
import { alignWords, normaliseText, tokenize } from './text-align.js';

/*
 * Speakers in a caption document (issue 10). Ids (`SPEAKER_00`, …) come from
 * the diarizer or nextSpeakerId and never change; names are the person's and
 * live in the document's `speakers` list, so a rename is one entry, not an
 * edit of every caption. Words carry their own speaker; `Caption.speaker` is
 * the one who opens the caption (and the speaker of a caption without words).
 *
 * A caption holds at most two speakers, one line each, the second starting
 * at the line break: the dual-speaker ("dash") convention of the Netflix
 * Timed Text Style Guide. The dash itself is never stored in the text; the
 * writers add it where a format needs it.
 */

const ID_PATTERN = /^SPEAKER_(\d+)$/;

/** `Speaker 1` for SPEAKER_00, `Speaker 2` for SPEAKER_01, … (the name until the person renames it). */
export function defaultSpeakerName(id: string): string {
  const m = ID_PATTERN.exec(id);
  return m ? `Speaker ${Number(m[1]) + 1}` : id;
}

/** The speaker ids the captions mention (caption.speaker and every word's speaker), in order of first appearance in time. */
export function speakerIdsOf(captions: readonly Caption[]): string[] {
  const seen = new Set<string>();
  for (const c of captions) {
    // caption.speaker opens the caption, so it comes before its words.
    if (c.speaker !== undefined) seen.add(c.speaker);
    for (const w of c.words) if (w.speaker !== undefined) seen.add(w.speaker);
  }
  return [...seen];
}

/**
 * Names for every speaker the captions mention: the saved name where there is
 * one, else defaultSpeakerName; saved entries the captions no longer mention
 * are kept (a rename survives a reassign and its undo); order: saved ones
 * first as saved, then new ones in order of first appearance.
 */
export function documentSpeakers(captions: readonly Caption[], saved: readonly CaptionSpeaker[] = []): CaptionSpeaker[] {
  const out = saved.map((s) => ({ id: s.id, name: s.name }));
  const known = new Set(out.map((s) => s.id));
  for (const id of speakerIdsOf(captions)) {
    if (!known.has(id)) {
      out.push({ id, name: defaultSpeakerName(id) });
      known.add(id);
    }
  }
  return out;
}

/** The name of `id` in `speakers`, or defaultSpeakerName(id). */
export function speakerName(speakers: readonly CaptionSpeaker[] | undefined, id: string): string {
  return speakers?.find((s) => s.id === id)?.name ?? defaultSpeakerName(id);
}

/** The first free id after every id in use (SPEAKER_03 after SPEAKER_02). */
export function nextSpeakerId(speakers: readonly CaptionSpeaker[], captions: readonly Caption[]): string {
  let max = -1;
  for (const id of [...speakers.map((s) => s.id), ...speakerIdsOf(captions)]) {
    const m = ID_PATTERN.exec(id);
    if (m) max = Math.max(max, Number(m[1]));
  }
  // Two digits like the diarizer's ids (SpeakerId takes 2–4).
  return `SPEAKER_${String(max + 1).padStart(2, '0')}`;
}

/** CaptionSpeaker's limit on a name (packages/contracts/src/speakers.ts). */
const MAX_NAME_LENGTH = 100;

/**
 * A new list with `id` named `name` (whitespace runs collapsed and trimmed: a
 * name is one line in every export). An empty name, or one longer than the
 * contract takes, is refused: returns null. Adds the entry when missing.
 */
export function renameSpeaker(speakers: readonly CaptionSpeaker[], id: string, name: string): CaptionSpeaker[] | null {
  const clean = normaliseText(name);
  if (clean === '' || clean.length > MAX_NAME_LENGTH) return null;
  if (!speakers.some((s) => s.id === id)) return [...speakers.map((s) => ({ ...s })), { id, name: clean }];
  return speakers.map((s) => (s.id === id ? { id, name: clean } : { ...s }));
}

/**
 * `from` folded into `into` everywhere at once: every word and caption of
 * `from` becomes `into`'s, and `from` leaves the names list (`into` keeps its
 * name and place). For the diarizer's one person found as two speakers.
 *
 * Null when there is nothing to merge: `from === into`, or either id is not a
 * speaker id or not in `speakers`. Unlike the reassignments this refuses
 * rather than throws: the two ids are a person's choice in a panel that may
 * be a render behind an undo, so a stale one is expected, not a bug.
 *
 * The dash convention needs nothing more: a caption whose two lines were
 * `into` and `from` is now a two-line caption of one speaker, which the
 * convention allows, and the writers add no dash to it. Neighbouring captions
 * that now share a speaker are not merged: their cut was the layout's (length,
 * reading speed, pauses), not only the change of voice. Captions the merge
 * does not touch are the same objects, so a view keyed on them need not redraw.
 */
export function mergeSpeakers(
  captions: readonly Caption[],
  speakers: readonly CaptionSpeaker[],
  from: string,
  into: string,
): { captions: Caption[]; speakers: CaptionSpeaker[] } | null {
  if (from === into || !SpeakerId.safeParse(from).success || !SpeakerId.safeParse(into).success) return null;
  if (!speakers.some((s) => s.id === from) || !speakers.some((s) => s.id === into)) return null;
  const merged = captions.map((c) => {
    if (c.speaker !== from && !c.words.some((w) => w.speaker === from)) return c;
    // A word without its own speaker is the caption's (wordSpeaker), so it follows the caption's change.
    const words = c.words.map((w) => (w.speaker === from ? { ...w, speaker: into } : w));
    return { ...c, ...(c.speaker === from ? { speaker: into } : {}), words };
  });
  return { captions: merged, speakers: speakers.filter((s) => s.id !== from).map((s) => ({ ...s })) };
}

// Speaker ids reach these edits from the speaker list or nextSpeakerId, never
// from typing, so a malformed one is a caller's bug, not a refusal to explain.
function assertSpeakerId(speaker: string): void {
  if (!SpeakerId.safeParse(speaker).success) throw new RangeError(`not a speaker id: ${JSON.stringify(speaker)}`);
}

/** The caption `captionId` and all its words spoken by `speaker`. */
export function reassignCaption(captions: readonly Caption[], captionId: string, speaker: string): EditResult {
  assertSpeakerId(speaker);
  const i = captions.findIndex((c) => c.id === captionId);
  const c = captions[i];
  if (!c) return refuse('CAPTION_NOT_FOUND');
  const updated: Caption = { ...c, speaker, words: c.words.map((w) => ({ ...w, speaker })) };
  return ok([...captions.slice(0, i), updated, ...captions.slice(i + 1)]);
}

/** True when every line has one speaker and there are at most two lines: the dash convention. */
function followsDashConvention(caption: Caption): boolean {
  const lines = lineWords(caption);
  if (!lines || lines.length > 2) return false;
  return lines.every((words) => new Set(words.map((w) => wordSpeaker(caption, w))).size <= 1);
}

/**
 * The words of `captionId` from character `atChar` of its text on spoken by
 * `speaker` (a cursor at 0 = the whole caption). A word belongs to the part
 * holding its middle character, as in splitCaption. The dash convention
 * decides the shape: when every line still has one speaker (the cursor sits
 * at an existing line break, or the caption becomes one speaker), only the
 * words change; inside a one-line caption a line break goes in before the
 * first reassigned word; otherwise (two lines already, or a third would be
 * needed, or words not aligned with the text) the caption is split there and
 * the second caption is spoken by `speaker`. A cursor after the last word's
 * middle reassigns nothing: refused as SPLIT_AT_EDGE.
 */
export function reassignFrom(captions: readonly Caption[], captionId: string, atChar: number, speaker: string): EditResult {
  assertSpeakerId(speaker);
  const i = captions.findIndex((c) => c.id === captionId);
  const c = captions[i];
  if (!c) return refuse('CAPTION_NOT_FOUND');
  if (!Number.isInteger(atChar) || atChar <= 0) return reassignCaption(captions, captionId, speaker);
  if (atChar >= c.text.length) return refuse('SPLIT_AT_EDGE');

  const ranges = c.words.length > 0 ? alignWords(c.text, c.words) : null;
  if (!ranges) return splitThenReassign(captions, i, atChar, speaker);
  const first = ranges.findIndex(([from, to]) => (from + to) / 2 >= atChar);
  if (first < 0) return refuse('SPLIT_AT_EDGE');
  const breakAt = ranges[first]![0];
  if (c.text.slice(0, breakAt).trim() === '') return reassignCaption(captions, captionId, speaker);

  const words = c.words.map((w, k) => (k >= first ? { ...w, speaker } : w));
  const reassigned = withCaptionSpeaker({ ...c, words }, wordSpeaker(c, words[0]!));
  const replace = (updated: Caption): EditResult => ok([...captions.slice(0, i), updated, ...captions.slice(i + 1)]);
  if (followsDashConvention(reassigned)) return replace(reassigned);
  if (!c.text.includes('\n')) {
    const broken: Caption = { ...reassigned, text: `${c.text.slice(0, breakAt).trimEnd()}\n${c.text.slice(breakAt).trimStart()}` };
    if (followsDashConvention(broken)) return replace(broken);
  }
  return splitThenReassign(captions, i, breakAt, speaker);
}

function splitThenReassign(captions: readonly Caption[], i: number, atChar: number, speaker: string): EditResult {
  const split = splitCaption(captions, captions[i]!.id, atChar);
  if (!split.ok) return split;
  const tail = split.captions[i + 1]!;
  return reassignCaption(split.captions, tail.id, speaker);
}

/**
 * The words of each shown line (lines trimmed, blank ones dropped, as the
 * writers show them), found by aligning words with the text; when the words
 * no longer spell the text but their count matches its tokens, by count.
 * Null when neither works.
 */
function lineWords(caption: Caption): CaptionWord[][] | null {
  const lines: Array<{ from: number; to: number }> = [];
  let at = 0;
  for (const raw of caption.text.split('\n')) {
    if (raw.trim() !== '') lines.push({ from: at, to: at + raw.length });
    at += raw.length + 1;
  }
  const ranges = alignWords(caption.text, caption.words);
  if (ranges) {
    return lines.map(({ from, to }) => caption.words.filter((_, k) => ranges[k]![0] >= from && ranges[k]![0] < to));
  }
  const counts = caption.text.split('\n').filter((l) => l.trim() !== '').map((l) => tokenize(l).length);
  if (counts.reduce((a, b) => a + b, 0) !== caption.words.length) return null;
  let k = 0;
  return counts.map((n) => caption.words.slice(k, (k += n)));
}

/** Lines of a caption's shown text with the speaker of each line (the speaker of the line's first word; caption.speaker when it has no words aligned). */
export function speakerLines(caption: Caption): Array<{ text: string; speaker: string | undefined }> {
  const texts = caption.text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  const words = lineWords({ ...caption, text: caption.text.replace(/\r\n?/g, '\n') });
  return texts.map((text, k) => {
    const first = words?.[k]?.[0];
    return { text, speaker: first ? wordSpeaker(caption, first) : caption.speaker };
  });
}

/**
 * Turns from captions: consecutive words of one speaker merged, for exports.
 * A caption without words counts as one stretch by its speaker; words or
 * captions without any speaker end a turn and start none.
 */
export function speakerTurnsOf(captions: readonly Caption[]): SpeakerTurn[] {
  const turns: SpeakerTurn[] = [];
  let open: SpeakerTurn | null = null;
  const add = (start: number, end: number, speaker: string | undefined): void => {
    if (speaker === undefined) {
      open = null;
      return;
    }
    if (open && open.speaker === speaker) {
      open.end = Math.max(open.end, end);
      return;
    }
    open = { start, end: Math.max(start, end), speaker };
    turns.push(open);
  };
  for (const c of captions) {
    if (c.words.length === 0) add(c.start, c.end, c.speaker);
    for (const w of c.words) add(w.start, w.end, wordSpeaker(c, w));
  }
  return turns;
}

/**
 * A colour per speaker, by its index in the document's list. The hues are
 * Okabe & Ito's colour-universal-design palette ("Color Universal Design",
 * 2002/2008: told apart by people with any common colour-vision deficiency),
 * with black swapped for a mid grey (black vanishes on video) and orange, sky
 * blue and yellow darkened in linear light until each colour has a WCAG
 * contrast of at least 3:1 both against black (video) and white (the editor),
 * the WCAG 2.1 minimum for large text and graphics (1.4.3, 1.4.11); the
 * others already had it. Colours cycle after the eighth speaker.
 */
export const SPEAKER_COLORS: readonly string[] = Object.freeze([
  '#be8200', // orange (#E69F00)
  '#4696c3', // sky blue (#56B4E9)
  '#009e73', // bluish green
  '#989126', // yellow (#F0E442), darkened to olive
  '#0072b2', // blue
  '#d55e00', // vermillion
  '#cc79a7', // reddish purple
  '#888888', // grey, in place of black
]);

/** The colour of `id`: by its index in the list; an id missing from it by its number, so it is still stable. */
export function speakerColor(speakers: readonly CaptionSpeaker[], id: string): string {
  let index = speakers.findIndex((s) => s.id === id);
  if (index < 0) {
    const m = ID_PATTERN.exec(id);
    index = m ? Number(m[1]) : 0;
  }
  return SPEAKER_COLORS[index % SPEAKER_COLORS.length]!;
}
