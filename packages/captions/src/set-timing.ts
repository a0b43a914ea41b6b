import type { Caption } from '@ecg/contracts';
import { ok, refuse, type EditResult } from './edit-result.js';

export interface SetTimingOptions {
  /**
   * Move a start or end that runs into a neighbour back to the neighbour's
   * edge instead of refusing (for nudging with buttons; typed values refuse,
   * so a person sees why their number was not taken).
   */
  clamp?: boolean;
}

const clamp = (v: number, lo: number, hi: number): number => Math.min(Math.max(v, lo), hi);

/**
 * Sets a caption's start and end (seconds). Refuses non-finite or negative
 * times, a start not before the end, and overlap with the previous or next
 * caption. Word times are pulled inside the new span.
 */
export function setTiming(
  captions: readonly Caption[],
  id: string,
  start: number,
  end: number,
  options: SetTimingOptions = {},
): EditResult {
  const i = captions.findIndex((c) => c.id === id);
  const c = captions[i];
  if (!c) return refuse('CAPTION_NOT_FOUND');
  if (!Number.isFinite(start) || !Number.isFinite(end) || start < 0 || end < 0) return refuse('INVALID_TIME');
  const prev = captions[i - 1];
  const next = captions[i + 1];
  let s = start;
  let e = end;
  if (prev && s < prev.end) {
    if (!options.clamp) return refuse('OVERLAPS_PREVIOUS');
    s = prev.end;
  }
  if (next && e > next.start) {
    if (!options.clamp) return refuse('OVERLAPS_NEXT');
    e = next.start;
  }
  if (!(s < e)) return refuse('START_NOT_BEFORE_END');
  const updated: Caption = {
    ...c,
    start: s,
    end: e,
    words: c.words.map((w) => ({ ...w, start: clamp(w.start, s, e), end: clamp(w.end, s, e) })),
  };
  return ok([...captions.slice(0, i), updated, ...captions.slice(i + 1)]);
}
