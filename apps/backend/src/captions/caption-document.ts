import { captionFields, fromTranscript } from '@ecg/captions';
import type { Caption, CaptionDocument } from '@ecg/contracts';
import type { Job } from '../jobs/job-repository.js';

/**
 * The captions a completed job shows now: the saved edits, or the captions
 * derived from the transcript when none are saved (never saved, or restored).
 * The version is always the job's counter, so a client that read captions
 * after a restore saves from the right base. Saved captions are read back
 * with their named fields only: rows saved before saves were strict may hold
 * anything beside them, which must reach neither an export nor the editor.
 */
export function currentCaptions(job: Job): Caption[] {
  if (job.captions) return job.captions.map(captionFields);
  return job.result ? fromTranscript(job.result) : [];
}

export function captionDocument(job: Job): CaptionDocument {
  const language = job.result?.language;
  return {
    version: job.captionVersion,
    captions: currentCaptions(job),
    edited: job.captions !== null,
    ...(job.captionsUpdatedAt ? { updated_at: job.captionsUpdatedAt.toISOString() } : {}),
    ...(language ? { language } : {}),
  };
}

/** Names one version of one job's captions, so a cache or a client can tell two versions apart. */
export function captionsEtag(job: Pick<Job, 'id' | 'captionVersion'>): string {
  return `W/"${job.id}-v${job.captionVersion}"`;
}
