import { Counter, Gauge, Histogram } from 'prom-client';
import { createServiceMetrics, type ServiceMetrics } from '@ecg/observability';
import type { JobStatus, TranscriptResult } from '@ecg/contracts';
import type { JobQueue } from '../queue/job-queue.js';
import type { JobStore } from '../queue/job-store.js';

export interface MlMetrics extends ServiceMetrics {
  /** A job transcribed: its per-stage timing (seconds) goes into ecg_ml_stage_seconds. */
  jobTranscribed(result: TranscriptResult): void;
  jobFailed(code: string): void;
  /** A result or failure delivery to the backend failed and was scheduled again. */
  deliveryRetried(kind: string): void;
}

const STATUSES: readonly JobStatus[] = ['queued', 'processing', 'completed', 'failed'];

/**
 * What an operator watches on an ML instance: the queue (jobs waiting for
 * any worker, jobs this instance runs, its concurrency), jobs by status in
 * the job store (shared on Redis, so every instance reports the same),
 * per-stage durations, failures by code, delivery retries, and HTTP latency.
 */
export function createMlMetrics(deps: { queue: Pick<JobQueue, 'stats'>; store: Pick<JobStore, 'list'> }): MlMetrics {
  const base = createServiceMetrics('ml');
  const registers = [base.registry];
  new Gauge({
    name: 'ecg_ml_queue_jobs',
    help: 'Jobs waiting for a worker (every instance’s on the shared queue) and jobs this instance runs now',
    labelNames: ['state'] as const,
    registers,
    async collect() {
      const s = await deps.queue.stats();
      this.set({ state: 'waiting' }, s.waiting);
      this.set({ state: 'running' }, s.running);
    },
  });
  new Gauge({
    name: 'ecg_ml_concurrency',
    help: 'Jobs this instance runs at once (0 for an api-only instance)',
    registers,
    async collect() {
      this.set((await deps.queue.stats()).concurrency);
    },
  });
  new Gauge({
    name: 'ecg_ml_jobs',
    help: 'Jobs in the job store by status',
    labelNames: ['status'] as const,
    registers,
    async collect() {
      const counts = new Map<JobStatus, number>(STATUSES.map((s) => [s, 0]));
      for (const r of await deps.store.list()) counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
      for (const [status, n] of counts) this.set({ status }, n);
    },
  });
  const stageSeconds = new Histogram({
    name: 'ecg_ml_stage_seconds',
    help: 'Time transcribed jobs spent in each pipeline stage',
    labelNames: ['stage'] as const,
    buckets: [0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600],
    registers,
  });
  const failures = new Counter({ name: 'ecg_ml_jobs_failed_total', help: 'Jobs that failed on this instance, by error code', labelNames: ['code'] as const, registers });
  const retries = new Counter({ name: 'ecg_ml_delivery_retries_total', help: 'Deliveries to the backend that failed and were scheduled again', labelNames: ['kind'] as const, registers });
  return {
    ...base,
    jobTranscribed(result) {
      for (const [stage, seconds] of Object.entries(result.timing ?? {})) {
        // The ML result names them `<stage>_seconds` (run-job.ts); the label is the stage.
        if (Number.isFinite(seconds) && seconds >= 0) stageSeconds.observe({ stage: stage.replace(/_seconds$/, '') }, seconds);
      }
    },
    jobFailed: (code) => failures.inc({ code }),
    deliveryRetried: (kind) => retries.inc({ kind }),
  };
}
