import type { ErrorCode } from '@ecg/contracts';
import type { JobRecord, JobStore } from '../../src/queue/job-store.js';
import { JobAbort, type JobRunner } from '../../src/queue/worker-pool.js';

/**
 * fakeRunner: a unit-test stand-in for the pipeline runner. Each job blocks
 * until the test releases it or its signal aborts, and records what happened,
 * like the real runner does (completed / failed CANCELLED / back to queued).
 */
export function fakeRunner(store: JobStore) {
  const started: string[] = [];
  const release = new Map<string, () => void>();
  const runner: JobRunner = {
    async run(job: JobRecord, signal: AbortSignal) {
      started.push(job.job_id);
      await new Promise<void>((resolve) => {
        release.set(job.job_id, resolve);
        signal.addEventListener('abort', () => resolve(), { once: true });
      });
      if (!signal.aborted) {
        await store.update(job.job_id, { status: 'completed', stage: 'completed', progress: 100 });
      } else if (signal.reason instanceof JobAbort && signal.reason.kind === 'shutdown') {
        await store.update(job.job_id, { status: 'queued', stage: 'queued', progress: 0 });
      } else {
        await runner.fail(job, 'CANCELLED', 'cancelled');
      }
    },
    async fail(job: JobRecord, code: ErrorCode, message: string) {
      await store.update(job.job_id, { status: 'failed', stage: 'failed', error_code: code, error_message: message });
    },
  };
  return { runner, started, release: (id: string) => release.get(id)?.() };
}

/** Waits until `pred` holds, checking every 10 ms (the test's own timeout bounds it). */
export async function until(pred: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await pred())) await new Promise((r) => setTimeout(r, 10));
}
