import { z } from 'zod';

/*
 * Caption layout (issue "Captions, not transcripts"): captions cut from the
 * word timings by a profile of subtitle rules, a QC report of the rules a
 * caption list breaks, and a reflow that lays saved captions out again. The
 * engine is `layoutCaptions` / `reflowCaptions` / `checkCaptions` in
 * @ecg/captions (packages/captions/src/layout/index.ts); these are the
 * bodies the backend will speak:
 *
 *   GET  /api/upload-video/result/{jobId}/captions/check?profile=&vertical= (CaptionCheckQuery)
 *        → CaptionCheckResponse: every rule each saved caption breaks.
 *   POST /api/upload-video/result/{jobId}/captions/reflow  body CaptionLayoutRequest
 *        → the captions laid out again under that profile, text edits kept.
 *   request-process takes a CaptionLayoutRequest as `profile` for the first layout.
 *
 * Without a profile name the profile follows the transcript's language
 * (profileForLanguage in @ecg/captions).
 */

/**
 * One name per set of figures the published guides give differently:
 * - `en`: English, 42 characters a line, its own reading speed and its
 *   article/preposition line-break rules (Netflix English guides);
 * - `latin`: every other language measured in plain characters, 42 a line
 *   (Netflix General Requirements / per-language guides), and the fallback for
 *   languages without a profile of their own;
 * - `ko`: 16 a line with Latin letters, digits, spaces and punctuation counted
 *   as half (Netflix Korean guide), breaks only at spaces;
 * - `ja`: 13 full-width characters a line (Netflix Japanese guide), kinsoku;
 * - `zh-hans` / `zh-hant`: Netflix has one guide per script (Simplified PRC,
 *   Traditional); Whisper says only `zh`, so the script is the user's choice,
 *   Simplified by default. The BCP 47 script subtags say which is which.
 */
export const CaptionProfileName = z
  .enum(['en', 'latin', 'ko', 'ja', 'zh-hans', 'zh-hant'])
  .meta({ id: 'CaptionProfileName' });
export type CaptionProfileName = z.infer<typeof CaptionProfileName>;

/*
 * Ranges for overrides: wide enough for any guide we know of, narrow enough
 * that a typo (420 characters, 0 lines, a 10-minute caption) is refused.
 */
/** Characters (in the profile's width units) a line may hold: 4 is below any guide's vertical-video line, 100 above any screen's. */
const MaxCharsPerLine = z.number().int().min(4).max(100);
/** Lines a caption may have: BBC allows 3 "if no important picture information will be obscured"; 4 is the sane ceiling. */
const MaxLines = z.number().int().min(1).max(4);
/** Seconds. 0 turns the minimum off; 5 s is longer than any guide's minimum (Netflix: 5/6 s). */
const MinDuration = z.number().min(0).max(5);
/** Seconds. 1 s is shorter than any guide's maximum (Netflix: 7 s); 30 s is the longest sane caption. */
const MaxDuration = z.number().min(1).max(30);
/** Frames between two captions: 0 allows touching captions; 24 (1 s at 24 fps) is far above any guide (Netflix: 2). */
const MinGapFrames = z.number().int().min(0).max(24);
/** Characters per second: 1 is below Japanese's 4, 60 is three times English's 20. */
const MaxCharsPerSecond = z.number().min(1).max(60);

/** A concrete profile: every figure the layout engine and the checker use. Durations in seconds. */
export const CaptionProfile = z
  .strictObject({
    name: CaptionProfileName,
    /** Short lines for 9:16 video. */
    vertical: z.boolean(),
    max_chars_per_line: MaxCharsPerLine,
    max_lines: MaxLines,
    min_duration: MinDuration,
    max_duration: MaxDuration,
    min_gap_frames: MinGapFrames,
    max_chars_per_second: MaxCharsPerSecond,
  })
  .refine((p) => p.min_duration <= p.max_duration, {
    message: 'min_duration must not exceed max_duration',
    path: ['min_duration'],
  })
  .meta({ id: 'CaptionProfile' });
export type CaptionProfile = z.infer<typeof CaptionProfile>;

/** Single values a person sets over the named profile; strict, so a misspelt key is refused rather than ignored. */
export const CaptionProfileOverrides = z
  .strictObject({
    max_chars_per_line: MaxCharsPerLine.optional(),
    max_lines: MaxLines.optional(),
    min_duration: MinDuration.optional(),
    max_duration: MaxDuration.optional(),
    min_gap_frames: MinGapFrames.optional(),
    max_chars_per_second: MaxCharsPerSecond.optional(),
  })
  .refine((o) => o.min_duration === undefined || o.max_duration === undefined || o.min_duration <= o.max_duration, {
    message: 'min_duration must not exceed max_duration',
    path: ['min_duration'],
  })
  .meta({ id: 'CaptionProfileOverrides' });
export type CaptionProfileOverrides = z.infer<typeof CaptionProfileOverrides>;

/**
 * Which rules to lay captions out by: the reflow body, and request-process's
 * `profile`. Every field is optional: `{}` is the transcript language's
 * profile, landscape, as published.
 */
export const CaptionLayoutRequest = z
  .strictObject({
    profile: CaptionProfileName.optional(),
    vertical: z.boolean().optional(),
    overrides: CaptionProfileOverrides.optional(),
  })
  .meta({ id: 'CaptionLayoutRequest' });
export type CaptionLayoutRequest = z.infer<typeof CaptionLayoutRequest>;

/** Query of the check endpoint: a profile name and `vertical=true|false|1|0`. */
export const CaptionCheckQuery = z
  .object({
    profile: CaptionProfileName.optional(),
    vertical: z
      .enum(['true', 'false', '1', '0'])
      .optional()
      .transform((v) => v === 'true' || v === '1'),
  })
  .meta({ id: 'CaptionCheckQuery' });
export type CaptionCheckQuery = z.infer<typeof CaptionCheckQuery>;

/**
 * A rule a caption breaks, as a subtitle QC report names it. Units of
 * `value` and `limit` per rule:
 * - line_too_long: line width (profile's width units) / max_chars_per_line
 * - too_many_lines: lines / max_lines
 * - too_short, too_long: duration (s) / min_duration, max_duration
 * - too_fast: characters per second / max_chars_per_second
 * - gap_too_small: gap to the next caption (s) / the min gap (s)
 * - overlap: seconds the next caption starts before this one ends / 0
 * - crosses_shot_change: the shot change's time (s) / 0
 * - start_near_shot_change, end_near_shot_change: seconds from the shot change
 *   (negative before it) / the half-second snapping window
 * - empty_text: 0 / 0
 */
export const CaptionRule = z
  .enum([
    'line_too_long',
    'too_many_lines',
    'too_short',
    'too_long',
    'too_fast',
    'gap_too_small',
    'overlap',
    'crosses_shot_change',
    'start_near_shot_change',
    'end_near_shot_change',
    'empty_text',
  ])
  .meta({ id: 'CaptionRule' });
export type CaptionRule = z.infer<typeof CaptionRule>;

export const CaptionIssue = z
  .object({
    caption_id: z.string(),
    rule: CaptionRule,
    value: z.number(),
    limit: z.number(),
    /** Written for the person fixing the caption. */
    message: z.string().optional(),
  })
  .meta({ id: 'CaptionIssue' });
export type CaptionIssue = z.infer<typeof CaptionIssue>;

export const CaptionCheckResponse = z
  .object({
    /** The profile the captions were checked against, overrides applied. */
    profile: CaptionProfile,
    caption_count: z.number().int().min(0),
    /** In caption order; within a caption, in the order of CaptionRule. */
    issues: z.array(CaptionIssue),
  })
  .meta({ id: 'CaptionCheckResponse' });
export type CaptionCheckResponse = z.infer<typeof CaptionCheckResponse>;
