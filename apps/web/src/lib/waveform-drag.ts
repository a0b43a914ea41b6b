import { ok, refuse, type EditResult } from '@ecg/captions';
import type { Caption } from '@ecg/contracts';
import type { Edge, WordRef } from './waveform-boundaries.js';

/** The shortest a word may become, so a drag never collapses it to nothing. */
export const MIN_WORD_SECONDS = 0.02;

export interface Limits {
  min: number;
  max: number;
}

const roundMs = (t: number): number => Math.round(t * 1000) / 1000;

/**
 * Where one edge of a word may go. A start stays after the previous word's
 * end (or, for a caption's first word, after the previous caption's end, the
 * caption's start following it) and before its own end; an end stays after
 * its own start and before the next word's start (or, for the last word, the
 * next caption's start, or the end of the media). Where neighbours already
 * overlap the word, the limit is its current time, so grabbing it never makes
 * it jump.
 */
export function edgeLimits(captions: readonly Caption[], ref: WordRef, edge: Edge, mediaEnd = Infinity): Limits | null {
  const ci = captions.findIndex((c) => c.id === ref.captionId);
  const c = captions[ci];
  const w = c?.words[ref.wordIndex];
  if (!c || !w) return null;
  if (edge === 'start') {
    const before = c.words[ref.wordIndex - 1];
    const floor = before ? before.end : (captions[ci - 1]?.end ?? 0);
    return { min: Math.min(floor, w.start), max: Math.max(w.start, w.end - MIN_WORD_SECONDS) };
  }
  const after = c.words[ref.wordIndex + 1];
  const ceiling = after ? after.start : (captions[ci + 1]?.start ?? mediaEnd);
  return { min: Math.min(w.end, w.start + MIN_WORD_SECONDS), max: Math.max(ceiling, w.end) };
}

/** `time` rounded to the millisecond and held inside the edge's limits; null when the word does not exist. */
export function clampEdge(captions: readonly Caption[], ref: WordRef, edge: Edge, time: number, mediaEnd = Infinity): number | null {
  const limits = edgeLimits(captions, ref, edge, mediaEnd);
  if (!limits || !Number.isFinite(time)) return null;
  return Math.min(Math.max(roundMs(time), limits.min), limits.max);
}

/** The current time of a word's edge, or null when the word does not exist. */
export function edgeTime(captions: readonly Caption[], ref: WordRef, edge: Edge): number | null {
  const w = captions.find((c) => c.id === ref.captionId)?.words[ref.wordIndex];
  return w ? w[edge] : null;
}

/**
 * Moves one edge of a word to `time`, clamped by `edgeLimits`. Moving the
 * first word's start moves the caption's start with it, and the last word's
 * end the caption's end, so the caption always spans its words.
 */
export function setWordEdge(captions: readonly Caption[], ref: WordRef, edge: Edge, time: number, mediaEnd = Infinity): EditResult {
  const ci = captions.findIndex((c) => c.id === ref.captionId);
  const c = captions[ci];
  if (!c || !c.words[ref.wordIndex]) return refuse('CAPTION_NOT_FOUND');
  const t = clampEdge(captions, ref, edge, time, mediaEnd);
  if (t === null) return refuse('INVALID_TIME');
  const words = c.words.map((w, i) => (i === ref.wordIndex ? { ...w, [edge]: t } : w));
  const first = ref.wordIndex === 0 && edge === 'start';
  const last = ref.wordIndex === c.words.length - 1 && edge === 'end';
  const updated: Caption = { ...c, words, start: first ? t : c.start, end: last ? t : c.end };
  return ok([...captions.slice(0, ci), updated, ...captions.slice(ci + 1)]);
}
