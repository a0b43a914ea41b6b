import { z } from 'zod';
import { ErrorCode } from './errors.js';
import { JobStatus, Progress } from './jobs.js';
import { WordAnalysis } from './analysis.js';
import { CaptionLayoutRequest, CaptionProfile } from './caption-layout.js';
import { CaptionSpeakerList, SpeakerId } from './speakers.js';

/*
 * Caption editing, export and job listing. Endpoints (backend, all under the
 * public rate limit; errors use `ErrorBody`):
 *
 *   GET  /api/upload-video/result/{jobId}/captions          → CaptionDocument
 *        The saved edited captions or, when none were saved yet, captions
 *        derived from the transcript (version 0, edited false).
 *        404 JOB_NOT_FOUND; 409 JOB_NOT_COMPLETED while the job is not completed.
 *   PUT  /api/upload-video/result/{jobId}   body SaveCaptionsRequest → SaveCaptionsResponse
 *        400 VALIDATION_ERROR for any field the schemas do not name (they are strict).
 *        409 VERSION_CONFLICT with details VersionConflictDetails when
 *        base_version is not the current version (someone else saved first).
 *   POST /api/upload-video/result/{jobId}/restore   body RestoreCaptionsRequest → CaptionDocument
 *        Drops the edits and answers the captions derived from the transcript,
 *        with a new version (edited false). 409 VERSION_CONFLICT as for PUT.
 *   GET  /api/upload-video/result/{jobId}/export?format=srt|vtt|txt|json|ass (ExportQuery)
 *        The current captions written by @ecg/captions (toSrt/toVtt/toTxt/toJson),
 *        `Content-Disposition: attachment` named with safeDownloadName(file_name, format)
 *        (use attachmentDisposition() from @ecg/captions for non-ASCII names).
 *   GET  /api/upload-video/result/{jobId}/media              → MediaUrlResponse
 *        A presigned GET URL of the uploaded video, for the editor's player.
 *   GET  /api/upload-video/jobs?limit=N (JobListQuery)       → JobListResponse
 *        Most recent jobs first.
 *   GET  /api/config                                         → ClientConfigResponse
 *        What the browser needs before it starts: where to poll progress.
 */

/**
 * The latest time a caption may start or end: about 115 days, longer than any
 * recording, and short enough that every time stays exact to the millisecond
 * and prints as a plain `HH:MM:SS,mmm` stamp (a number like 1e300 would write
 * a timing line no player reads).
 */
export const MAX_CAPTION_SECONDS = 10_000_000;
const CaptionTime = z.number().min(0).max(MAX_CAPTION_SECONDS);

/**
 * A word inside a caption: Whisper's timing and confidence, and the measured
 * delivery the ML service adds (WordAnalysis: loudness, peak, pitch,
 * emphasis), each optional because typed-in words and older jobs have none.
 * Strict: a save naming any other field is refused with VALIDATION_ERROR, so
 * nothing unbounded is stored and every export writes exactly these fields
 * (issue "Hardening", item 2: 60 KB of nested junk on words made a 180 MB
 * JSON export). A new field is added here first; words built from a
 * transcript keep only these (captionWordFields in @ecg/captions).
 */
export const CaptionWord = z
  .strictObject({
    // As long as a caption's text may be: languages written without spaces (and models
    // caught in a repetition loop) produce one "word" per segment.
    word: z.string().max(10_000),
    start: CaptionTime,
    end: CaptionTime,
    probability: z.number().min(0).max(1).optional(),
    ...WordAnalysis.partial().shape,
    /** Who said it: the diarizer's speaker, or the one the person reassigned it to. */
    speaker: SpeakerId.optional(),
  })
  .meta({ id: 'CaptionWord' });
export type CaptionWord = z.infer<typeof CaptionWord>;

/** Strict like CaptionWord. */
export const Caption = z
  .strictObject({
    /** Stable within one document (`c0`, `c1`, … ; new ids come from nextCaptionId). */
    id: z.string().min(1).max(64),
    start: CaptionTime,
    end: CaptionTime,
    text: z.string().max(10_000),
    words: z.array(CaptionWord).max(5_000),
    /**
     * The speaker who opens the caption. Words carry their own speakers (a
     * two-speaker exchange shares one caption, one line each); this one is
     * what a caption without words (typed in) is spoken by.
     */
    speaker: SpeakerId.optional(),
  })
  .refine((c) => c.start <= c.end, { message: 'a caption must not end before it starts', path: ['end'] })
  .meta({ id: 'Caption' });
export type Caption = z.infer<typeof Caption>;

/** Captions in time order with unique ids: what every editor operation keeps true. */
export const CaptionList = z
  .array(Caption)
  .max(50_000)
  .superRefine((captions, ctx) => {
    const seen = new Set<string>();
    captions.forEach((c, i) => {
      if (seen.has(c.id)) ctx.addIssue({ code: 'custom', message: `duplicate caption id "${c.id}"`, path: [i, 'id'] });
      seen.add(c.id);
      const prev = captions[i - 1];
      if (prev && c.start < prev.start) {
        ctx.addIssue({ code: 'custom', message: 'captions must be in time order', path: [i, 'start'] });
      }
    });
  });

export const CaptionDocument = z
  .object({
    /** Optimistic-concurrency version: 0 until the first save, +1 on every save or restore. */
    version: z.number().int().min(0),
    captions: CaptionList,
    /** True once someone saved edits; false for captions straight from the transcript. */
    edited: z.boolean(),
    updated_at: z.string().optional(),
    language: z.string().optional(),
    /** The layout the captions follow: given at request-process, changed by a reflow. */
    layout: CaptionLayoutRequest.optional(),
    /** That layout as concrete figures: what the editor measures each caption against. */
    profile: CaptionProfile.optional(),
    /**
     * The names of the speakers the captions mention, in order of first
     * speech: the diarizer's speakers named `Speaker 1`, `Speaker 2`, … until
     * the person renames them. Empty when the job has no speakers.
     */
    speakers: CaptionSpeakerList.optional(),
  })
  .meta({ id: 'CaptionDocument' });
export type CaptionDocument = z.infer<typeof CaptionDocument>;

/** Strict too: a body field besides these is a client mistake it should hear about. */
export const SaveCaptionsRequest = z
  .strictObject({
    base_version: z.number().int().min(0),
    captions: CaptionList,
    /**
     * The layout these captions follow, when the save changes it: the editor
     * sends it when undoing a re-flow, so the job's profile goes back with
     * the captions. Unset keeps the job's layout.
     */
    layout: CaptionLayoutRequest.optional(),
    /** The speakers' names after this edit (a rename, a new speaker). Unset keeps the saved names. */
    speakers: CaptionSpeakerList.optional(),
  })
  .meta({ id: 'SaveCaptionsRequest' });
export type SaveCaptionsRequest = z.infer<typeof SaveCaptionsRequest>;

export const SaveCaptionsResponse = z
  .object({
    version: z.number().int().min(0),
    updated_at: z.string(),
  })
  .meta({ id: 'SaveCaptionsResponse' });
export type SaveCaptionsResponse = z.infer<typeof SaveCaptionsResponse>;

/** `details` of a 409 VERSION_CONFLICT answer to a save or restore. */
export const VersionConflictDetails = z
  .object({ current_version: z.number().int().min(0) })
  .meta({ id: 'VersionConflictDetails' });
export type VersionConflictDetails = z.infer<typeof VersionConflictDetails>;

/**
 * `POST …/captions/reflow`: lay the current captions out again under a
 * profile, keeping their text edits; saved as a new version like a save.
 */
export const CaptionReflowRequest = z
  .strictObject({
    base_version: z.number().int().min(0),
    ...CaptionLayoutRequest.shape,
  })
  .meta({ id: 'CaptionReflowRequest' });
export type CaptionReflowRequest = z.infer<typeof CaptionReflowRequest>;

export const RestoreCaptionsRequest = z
  .object({ base_version: z.number().int().min(0) })
  .meta({ id: 'RestoreCaptionsRequest' });
export type RestoreCaptionsRequest = z.infer<typeof RestoreCaptionsRequest>;

/** `ass`: karaoke-timed, emphasis-sized subtitles; its options are AssExportQuery (expressive.ts). */
export const ExportFormat = z.enum(['srt', 'vtt', 'txt', 'json', 'ass']);
export type ExportFormat = z.infer<typeof ExportFormat>;

export const ExportQuery = z
  .object({
    format: ExportFormat,
    /**
     * SRT and TXT: put `Name: ` before the words of each speaker where the
     * speaker changes. Off by default: most players show captions without names.
     */
    speaker_names: z
      .enum(['true', 'false', '1', '0'])
      .optional()
      .transform((v) => v === 'true' || v === '1'),
  })
  .meta({ id: 'ExportQuery' });
export type ExportQuery = z.infer<typeof ExportQuery>;

export const MediaUrlResponse = z
  .object({
    url: z.string().url(),
    expires_in: z.number().int().positive().optional(),
    /** The name the person uploaded, for download names; null when unknown. */
    file_name: z.string().nullable().optional(),
    content_type: z.string().optional(),
  })
  .meta({ id: 'MediaUrlResponse' });
export type MediaUrlResponse = z.infer<typeof MediaUrlResponse>;

export const JobSummary = z
  .object({
    job_id: z.string(),
    status: JobStatus,
    progress: Progress,
    file_name: z.string().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
    error_code: ErrorCode.optional(),
    /** When RETENTION_DAYS deletes the job (ISO time); null: kept until someone deletes it. */
    expires_at: z.string().nullable(),
    /** Bytes the job keeps in storage (video, waveform, thumbnails, renders); null when storage could not say. */
    storage_bytes: z.number().int().nonnegative().nullable(),
  })
  .meta({ id: 'JobSummary' });
export type JobSummary = z.infer<typeof JobSummary>;

export const JobListQuery = z
  .object({ limit: z.coerce.number().int().min(1).max(100).default(20) })
  .meta({ id: 'JobListQuery' });
export type JobListQuery = z.infer<typeof JobListQuery>;

export const JobListResponse = z.object({ jobs: z.array(JobSummary) }).meta({ id: 'JobListResponse' });
export type JobListResponse = z.infer<typeof JobListResponse>;

export const ClientConfigResponse = z
  .object({
    /** Public base URL of the ML service for status polling; null: poll the backend instead. */
    ml_public_url: z.string().url().nullable(),
    /** Upload size limit, so the browser can refuse a file before asking for a URL. */
    max_upload_bytes: z.number().int().positive().optional(),
  })
  .meta({ id: 'ClientConfigResponse' });
export type ClientConfigResponse = z.infer<typeof ClientConfigResponse>;
