import { AppError } from '../errors.js';
import type { Job, JobRepository } from '../jobs/job-repository.js';

/**
 * The job if `ownerId` owns it, or 404 JOB_NOT_FOUND: another user's job
 * gets the same answer as one that never existed (never 403), so ids tell
 * nobody what others have.
 */
export async function requireJob(jobs: Pick<JobRepository, 'getOwned'>, id: string, ownerId: string): Promise<Job> {
  const job = await jobs.getOwned(id, ownerId);
  if (!job) throw new AppError('JOB_NOT_FOUND', 404, `no job ${id}`);
  return job;
}

/** The owner's job if it completed: captions exist only then. 404 JOB_NOT_FOUND, 409 JOB_NOT_COMPLETED. */
export async function requireCompletedJob(jobs: Pick<JobRepository, 'getOwned'>, id: string, ownerId: string): Promise<Job> {
  const job = await requireJob(jobs, id, ownerId);
  if (job.status !== 'completed') throw notCompleted(job);
  return job;
}

function notCompleted(job: Job): AppError {
  return new AppError('JOB_NOT_COMPLETED', 409, `job ${job.id} is ${job.status}; captions exist once it has completed`, {
    status: job.status,
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
): Promise<AppError> {
  const job = await requireJob(jobs, id, ownerId);
  if (job.status !== 'completed') return notCompleted(job);
  return new AppError(
    'VERSION_CONFLICT',
    409,
    `the captions changed since version ${baseVersion}; they are at version ${job.captionVersion} now. Reload them and apply your edits again`,
    { current_version: job.captionVersion },
  );
}
