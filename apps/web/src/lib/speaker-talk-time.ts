import type { Caption } from '@ecg/contracts';

/**
 * How long each speaker speaks, in seconds: the sum of their words'
 * durations (a word without a speaker is its caption's), and for a caption
 * without words (typed in by hand, or imported) its whole span, as its
 * speaker's. Word durations, not caption spans, so the pauses inside a
 * caption and the other speaker's half of a two-speaker caption are not
 * counted.
 */
export function speakerTalkTime(captions: readonly Caption[]): Map<string, number> {
  const total = new Map<string, number>();
  const add = (id: string | undefined, seconds: number): void => {
    if (id === undefined || !(seconds > 0)) return;
    total.set(id, (total.get(id) ?? 0) + seconds);
  };
  for (const c of captions) {
    if (c.words.length === 0) add(c.speaker, c.end - c.start);
    else for (const w of c.words) add(w.speaker ?? c.speaker, w.end - w.start);
  }
  return total;
}
