import { z } from 'zod';
import { ErrorCode } from './errors.js';
import { JobStage, JobStatus, Progress } from './jobs.js';
import { LanguageCode } from './languages.js';
import { checkSpeakerCounts, SpeakerCountOptions } from './speakers.js';
import { TranscriptSegment } from './result.js';

/** backend → ML: `POST /api/upload-video/process-video`. */
export const ProcessVideoRequest = z
  .object({
    job_id: z.string().uuid(),
    video_url: z.string().url(),
    language: LanguageCode.optional(),
    /** Original clients named the delivery base URL; honoured only when allow-listed. */
    fastapi_base_url: z.string().url().optional(),
    /** Passed through from request-process: how many speakers the diarizer looks for. */
    ...SpeakerCountOptions.shape,
  })
  .superRefine(checkSpeakerCounts)
  .meta({ id: 'ProcessVideoRequest' });
export type ProcessVideoRequest = z.infer<typeof ProcessVideoRequest>;

export const ProcessVideoResponse = z
  .object({
    job_id: z.string(),
    status: z.enum(['queued', 'processing', 'completed', 'failed']),
  })
  .meta({ id: 'ProcessVideoResponse' });
export type ProcessVideoResponse = z.infer<typeof ProcessVideoResponse>;

/** `GET /api/upload-video/status/{job_id}` (the browser polls it). */
export const MlStatusResponse = z
  .object({
    job_id: z.string(),
    status: JobStatus,
    progress: Progress,
    stage: JobStage,
    message: z.string(),
    eta_seconds: z.number().min(0).nullable(),
    error_code: ErrorCode.optional(),
    error_message: z.string().optional(),
    /** Segments decoded so far, for a live preview while transcribing. */
    partial_segments: z.array(TranscriptSegment).optional(),
  })
  .meta({ id: 'MlStatusResponse' });
export type MlStatusResponse = z.infer<typeof MlStatusResponse>;

export const MlHealthResponse = z
  .object({
    status: z.enum(['ok', 'unavailable']),
    ready: z.boolean(),
    model: z.string().nullable(),
    engine: z.string(),
    threads: z.number().int(),
    vad: z.boolean(),
    queue: z.object({ waiting: z.number().int(), running: z.number().int(), concurrency: z.number().int() }),
    reason: z.string().optional(),
  })
  .meta({ id: 'MlHealthResponse' });
export type MlHealthResponse = z.infer<typeof MlHealthResponse>;
