import { safeDownloadName } from '@ecg/captions';
import type { RenderJob } from '@ecg/contracts';
import type { Render } from './render-repository.js';

/** A render as the API answers it; `downloadUrl` only for a completed one. */
export function renderView(render: Render, downloadUrl?: string): RenderJob {
  return {
    render_id: render.id,
    job_id: render.jobId,
    status: render.status,
    progress: render.progress,
    expressive: render.expressive,
    strength: render.strength,
    created_at: render.createdAt.toISOString(),
    updated_at: render.updatedAt.toISOString(),
    ...(render.status === 'failed'
      ? { error: { code: render.errorCode ?? 'INTERNAL_ERROR', message: render.errorMessage ?? 'the render failed' } }
      : {}),
    ...(render.status === 'completed' && downloadUrl ? { download_url: downloadUrl } : {}),
  };
}

/** `interview.mp4` → `interview-captions.mp4` (Korean kept; `captions.mp4` without a name). */
export function renderDownloadName(videoName: string | null): string {
  if (!videoName) return 'captions.mp4';
  return safeDownloadName(videoName, 'mp4').replace(/\.mp4$/, '-captions.mp4');
}
