import type { FastifyBaseLogger } from 'fastify';
import type { JobDeletionRepository } from './job-deletion-repository.js';
import type { FinishDeletion } from './job-deleter.js';
import { createTickLoop } from './tick-loop.js';

export interface RetentionSweepOptions {
  deletions: Pick<JobDeletionRepository, 'markExpired' | 'listMarked'>;
  finishDeletion: FinishDeletion;
  /** RETENTION_DAYS; null keeps jobs until someone deletes them. */
  retentionDays: number | null;
  intervalMs: number;
  logger: Pick<FastifyBaseLogger, 'info' | 'warn' | 'error'>;
  /** Jobs marked and finished per tick; more wait for the next tick (kicked at once when a batch was full). */
  batchSize?: number;
  /** Drops expired login sessions (the sessions table would otherwise keep every one ever made); returns how many. */
  deleteExpiredSessions?: () => Promise<number>;
}

export interface RetentionSweep {
  start(): void;
  stop(): Promise<void>;
  kick(): void;
  /** One pass: mark jobs past RETENTION_DAYS, then finish every marked job (interrupted DELETEs included). */
  tick(): Promise<void>;
}

/**
 * The background half of job deletion. A DELETE marks the job and finishes
 * it at once; this loop finishes any marked job whose deletion was cut short
 * (a crash, storage or the ML service unreachable), and marks the jobs
 * RETENTION_DAYS has expired. All state is in the database, so several
 * backends may sweep at once: every step is idempotent.
 */
export function createRetentionSweep(opts: RetentionSweepOptions): RetentionSweep {
  const batch = opts.batchSize ?? 20;
  const log = opts.logger;

  async function tick(): Promise<void> {
    let expired = 0;
    if (opts.retentionDays !== null) {
      expired = await opts.deletions.markExpired(opts.retentionDays, batch);
      if (expired > 0) log.info({ expired, retentionDays: opts.retentionDays }, 'jobs past RETENTION_DAYS marked for deletion');
    }
    const marked = await opts.deletions.listMarked(batch);
    let failed = 0;
    for (const job of marked) {
      try {
        await opts.finishDeletion(job);
      } catch (err) {
        failed += 1;
        log.warn({ jobId: job.id, err }, 'could not finish deleting a job; the next sweep tries again');
      }
    }
    const sessions = (await opts.deleteExpiredSessions?.()) ?? 0;
    if (sessions > 0) log.info({ sessions }, 'expired sessions removed');
    // A full batch that all went through: more may be waiting.
    if ((expired === batch || marked.length === batch) && failed === 0) loop.kick();
  }

  const loop = createTickLoop({
    intervalMs: opts.intervalMs,
    tick,
    onError: (err) => log.error({ err }, 'retention sweep failed; retrying next sweep'),
  });

  return {
    start: () => loop.start(),
    stop: () => loop.stop(),
    kick: () => loop.kick(),
    tick,
  };
}
