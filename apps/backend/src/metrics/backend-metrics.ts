import { Counter, Gauge, Histogram } from 'prom-client';
import { createServiceMetrics, type ServiceMetrics } from '@ecg/observability';
import type { TranscriptResult } from '@ecg/contracts';
import type { Db } from '../db/db.js';

export interface BackendMetrics extends ServiceMetrics {
  /** A job completed: its per-stage timing (the result's `timing`, seconds) goes into ecg_job_stage_seconds. */
  jobCompleted(result: TranscriptResult): void;
  /** A job ended failed, by error code. */
  jobFailed(code: string): void;
  /** A webhook attempt and how it went (delivered, retry, gave_up). */
  webhookAttempt(outcome: 'delivered' | 'retry' | 'gave_up'): void;
}

/**
 * What an operator watches on a backend (README, "Running at scale"): jobs
 * and renders by state and the queues' depth, read from the database at each
 * scrape (so every backend behind a load balancer reports the same, shared
 * figures); per-stage durations of completed jobs; failures by code;
 * webhook attempts; and HTTP latency (@ecg/observability).
 */
export function createBackendMetrics(db: Pick<Db, 'query'>): BackendMetrics {
  const base = createServiceMetrics('backend');
  const registers = [base.registry];

  const byStatus = async (table: 'jobs' | 'renders', gauge: Gauge<'status'>) => {
    const where = table === 'jobs' ? 'WHERE deleting_at IS NULL' : '';
    const rows = await db.query<{ status: string; n: number }>(`SELECT status, count(*)::int AS n FROM ${table} ${where} GROUP BY status`);
    gauge.reset();
    for (const status of ['queued', 'processing', 'completed', 'failed']) gauge.set({ status }, 0);
    for (const r of rows) gauge.set({ status: r.status }, Number(r.n));
  };

  new Gauge({
    name: 'ecg_jobs',
    help: 'Transcription jobs by status (queued = waiting to be dispatched to the ML service)',
    labelNames: ['status'] as const,
    registers,
    async collect() {
      await byStatus('jobs', this);
    },
  });
  new Gauge({
    name: 'ecg_renders',
    help: 'Burned-in caption renders by status (queued = waiting for a render worker)',
    labelNames: ['status'] as const,
    registers,
    async collect() {
      await byStatus('renders', this);
    },
  });
  new Gauge({
    name: 'ecg_webhooks_pending',
    help: 'Webhook deliveries not yet delivered nor given up',
    registers,
    async collect() {
      const rows = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM webhook_deliveries WHERE delivered_at IS NULL AND given_up_at IS NULL');
      this.set(Number(rows[0]?.n ?? 0));
    },
  });
  new Gauge({
    name: 'ecg_dispatch_retrying',
    help: 'Queued jobs the ML service refused or did not answer at least once (waiting out a backoff)',
    registers,
    async collect() {
      const rows = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM jobs WHERE status = 'queued' AND dispatch_attempts > 0 AND deleting_at IS NULL`);
      this.set(Number(rows[0]?.n ?? 0));
    },
  });

  const stageSeconds = new Histogram({
    name: 'ecg_job_stage_seconds',
    help: 'Time completed jobs spent in each pipeline stage (the ML result’s timing)',
    labelNames: ['stage'] as const,
    // Seconds per stage for media from a few seconds to hours long.
    buckets: [0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600],
    registers,
  });
  const failures = new Counter({ name: 'ecg_jobs_failed_total', help: 'Jobs the ML service reported failed, by error code', labelNames: ['code'] as const, registers });
  const webhooks = new Counter({ name: 'ecg_webhook_attempts_total', help: 'Webhook attempts by outcome', labelNames: ['outcome'] as const, registers });

  return {
    ...base,
    jobCompleted(result) {
      for (const [stage, seconds] of Object.entries(result.timing ?? {})) {
        // The ML result names them `<stage>_seconds` (run-job.ts); the label is the stage.
        if (Number.isFinite(seconds) && seconds >= 0) stageSeconds.observe({ stage: stage.replace(/_seconds$/, '') }, seconds);
      }
    },
    jobFailed: (code) => failures.inc({ code }),
    webhookAttempt: (outcome) => webhooks.inc({ outcome }),
  };
}
