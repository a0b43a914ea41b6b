import { z } from 'zod';
import { ErrorCode } from './errors.js';
import { Progress } from './jobs.js';

/**
 * Expressive captions (issue 5): styled exports and burned-in video.
 *
 * Endpoints (backend):
 * - `GET  /api/upload-video/result/{jobId}/waveform` → `WaveformJson` (analysis.ts),
 *   stored next to the video when the ML service delivers it; 404 `NOT_FOUND` when none.
 * - `GET  /api/upload-video/result/{jobId}/export?format=ass[&expressive=true&strength=1]`
 *   → ASS subtitles with word-by-word karaoke timing (`\k`) and per-word size for emphasis.
 * - `POST /api/upload-video/result/{jobId}/render` body `RenderRequest` → 202 `RenderJob`
 *   (a background ffmpeg+libass job, streaming from and to storage).
 * - `GET  /api/upload-video/result/{jobId}/render/{renderId}` → `RenderJob`
 *   (`download_url` set once completed).
 */

/** How strongly emphasis changes word size: 0 = plain captions, 1 = default, 2 = exaggerated. */
export const ExpressiveStrength = z.coerce.number().min(0).max(2);

export const AssExportQuery = z
  .object({
    expressive: z
      .enum(['true', 'false', '1', '0'])
      .optional()
      .transform((v) => v === undefined || v === 'true' || v === '1'),
    strength: ExpressiveStrength.optional().default(1),
  })
  .meta({ id: 'AssExportQuery' });
export type AssExportQuery = z.infer<typeof AssExportQuery>;

export const RenderRequest = z
  .object({
    expressive: z.boolean().default(true),
    strength: z.number().min(0).max(2).default(1),
  })
  .meta({ id: 'RenderRequest' });
export type RenderRequest = z.infer<typeof RenderRequest>;

export const RenderStatus = z.enum(['queued', 'processing', 'completed', 'failed']);
export type RenderStatus = z.infer<typeof RenderStatus>;

export const RenderJob = z
  .object({
    render_id: z.string().uuid(),
    job_id: z.string().uuid(),
    status: RenderStatus,
    progress: Progress,
    expressive: z.boolean(),
    strength: z.number(),
    created_at: z.string(),
    updated_at: z.string(),
    error: z.object({ code: ErrorCode, message: z.string() }).optional(),
    /** Presigned GET of the rendered MP4, named after the video; only when completed. */
    download_url: z.string().url().optional(),
  })
  .meta({ id: 'RenderJob' });
export type RenderJob = z.infer<typeof RenderJob>;

export const RenderIdParams = z.object({ jobId: z.string(), renderId: z.string() }).meta({ id: 'RenderIdParams' });
