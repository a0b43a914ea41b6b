import type { Caption } from '@ecg/contracts';
import { timeToX, type TimeView } from './waveform-view.js';

export type Edge = 'start' | 'end';

/** A word by position: captions keep their ids across edits, word indexes are read against the current list. */
export interface WordRef {
  captionId: string;
  wordIndex: number;
}

export interface Boundary extends WordRef {
  captionIndex: number;
  edge: Edge;
  time: number;
  word: string;
}

/** Index of the first caption ending after `time` (binary search: captions are in time order). */
function firstEndingAfter(captions: readonly Caption[], time: number): number {
  let lo = 0;
  let hi = captions.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (captions[mid]!.end <= time) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Every word start and end between `from` and `to` seconds, in time order per caption. */
export function boundariesInRange(captions: readonly Caption[], from: number, to: number): Boundary[] {
  const out: Boundary[] = [];
  // A caption ending exactly at `from` may still hold an end boundary there.
  for (let ci = Math.max(0, firstEndingAfter(captions, from) - 1); ci < captions.length; ci++) {
    const c = captions[ci]!;
    if (c.start > to) break;
    c.words.forEach((w, wordIndex) => {
      const base = { captionId: c.id, captionIndex: ci, wordIndex, word: w.word.trim() };
      if (w.start >= from && w.start <= to) out.push({ ...base, edge: 'start', time: w.start });
      if (w.end >= from && w.end <= to) out.push({ ...base, edge: 'end', time: w.end });
    });
  }
  return out;
}

/**
 * The boundary a pointer at `x` grabs: the nearest within `tolerance` pixels.
 * Where a word ends exactly where the next begins, both lines coincide; the
 * side of the line the pointer is on decides (left grabs the end of the word
 * on the left, right grabs the start of the word on the right).
 */
export function hitBoundary(boundaries: readonly Boundary[], view: TimeView, x: number, tolerance: number): Boundary | null {
  let best: Boundary | null = null;
  let bestDistance = Infinity;
  for (const b of boundaries) {
    const bx = timeToX(view, b.time);
    const d = Math.abs(bx - x);
    if (d > tolerance) continue;
    const preferred = x < bx ? 'end' : 'start';
    if (d < bestDistance - 0.5 || (Math.abs(d - bestDistance) <= 0.5 && b.edge === preferred && best?.edge !== preferred)) {
      best = b;
      bestDistance = d;
    }
  }
  return best;
}

/** The word being spoken at `time`, else null (a pause, or a caption without word times). */
export function wordAtTime(captions: readonly Caption[], time: number): WordRef | null {
  const ci = firstEndingAfter(captions, time);
  const c = captions[ci];
  if (!c || c.start > time) return null;
  const wordIndex = c.words.findIndex((w) => w.start <= time && time < w.end);
  return wordIndex < 0 ? null : { captionId: c.id, wordIndex };
}

/** The word `dir` places after (1) or before (-1) `ref` across captions, or null at either end. */
export function stepWord(captions: readonly Caption[], ref: WordRef, dir: 1 | -1): WordRef | null {
  let ci = captions.findIndex((c) => c.id === ref.captionId);
  if (ci < 0) return null;
  let wi = ref.wordIndex + dir;
  while (ci >= 0 && ci < captions.length) {
    const words = captions[ci]!.words;
    if (wi >= 0 && wi < words.length) return { captionId: captions[ci]!.id, wordIndex: wi };
    ci += dir;
    wi = dir === 1 ? 0 : (captions[ci]?.words.length ?? 0) - 1;
  }
  return null;
}

/** The first word at or after `time`, else the last word before it: something to select when nothing is under the playhead. */
export function nearestWord(captions: readonly Caption[], time: number): WordRef | null {
  let last: WordRef | null = null;
  for (let ci = Math.max(0, firstEndingAfter(captions, time) - 1); ci < captions.length; ci++) {
    const c = captions[ci]!;
    for (let wi = 0; wi < c.words.length; wi++) {
      if (c.words[wi]!.end > time) return { captionId: c.id, wordIndex: wi };
      last = { captionId: c.id, wordIndex: wi };
    }
  }
  return last;
}
