import { z } from 'zod';

/** One word with Whisper's timing (seconds) and confidence (0..1). */
export const TranscriptWord = z
  .object({
    word: z.string(),
    start: z.number().min(0),
    end: z.number().min(0),
    probability: z.number().min(0).max(1),
  })
  .loose()
  .meta({ id: 'TranscriptWord' });
export type TranscriptWord = z.infer<typeof TranscriptWord>;

export const TranscriptSegment = z
  .object({
    id: z.number().int().min(0),
    start: z.number().min(0),
    end: z.number().min(0),
    text: z.string(),
    words: z.array(TranscriptWord).optional(),
  })
  .loose()
  .meta({ id: 'TranscriptSegment' });
export type TranscriptSegment = z.infer<typeof TranscriptSegment>;

/**
 * The transcription result: a superset of Whisper's JSON (`text`, `language`,
 * `segments[{id,start,end,text}]`). Extra fields (model, timing, analysis) are
 * kept as they come so a newer ML service can add fields without breaking an
 * older backend; a client that only knows Whisper's fields still works.
 */
export const TranscriptResult = z
  .object({
    text: z.string(),
    language: z.string(),
    duration: z.number().min(0).optional(),
    segments: z.array(TranscriptSegment),
    model: z
      .object({ name: z.string(), engine: z.string(), threads: z.number().int().optional() })
      .loose()
      .optional(),
    timing: z.record(z.string(), z.number()).optional(),
  })
  .loose()
  .meta({ id: 'TranscriptResult' });
export type TranscriptResult = z.infer<typeof TranscriptResult>;
