import type { FastifyBaseLogger } from 'fastify';
import type { ObjectStorage } from '../storage/storage.js';
import type { JobDeletionRepository, MarkedJob } from './job-deletion-repository.js';
import { jobObjectKeys } from './job-objects.js';
import type { CancelOnMl } from './ml-cancel.js';

export interface JobDeleterOptions {
  deletions: Pick<JobDeletionRepository, 'renderIds' | 'deleteRows'>;
  storage: Pick<ObjectStorage, 'delete'>;
  cancelOnMl: CancelOnMl;
  /**
   * How long after the mark an unreachable ML service still holds a deletion
   * back. Past it the job is deleted without the cancel: a job the ML service
   * still runs then delivers to an unknown id (404) and stores nothing, so
   * only its CPU time is lost, while a deletion held forever would keep the
   * person's video stored against their wish.
   */
  cancelGiveUpSeconds: number;
  logger: Pick<FastifyBaseLogger, 'info' | 'warn'>;
  now?: () => number;
}

/** Finishes the deletion of a marked job; safe to run again at any point, by any backend, after a crash. */
export type FinishDeletion = (job: MarkedJob) => Promise<void>;

export function createJobDeleter(opts: JobDeleterOptions): FinishDeletion {
  const now = opts.now ?? Date.now;
  return async (job) => {
    if (job.status === 'queued' || job.status === 'processing') {
      try {
        const answer = await opts.cancelOnMl(job.id);
        opts.logger.info({ jobId: job.id, answer }, 'job being deleted: cancelled on the ML service');
      } catch (err) {
        const markedForMs = now() - job.deletingAt.getTime();
        if (markedForMs < opts.cancelGiveUpSeconds * 1000) throw err;
        opts.logger.warn({ jobId: job.id, err }, 'ML service still unreachable; deleting the job without cancelling it there');
      }
    }
    const keys = jobObjectKeys(job, await opts.deletions.renderIds(job.id));
    // One at a time: a failure leaves the rest (and the rows) for the next sweep, and order does not matter.
    for (const key of keys) await opts.storage.delete(key);
    await opts.deletions.deleteRows(job.id);
    opts.logger.info({ jobId: job.id, objects: keys.length }, 'job deleted');
  };
}
