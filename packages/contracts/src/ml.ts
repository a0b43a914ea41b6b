import { z } from 'zod';
import { ErrorCode } from './errors.js';
import { JobStage, JobStatus, Progress } from './jobs.js';
import { LanguageCode } from './languages.js';
import { checkSpeakerCounts, SpeakerCountOptions } from './speakers.js';
import { TranscriptSegment } from './result.js';

/**
 * How Whisper is asked to decode, per job (the OpenAI-compatible API's options).
 * `translate` is Whisper's own any-language → English task (whisper-cli `-tr`);
 * `prompt` is its initial prompt (spellings, names, style; `--prompt`);
 * `temperature` its sampling temperature (`-tp`; OpenAI's range, 0..1). All
 * optional: absent means transcribe, no prompt, the service's default temperature.
 */
export const TranscribeOptions = z.object({
  task: z.enum(['transcribe', 'translate']).optional(),
  // whisper.cpp keeps at most n_text_ctx/2 (224) prompt tokens; OpenAI documents the same 224-token limit.
  prompt: z.string().max(4000).optional(),
  temperature: z.number().min(0).max(1).optional(),
});
export type TranscribeOptions = z.infer<typeof TranscribeOptions>;

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
    ...TranscribeOptions.shape,
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

/** backend → ML: `GET /api/models`, the ggml model files in MODELS_DIR (bearer ML_API_TOKEN). */
export const MlModelsResponse = z
  .object({
    /** The model every job runs on (WHISPER_MODEL), by name; null when it is missing. */
    active: z.string().nullable(),
    models: z.array(
      z.object({
        /** The file name without `ggml-` and `.bin` (`tiny`, `large-v3-turbo-q5_0`), as WHISPER_MODEL names it. */
        name: z.string(),
        file: z.string(),
        bytes: z.number().int().min(0),
        /** When the file was written (Unix seconds); OpenAI's `created`. */
        created: z.number().int().min(0),
      }),
    ),
  })
  .meta({ id: 'MlModelsResponse' });
export type MlModelsResponse = z.infer<typeof MlModelsResponse>;
