import { z } from 'zod';
import { VideoAnalysis } from './video.js';
import { Diarization, SpeakerId } from './speakers.js';

/**
 * How deep a field the contract does not name may nest. The result is kept
 * open so a newer ML service can add fields, but open must not mean
 * unbounded: an object nested thousands of levels deep costs every reader a
 * walk of that depth (issue "Hardening", item 2). The ML service's deepest
 * unnamed field today is `analysis.thresholds`, 2 levels.
 */
export const MAX_EXTRA_FIELD_DEPTH = 8;

/** Whether `value` nests at most `max` objects or arrays deep; stops at the first level past it. */
function nestsAtMost(value: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth >= max) return false;
    for (const child of Object.values(v)) stack.push([child, depth + 1]);
  }
  return true;
}

/** A field the contract does not name: kept as it came, if it nests no deeper than MAX_EXTRA_FIELD_DEPTH. */
const ExtraField = z.unknown().refine((v) => nestsAtMost(v, MAX_EXTRA_FIELD_DEPTH), {
  message: `a field the contract does not name may nest at most ${MAX_EXTRA_FIELD_DEPTH} levels`,
});

/** One word with Whisper's timing (seconds) and confidence (0..1). */
export const TranscriptWord = z
  .object({
    word: z.string(),
    start: z.number().min(0),
    end: z.number().min(0),
    probability: z.number().min(0).max(1),
    /** The diarizer's speaker of the turn the word overlaps most; absent when diarization did not run. */
    speaker: SpeakerId.optional(),
  })
  .catchall(ExtraField)
  .meta({ id: 'TranscriptWord' });
export type TranscriptWord = z.infer<typeof TranscriptWord>;

export const TranscriptSegment = z
  .object({
    id: z.number().int().min(0),
    start: z.number().min(0),
    end: z.number().min(0),
    text: z.string(),
    words: z.array(TranscriptWord).optional(),
    /** The speaker of the turn the segment overlaps most (its words may name others). */
    speaker: SpeakerId.optional(),
  })
  .catchall(ExtraField)
  .meta({ id: 'TranscriptSegment' });
export type TranscriptSegment = z.infer<typeof TranscriptSegment>;

/**
 * The transcription result: a superset of Whisper's JSON (`text`, `language`,
 * `segments[{id,start,end,text}]`). Extra fields (model, timing, analysis) are
 * kept as they come so a newer ML service can add fields without breaking an
 * older backend (each at most MAX_EXTRA_FIELD_DEPTH deep); a client that
 * only knows Whisper's fields still works.
 */
export const TranscriptResult = z
  .object({
    text: z.string(),
    language: z.string(),
    duration: z.number().min(0).optional(),
    segments: z.array(TranscriptSegment),
    model: z
      .object({ name: z.string(), engine: z.string(), threads: z.number().int().optional() })
      .catchall(ExtraField)
      .optional(),
    timing: z.record(z.string(), z.number()).optional(),
    /** Frame rate, size and shot changes of the picture; absent for audio-only media (or when the video analysis failed). */
    video: VideoAnalysis.optional(),
    /** Who spoke when; absent when diarization did not run or failed (then `warnings` says why). */
    diarization: Diarization.optional(),
  })
  .catchall(ExtraField)
  .meta({ id: 'TranscriptResult' });
export type TranscriptResult = z.infer<typeof TranscriptResult>;
