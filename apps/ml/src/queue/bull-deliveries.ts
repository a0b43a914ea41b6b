import { originOf } from '@ecg/net-policy';
import { Queue, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { SendOutcome } from '../pipeline/deliver-result.js';
import { backoffDelayMs } from '@ecg/service-kit';
import type { Deliveries, OutboxEntry, OutboxSettlement } from './delivery-outbox.js';

export const DELIVERY_QUEUE = 'ml-deliveries';

interface DeliveryData {
  job_id: string;
  kind: OutboxEntry['kind'];
  url: string;
  body: string;
  created_at: string;
}

export interface BullDeliveriesOptions {
  connection: Redis;
  prefix: string;
  /** False on an api-only instance: it adds deliveries, the worker instances send them. */
  send: ((entry: OutboxEntry) => Promise<SendOutcome>) | null;
  onSettled?: (entry: OutboxEntry, how: OutboxSettlement, detail: string) => Promise<void>;
  onRetry?: (entry: OutboxEntry, retryInMs: number) => Promise<void>;
  backoff?: (attempt: number) => number;
  maxAgeMs?: number;
  log?: { info: (obj: object, msg: string) => void; warn: (obj: object, msg: string) => void; error: (obj: object, msg: string) => void };
}

// Attempts are bounded by age (maxAgeMs, 7 days), not by count: at the 30 s cap that is ~20 000 tries.
const ATTEMPTS = 1_000_000;

/** Thrown by an attempt the backend did not take, so BullMQ schedules the next one `delayMs` later. */
class DeliveryRetry extends Error {
  override name = 'DeliveryRetry';
  constructor(
    message: string,
    readonly delayMs: number,
  ) {
    super(message);
  }
}

/**
 * Final deliveries as BullMQ jobs in the `ml-deliveries` queue, one per job
 * and kind (BullMQ job id `<job_id>.<kind>`, so adding one twice is a no-op),
 * retried with backoffDelayMs (the embedded outbox's formula, as BullMQ's
 * custom backoff) until the backend answers 2xx, 404/410 (dropped: the job
 * is unknown there) or the entry is older than maxAgeMs. They live in Redis,
 * so they survive a restart of the instance that made them and of the
 * backend; any worker instance sends them. Settlement is the outbox's:
 * onSettled once an entry leaves, onRetry after each failed attempt.
 */
export class BullDeliveries implements Deliveries {
  readonly #opts: BullDeliveriesOptions;
  readonly #queue: Queue<DeliveryData>;
  readonly #backoff: (attempt: number) => number;
  #worker: Worker<DeliveryData> | null = null;
  #lastPromote = 0;

  constructor(opts: BullDeliveriesOptions) {
    this.#opts = opts;
    this.#backoff = opts.backoff ?? ((n) => backoffDelayMs(n));
    this.#queue = new Queue<DeliveryData>(DELIVERY_QUEUE, { connection: opts.connection, prefix: opts.prefix });
    this.#queue.on('error', (err) => opts.log?.error({ err }, 'delivery queue error'));
  }

  static jobId(jobId: string, kind: OutboxEntry['kind']): string {
    return `${jobId}.${kind}`;
  }

  async add(input: Pick<OutboxEntry, 'job_id' | 'kind' | 'url' | 'body'>): Promise<void> {
    const data: DeliveryData = { ...input, created_at: new Date().toISOString() };
    await this.#queue.add(input.kind, data, {
      jobId: BullDeliveries.jobId(input.job_id, input.kind),
      attempts: ATTEMPTS,
      backoff: { type: 'ecg' },
      // A delivered body (up to ~15 MB with the waveform) has nothing left to do in Redis.
      removeOnComplete: true,
      removeOnFail: true,
    });
  }

  /** True while a delivery for the job waits or is being sent. */
  async has(jobId: string): Promise<boolean> {
    for (const kind of ['result', 'failure'] as const) {
      const state = await this.#queue.getJobState(BullDeliveries.jobId(jobId, kind));
      if (state === 'waiting' || state === 'delayed' || state === 'active' || state === 'prioritized') return true;
    }
    return false;
  }

  async pending(): Promise<number> {
    return this.#queue.getJobCountByTypes('wait', 'delayed', 'active', 'prioritized');
  }

  /**
   * Promotes every delivery waiting out a backoff, whatever its backend:
   * reading each one's URL would load its body (up to ~15 MB), and there is
   * one backend in all but compatibility setups, where a backend still down
   * costs one early attempt. At most once a second.
   */
  retryNow(url: string): void {
    if (originOf(url) === null || Date.now() - this.#lastPromote < 1000) return;
    this.#lastPromote = Date.now();
    this.#queue.promoteJobs().catch((err: unknown) => this.#opts.log?.warn({ err }, 'could not hurry the waiting deliveries'));
  }

  async start(): Promise<number> {
    const pending = await this.pending();
    if (this.#opts.send && !this.#worker) {
      this.#worker = new Worker<DeliveryData>(DELIVERY_QUEUE, (job) => this.#attempt(job), {
        connection: this.#opts.connection,
        prefix: this.#opts.prefix,
        concurrency: 4,
        // The delay the attempt computed (and told onRetry), so the formula is asked once per attempt.
        settings: { backoffStrategy: (attemptsMade: number, _type?: string, err?: Error) => (err instanceof DeliveryRetry ? err.delayMs : this.#backoff(attemptsMade)) },
      });
      this.#worker.on('error', (err) => this.#opts.log?.error({ err }, 'delivery worker error'));
    }
    return pending;
  }

  async stop(): Promise<void> {
    await this.#worker?.close();
    this.#worker = null;
    await this.#queue.close();
  }

  async #attempt(job: Job<DeliveryData>): Promise<void> {
    const { log, maxAgeMs = 7 * 24 * 3600_000 } = this.#opts;
    const entry: OutboxEntry = {
      job_id: job.data.job_id,
      kind: job.data.kind,
      url: job.data.url,
      body: job.data.body,
      attempts: job.attemptsMade,
      created_at: job.data.created_at,
      next_attempt_at: new Date().toISOString(),
    };
    let outcome: SendOutcome;
    try {
      outcome = await this.#opts.send!(entry);
    } catch (err) {
      outcome = { kind: 'retry', error: (err as Error).message };
    }
    if (outcome.kind === 'delivered') {
      await this.#opts.onSettled?.(entry, 'delivered', `HTTP ${outcome.status}`);
      this.retryNow(entry.url);
      return;
    }
    if (outcome.kind === 'gone') {
      log?.warn({ jobId: entry.job_id, kind: entry.kind, status: outcome.status }, 'backend does not know this job; delivery dropped');
      return this.#opts.onSettled?.(entry, 'gone', `the backend answered HTTP ${outcome.status} (job unknown there)`);
    }
    const attempts = entry.attempts + 1;
    if (Date.now() - Date.parse(entry.created_at) > maxAgeMs) {
      log?.warn({ jobId: entry.job_id, kind: entry.kind, attempts, error: outcome.error }, 'delivery expired; dropped');
      return this.#opts.onSettled?.(entry, 'expired', `not delivered after ${attempts} attempts: ${outcome.error}`);
    }
    const delay = this.#backoff(attempts);
    log?.info({ jobId: entry.job_id, kind: entry.kind, attempts, retryInMs: delay, error: outcome.error }, 'delivery failed; will retry');
    await this.#opts.onRetry?.({ ...entry, attempts, last_error: outcome.error }, delay);
    throw new DeliveryRetry(outcome.error, delay);
  }
}
