/** A stretch of speech found by a VAD, in seconds from the start of the recording. */
export interface SpeechRegion {
  start: number;
  end: number;
}

/** Sorted, clipped to [0, duration], overlaps joined, empty ones dropped. */
export function tidyRegions(regions: readonly SpeechRegion[], duration: number): SpeechRegion[] {
  const sorted = regions
    .map((r) => ({ start: Math.max(0, r.start), end: Math.min(duration, r.end) }))
    .filter((r) => r.end > r.start)
    .sort((a, b) => a.start - b.start);
  const out: SpeechRegion[] = [];
  for (const r of sorted) {
    const last = out.at(-1);
    if (last && r.start <= last.end) last.end = Math.max(last.end, r.end);
    else out.push(r);
  }
  return out;
}
