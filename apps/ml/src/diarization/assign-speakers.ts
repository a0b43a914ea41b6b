/**
 * Gives every word and segment of a transcript its speaker from the
 * diarization's turns, and carries the diarization as `result.diarization`.
 * Pure: a new result, every other field as it was.
 *
 * - A word gets the speaker of the turn it overlaps most; a word in a gap
 *   between turns (whisper's times and the VAD's rarely agree to the
 *   millisecond) gets the nearest turn's speaker.
 * - A segment gets the speaker who holds most of its words' time (a word of
 *   zero length counts as 1 ms so it still votes); a segment without words
 *   is placed like a word, by its own span. Its words may name others.
 * - With no turns at all (no speech), no word gets a speaker: no speaker is
 *   better than an invented one.
 */
import type { Diarization, SpeakerTurn, TranscriptResult, TranscriptSegment, TranscriptWord } from '@ecg/contracts';

/** Index of the first turn whose end is after t (turns sorted by time). */
function firstEndingAfter(turns: readonly SpeakerTurn[], t: number): number {
  let lo = 0;
  let hi = turns.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (turns[mid]!.end <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The speaker for the span [start, end]: most overlap, else the nearest turn. */
export function speakerForSpan(turns: readonly SpeakerTurn[], start: number, end: number): string | undefined {
  if (turns.length === 0) return undefined;
  let best: string | undefined;
  let bestOverlap = 0;
  for (let i = firstEndingAfter(turns, start); i < turns.length && turns[i]!.start < end; i++) {
    const o = Math.min(end, turns[i]!.end) - Math.max(start, turns[i]!.start);
    if (o > bestOverlap) {
      bestOverlap = o;
      best = turns[i]!.speaker;
    }
  }
  if (best !== undefined) return best;
  // No overlap: the turn just before or just after, whichever is closer (the earlier on a tie).
  const after = firstEndingAfter(turns, start);
  const prev = after > 0 ? turns[after - 1]! : undefined;
  const next = after < turns.length ? turns[after]! : undefined;
  // A zero-length span inside a turn's start point is that turn's.
  if (next && next.start <= start) return next.speaker;
  const dPrev = prev ? start - prev.end : Infinity;
  const dNext = next ? next.start - end : Infinity;
  if (dNext < dPrev) return next!.speaker;
  return prev?.speaker;
}

export function assignSpeakers(result: TranscriptResult, d: Diarization): TranscriptResult {
  const turns = [...d.turns].sort((a, b) => a.start - b.start);
  if (turns.length === 0) return { ...result, diarization: d };
  const segments = result.segments.map((seg): TranscriptSegment => {
    const words = seg.words?.map((w): TranscriptWord => {
      const speaker = speakerForSpan(turns, w.start, w.end);
      return speaker === undefined ? w : { ...w, speaker };
    });
    const time = new Map<string, number>();
    for (const w of words ?? []) if (w.speaker) time.set(w.speaker, (time.get(w.speaker) ?? 0) + Math.max(0.001, w.end - w.start));
    let speaker: string | undefined;
    let most = 0;
    for (const [s, t] of time) {
      if (t > most) {
        most = t;
        speaker = s;
      }
    }
    speaker ??= speakerForSpan(turns, seg.start, seg.end);
    const out: TranscriptSegment = { ...seg, ...(words ? { words } : {}) };
    if (speaker !== undefined) out.speaker = speaker;
    return out;
  });
  return { ...result, diarization: d, segments };
}
