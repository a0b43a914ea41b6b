import type { Caption, CaptionWord } from '@ecg/contracts';

/**
 * Index of the caption showing at `time` (start inclusive, end exclusive), or
 * -1 in a gap. Binary search: called on every animation frame during playback.
 */
export function captionIndexAt(captions: readonly Caption[], time: number): number {
  let lo = 0;
  let hi = captions.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (captions[mid]!.start <= time) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found >= 0 && time < captions[found]!.end ? found : -1;
}

export function captionAt(captions: readonly Caption[], time: number): Caption | undefined {
  const i = captionIndexAt(captions, time);
  return i >= 0 ? captions[i] : undefined;
}

/** Index of the word being spoken at `time` within a caption's words, or -1. */
export function wordAt(words: readonly CaptionWord[], time: number): number {
  return words.findIndex((w) => w.start <= time && time < w.end);
}
