import type { Caption } from '@ecg/contracts';

/**
 * The next free id of the form `c<n>`. Ids are never reused within a document,
 * so an id held by the UI (selection, focus) cannot silently point at a
 * different caption after a split or merge.
 */
export function nextCaptionId(captions: readonly Caption[]): string {
  let max = -1;
  for (const c of captions) {
    const m = /^c(\d+)$/.exec(c.id);
    if (m) max = Math.max(max, Number(m[1]));
  }
  return `c${max + 1}`;
}

export function indexOfCaption(captions: readonly Caption[], id: string): number {
  return captions.findIndex((c) => c.id === id);
}
