import type { JobSummary } from '@ecg/contracts';
import type { ObjectStorage } from '../storage/storage.js';
import type { JobDeletionRepository } from './job-deletion-repository.js';
import type { JobListing } from './job-repository.js';
import { expiresAt, storedBytes, storedObjectKeys } from './job-storage.js';

export interface SummaryDeps {
  deletions: Pick<JobDeletionRepository, 'renderOutputKeys'>;
  storage: Pick<ObjectStorage, 'head'>;
  /** RETENTION_DAYS, for each job's expires_at; null: kept until deleted. */
  retentionDays: number | null;
}

/** Jobs as the list and the job page show them: status, expiry and the bytes each keeps in storage. */
export async function summarizeJobs(deps: SummaryDeps, listed: readonly JobListing[]): Promise<JobSummary[]> {
  const renders = await deps.deletions.renderOutputKeys(listed.map((j) => j.id));
  const bytes = await Promise.all(listed.map((j) => storedBytes(deps.storage, storedObjectKeys(j.fileKey, renders.get(j.id) ?? []))));
  return listed.map((j, i) => ({
    job_id: j.id,
    status: j.status,
    progress: j.progress,
    file_name: j.fileName,
    created_at: j.createdAt.toISOString(),
    updated_at: j.updatedAt.toISOString(),
    ...(j.errorCode ? { error_code: j.errorCode } : {}),
    expires_at: expiresAt(j.createdAt, deps.retentionDays)?.toISOString() ?? null,
    storage_bytes: bytes[i] ?? null,
  }));
}
