import type { AuthSession } from '@ecg/contracts';
import type { JobRepository } from '../jobs/job-repository.js';
import type { JobDeletionRepository } from '../jobs/job-deletion-repository.js';
import { storedBytes, storedObjectKeys } from '../jobs/job-storage.js';
import type { ObjectStorage } from '../storage/storage.js';
import type { Principal } from './principal.js';

export interface SessionViewDeps {
  authEnabled: boolean;
  jobs: Pick<JobRepository, 'listFileKeysOf'>;
  deletions: Pick<JobDeletionRepository, 'renderOutputKeys'>;
  storage: Pick<ObjectStorage, 'head'>;
}

/**
 * Who is signed in, with what their jobs keep in storage: measured from the
 * objects themselves, as each job's own figure is (job-storage.ts), so the
 * total and the list's figures always agree.
 */
export async function sessionView(deps: SessionViewDeps, user: Principal): Promise<AuthSession> {
  const owned = await deps.jobs.listFileKeysOf(user.userId);
  const renders = await deps.deletions.renderOutputKeys(owned.map((j) => j.id));
  const keys = owned.flatMap((j) => storedObjectKeys(j.fileKey, renders.get(j.id) ?? []));
  return {
    auth_enabled: deps.authEnabled,
    user: { id: user.userId, email: user.email, role: user.role },
    via: user.via,
    storage_bytes: await storedBytes(deps.storage, keys),
    job_count: owned.length,
  };
}
