import { setTimeout as sleep } from 'node:timers/promises';
import type { Job, JobRepository } from '../../jobs/job-repository.js';

export type WaitOutcome = { kind: 'ended'; job: Job } | { kind: 'timed-out'; job: Job | null } | { kind: 'abandoned' };

export interface WaitOptions {
  jobs: Pick<JobRepository, 'get'>;
  /** How long to wait in all (OPENAI_SYNC_TIMEOUT_SECONDS). */
  timeoutMs: number;
  /** Pause between reads of the job. */
  pollMs: number;
  /** Aborts when the client has gone: nobody is left to answer. */
  signal: AbortSignal;
}

/**
 * Waits for a job to end (completed or failed) by reading its row. The
 * database is where every backend sees the ML service's delivery land, so
 * polling it works with several backends behind one address, where an
 * in-process event would only hear deliveries to this one. A read by id
 * every `pollMs` is one indexed lookup; the job itself never waits on this.
 */
export async function waitForJob(jobId: string, opts: WaitOptions): Promise<WaitOutcome> {
  const deadline = Date.now() + opts.timeoutMs;
  let job: Job | null = null;
  for (;;) {
    if (opts.signal.aborted) return { kind: 'abandoned' };
    job = await opts.jobs.get(jobId);
    if (job && (job.status === 'completed' || job.status === 'failed')) return { kind: 'ended', job };
    const left = deadline - Date.now();
    if (left <= 0) return { kind: 'timed-out', job };
    try {
      await sleep(Math.min(opts.pollMs, left), undefined, { signal: opts.signal });
    } catch {
      return { kind: 'abandoned' };
    }
  }
}
