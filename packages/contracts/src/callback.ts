import { z } from 'zod';
import { ErrorCode } from './errors.js';
import { CompatJobStatus, JobStage, Progress } from './jobs.js';
import { TranscriptResult } from './result.js';
import { WaveformJson } from './analysis.js';
import { ThumbnailSprite } from './video.js';

/**
 * ML → backend delivery (`POST /api/upload-video/result`). The seed sends
 * `{job_id, result}`; progress and failure deliveries use the original
 * system's compatibility fields. Without `status`, a body with `result`
 * means completed.
 */
export const ResultCallbackRequest = z
  .object({
    job_id: z.string().uuid(),
    result: TranscriptResult.optional(),
    /** Min/max peaks of the audio (100 per second) for the editor; stored next to the video. */
    waveform: WaveformJson.optional(),
    /** One thumbnail per shot of the video, tiled into one JPEG, for the editor's timeline; stored next to the video. */
    thumbnails: ThumbnailSprite.optional(),
    status: CompatJobStatus.optional(),
    progress: Progress.optional(),
    stage: JobStage.optional(),
    message: z.string().max(2000).optional(),
    error_code: ErrorCode.optional(),
    error_message: z.string().max(4000).optional(),
  })
  .refine((b) => b.status !== 'completed' || b.result !== undefined, {
    message: 'a completed delivery must carry result',
    path: ['result'],
  })
  .refine((b) => b.result !== undefined || b.status !== undefined, {
    message: 'a delivery carries result or status',
    path: ['status'],
  })
  .meta({ id: 'ResultCallbackRequest' });
export type ResultCallbackRequest = z.infer<typeof ResultCallbackRequest>;
export type ResultCallbackInput = z.input<typeof ResultCallbackRequest>;

export const ResultCallbackResponse = z
  .object({ status: z.literal('received') })
  .meta({ id: 'ResultCallbackResponse' });
export type ResultCallbackResponse = z.infer<typeof ResultCallbackResponse>;
