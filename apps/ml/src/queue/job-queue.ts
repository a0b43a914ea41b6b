import type { JobRecord } from './job-store.js';
import type { WorkerPool } from './worker-pool.js';

export interface QueueStats {
  /** Jobs waiting for a worker (every instance's, for the shared queue). */
  waiting: number;
  /** Jobs this instance runs now. */
  running: number;
  /** Jobs this instance runs at once (0 for an api-only instance). */
  concurrency: number;
}

/**
 * The queue seam: how the routes and the service hand a stored job to a
 * worker. Two implementations: the embedded one (the in-process WorkerPool
 * over the file store, `embeddedJobQueue`) and the shared one (BullMQ on
 * Redis, bull-job-queue.ts), where any instance may take a job and any
 * worker instance runs it.
 *
 * Callers may rely on:
 * - `submit` takes the id of a job already in the JobStore; submitting an id
 *   again is a no-op (the job runs once); it answers 'processing' only when
 *   this instance started it at once;
 * - `cancel` ends a queued or running job (whichever instance runs it) with
 *   CANCELLED before it resolves, and returns the record afterwards (null
 *   for an unknown id); a job that already ended is left as it is;
 * - `stop` takes no more jobs and puts this instance's running ones back to
 *   queued, to be run again from the start (here or by another worker);
 * - `start` begins taking jobs and answers how many a previous process left
 *   that were queued again.
 */
export interface JobQueue {
  submit(jobId: string): Promise<'processing' | 'queued'>;
  cancel(jobId: string): Promise<JobRecord | null>;
  isAccepting(): boolean;
  stats(): Promise<QueueStats>;
  start(): Promise<number>;
  stop(): Promise<void>;
  /** Resolves when this instance runs no job (tests and orderly shutdown). */
  idle(): Promise<void>;
}

/**
 * The embedded queue: the WorkerPool as it always ran. `skipOnRecover` names
 * jobs a restart must not run again (their result already waits in the
 * delivery outbox).
 */
export function embeddedJobQueue(pool: WorkerPool, skipOnRecover: (job: JobRecord) => boolean): JobQueue {
  return {
    submit: async (jobId) => pool.submit(jobId),
    cancel: (jobId) => pool.cancel(jobId),
    isAccepting: () => pool.isAccepting(),
    stats: async () => pool.stats(),
    start: () => pool.recover(skipOnRecover),
    stop: () => pool.stop(),
    idle: () => pool.idle(),
  };
}
