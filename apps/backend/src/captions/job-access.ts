import { ServiceError } from '@ecg/service-kit';
import type { Job, JobRepository } from '../jobs/job-repository.js';

/**
 * The job if `ownerId` owns it, or 404 JOB_NOT_FOUND: another user's job
 * gets the same answer as one that never existed (never 403), so ids tell
 * nobody what others have.
 */
export async function requireJob(jobs: Pick<JobRepository, 'getOwned'>, id: string, ownerId: string): Promise<Job> {
  const job = await jobs.getOwned(id, ownerId);
  if (!job) throw new ServiceError('JOB_NOT_FOUND', `no job ${id}`);
  return job;
}

/** The owner's job if it completed: captions exist only then. 404 JOB_NOT_FOUND, 409 JOB_NOT_COMPLETED. */
export async function requireCompletedJob(jobs: Pick<JobRepository, 'getOwned'>, id: string, ownerId: string): Promise<Job> {
  const job = await requireJob(jobs, id, ownerId);
  if (job.status !== 'completed') throw notCompleted(job);
  return job;
}

function notCompleted(job: Job): ServiceError {
  return new ServiceError('JOB_NOT_COMPLETED', `job ${job.id} is ${job.status}; captions exist once it has completed`, {
    details: {
      status: job.status,
    },
  });
}

/**
 * Why a conditional caption write changed nothing, read after the fact: the
 * job is gone, not completed, or someone saved first (the usual case). The
 * write itself was atomic; this read only words the answer.
 */
export async function explainRefusedWrite(
  jobs: Pick<JobRepository, 'getOwned'>,
  id: string,
  ownerId: string,
  baseVersion: number,
): Promise<ServiceError> {
  const job = await requireJob(jobs, id, ownerId);
  if (job.status !== 'completed') return notCompleted(job);
  return new ServiceError(
    'VERSION_CONFLICT',
    `the captions changed since version ${baseVersion}; they are at version ${job.captionVersion} now. Reload them and apply your edits again`,
    { details: { current_version: job.captionVersion } },
  );
}
