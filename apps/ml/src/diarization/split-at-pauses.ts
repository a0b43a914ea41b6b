/**
 * Splits speech regions at the short pauses inside them. A VAD keeps a
 * sentence whole across pauses of a few hundred milliseconds (Silero in
 * whisper.cpp bridges 0.1 s and pads 30 ms on each side; the energy VAD
 * bridges 0.3 s), and a hand-over between two people is usually just such a
 * pause: measured here, Silero ran two voices 0.2 s apart into one region, so
 * the diarizer's windows straddled the change and formed "speakers" of
 * their own. Cutting at every pause of at least `minPauseSeconds` inside a
 * region, by the same adaptive energy threshold as the energy VAD, puts
 * most changes on a region edge, where no window crosses them; the cost is
 * shorter windows inside a speaker's turn, which the clustering tolerates.
 * Pauses are where a turn can end: a change with no pause at all (people
 * talking over each other) is left to the re-segmentation.
 *
 * Pure: levels as energy-vad.ts computes them (10 ms frames).
 */
import { energyRegions } from './energy-vad.js';
import type { SpeechRegion } from './speech-region.js';

export interface PauseSplitOptions {
  /** A quiet stretch at least this long inside a region splits it. */
  minPauseSeconds: number;
  /** Pieces shorter than this are dropped (a click or a breath between two pauses). */
  minPieceSeconds: number;
  /**
   * A piece shorter than this is not cut off: it stays joined to its
   * neighbour across the pause. A turn is rarely shorter, and a noisy
   * recording's quiet stretches inside words would otherwise leave
   * half-second pieces too short to cluster (measured: at 17 dB SNR, 46 of
   * 91 windows).
   */
  minStandingSeconds: number;
}

/** 0.1 s: the shortest pause heard as one between turns (Heldner & Edlund 2010 measure most gaps between speakers at 0–0.5 s; shorter quiet stretches are stop closures inside words). */
export const DEFAULT_PAUSE_SPLIT: PauseSplitOptions = { minPauseSeconds: 0.1, minPieceSeconds: 0.1, minStandingSeconds: 0.5 };

export function splitAtPauses(
  regions: readonly SpeechRegion[],
  levels: Uint8Array,
  durationSeconds: number,
  options: Partial<PauseSplitOptions> = {},
): SpeechRegion[] {
  const o = { ...DEFAULT_PAUSE_SPLIT, ...options };
  // Sound in fine grain: bridge only gaps shorter than the pause that splits, pad nothing, and
  // call quiet only what is near the noise floor (6 dB over it, or a fifth of the way to the
  // speech level): in noisy audio the speech VAD's own threshold would cut inside words.
  const sound = energyRegions(levels, durationSeconds, {
    bridgeSeconds: o.minPauseSeconds,
    padSeconds: 0,
    minSpeechSeconds: 0.03,
    minRiseDb: 6,
    rangeFraction: 0.2,
  });
  if (sound.length === 0) return [...regions];
  const out: SpeechRegion[] = [];
  let j = 0;
  for (const r of regions) {
    while (j < sound.length && sound[j]!.end <= r.start) j++;
    const pieces: SpeechRegion[] = [];
    for (let k = j; k < sound.length && sound[k]!.start < r.end; k++) {
      const start = Math.max(r.start, sound[k]!.start);
      const end = Math.min(r.end, sound[k]!.end);
      if (end > start) pieces.push({ start, end });
    }
    // Keep the region's own edges (the VAD's judgement) on its first and last piece.
    if (pieces.length === 0) {
      out.push({ ...r });
      continue;
    }
    pieces[0]!.start = r.start;
    pieces.at(-1)!.end = r.end;
    const kept = pieces.filter((p) => p.end - p.start >= o.minPieceSeconds);
    for (const p of joinShortPieces(kept.length > 0 ? kept : [{ ...r }], o.minStandingSeconds)) out.push(p);
  }
  return out;
}

/** Joins each piece shorter than `min` to the neighbour nearer across its pause. */
function joinShortPieces(pieces: SpeechRegion[], min: number): SpeechRegion[] {
  const out = pieces.map((p) => ({ ...p }));
  for (let i = 0; i < out.length && out.length > 1; ) {
    const p = out[i]!;
    if (p.end - p.start >= min) {
      i++;
      continue;
    }
    const gapBefore = i > 0 ? p.start - out[i - 1]!.end : Infinity;
    const gapAfter = i + 1 < out.length ? out[i + 1]!.start - p.end : Infinity;
    if (gapBefore <= gapAfter) {
      out[i - 1]!.end = p.end;
      out.splice(i, 1);
      i = Math.max(0, i - 1);
    } else {
      out[i + 1]!.start = p.start;
      out.splice(i, 1);
    }
  }
  return out;
}
