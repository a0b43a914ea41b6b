import type { ErrorCode } from '@ecg/contracts';
import type { JobRecord, JobStore } from './job-store.js';

/** Why a running job's signal was aborted; the runner reads it from `signal.reason`. */
export class JobAbort extends Error {
  constructor(readonly kind: 'cancel' | 'shutdown') {
    super(kind === 'cancel' ? 'cancelled' : 'service shutting down');
    this.name = 'JobAbort';
  }
}

/**
 * What the pool runs. `run` owns the job's outcome: it writes the final state
 * (completed, failed, or back to queued when aborted for shutdown) before it
 * resolves. `fail` ends a job that never started (cancelled while queued).
 */
export interface JobRunner {
  run(job: JobRecord, signal: AbortSignal): Promise<void>;
  fail(job: JobRecord, code: ErrorCode, message: string): Promise<void>;
}

interface Running {
  controller: AbortController;
  done: Promise<void>;
}

export interface WorkerPoolOptions {
  store: JobStore;
  runner: JobRunner;
  concurrency: number;
  log?: { error: (obj: object, msg: string) => void };
}

/**
 * Runs queued jobs on at most `concurrency` workers, oldest first. The
 * waiting list is a cache of the store's queued jobs (rebuilt by `recover`),
 * so a restart loses nothing: what was queued or mid-run is run again from the
 * start. The embedded queue (job-queue.ts); with REDIS_URL, bull-job-queue.ts
 * runs jobs instead.
 */
export class WorkerPool {
  readonly #store: JobStore;
  readonly #runner: JobRunner;
  readonly #concurrency: number;
  readonly #log: WorkerPoolOptions['log'];
  readonly #waiting: string[] = [];
  readonly #running = new Map<string, Running>();
  #stopped = false;

  constructor(opts: WorkerPoolOptions) {
    this.#store = opts.store;
    this.#runner = opts.runner;
    this.#concurrency = Math.max(1, opts.concurrency);
    this.#log = opts.log;
  }

  stats(): { waiting: number; running: number; concurrency: number } {
    return { waiting: this.#waiting.length, running: this.#running.size, concurrency: this.#concurrency };
  }

  isAccepting(): boolean {
    return !this.#stopped;
  }

  /**
   * Re-queues every job the store holds as queued or mid-run (a previous
   * process died or shut down under it), except those `skip` claims (a job
   * whose result is already in the delivery outbox). Returns how many.
   */
  async recover(skip: (job: JobRecord) => boolean = () => false): Promise<number> {
    const jobs = await this.#store.list({ status: ['queued', 'processing'] });
    let count = 0;
    for (const job of jobs) {
      if (skip(job) || this.#running.has(job.job_id) || this.#waiting.includes(job.job_id)) continue;
      if (job.status === 'processing') {
        await this.#store.update(job.job_id, {
          status: 'queued',
          stage: 'queued',
          progress: 0,
          message: 'interrupted by a restart; will run again from the start',
          partial_segments: undefined,
        });
      }
      this.#waiting.push(job.job_id);
      count++;
    }
    this.#pump();
    return count;
  }

  /** Queues a stored job; answers whether a worker took it at once. */
  submit(jobId: string): 'processing' | 'queued' {
    if (this.#stopped) throw new Error('worker pool is stopped');
    if (!this.#running.has(jobId) && !this.#waiting.includes(jobId)) this.#waiting.push(jobId);
    this.#pump();
    return this.#running.has(jobId) ? 'processing' : 'queued';
  }

  /**
   * Cancels a queued or running job: a running one is aborted (its engine
   * process killed) and its worker freed before this resolves. Returns the
   * job's record afterwards, or null when unknown. A job that already ended
   * is left as it is.
   */
  async cancel(jobId: string): Promise<JobRecord | null> {
    const running = this.#running.get(jobId);
    if (running) {
      running.controller.abort(new JobAbort('cancel'));
      await running.done;
      return this.#store.get(jobId);
    }
    const at = this.#waiting.indexOf(jobId);
    const job = await this.#store.get(jobId);
    if (at >= 0) this.#waiting.splice(at, 1);
    if (job && job.status === 'queued') {
      await this.#runner.fail(job, 'CANCELLED', 'cancelled before it started');
      return this.#store.get(jobId);
    }
    return job;
  }

  /**
   * Stops taking jobs and aborts running ones for shutdown; their runner puts
   * them back to queued so the next process reruns them. Resolves when every
   * worker is idle.
   */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#waiting.length = 0;
    const all = [...this.#running.values()];
    for (const r of all) r.controller.abort(new JobAbort('shutdown'));
    await Promise.all(all.map((r) => r.done));
  }

  /** Resolves when no job runs or waits (for tests and orderly shutdown). */
  async idle(): Promise<void> {
    while (this.#running.size > 0) await Promise.all([...this.#running.values()].map((r) => r.done));
  }

  #pump(): void {
    while (!this.#stopped && this.#running.size < this.#concurrency && this.#waiting.length > 0) {
      const jobId = this.#waiting.shift()!;
      const controller = new AbortController();
      const entry: Running = { controller, done: Promise.resolve() };
      this.#running.set(jobId, entry);
      entry.done = this.#runOne(jobId, controller.signal).finally(() => {
        this.#running.delete(jobId);
        this.#pump();
      });
    }
  }

  async #runOne(jobId: string, signal: AbortSignal): Promise<void> {
    try {
      const job = await this.#store.get(jobId);
      if (!job || job.status !== 'queued') return; // cancelled or finished meanwhile
      const started = await this.#store.update(jobId, {
        status: 'processing',
        stage: 'downloading',
        progress: 0,
        message: 'starting',
        started_at: new Date().toISOString(),
        runs: job.runs + 1,
        partial_segments: undefined,
      });
      if (started) await this.#runner.run(started, signal);
    } catch (err) {
      // The runner records every pipeline failure itself; reaching here means the
      // store or the runner broke, and the job must still not stay "processing".
      this.#log?.error({ err, jobId }, 'job runner failed unexpectedly');
      const job = await this.#store.get(jobId).catch(() => null);
      if (job && job.status === 'processing') {
        await this.#runner
          .fail(job, 'INTERNAL_ERROR', `internal error: ${(err as Error).message}`)
          .catch((e: unknown) => this.#log?.error({ err: e, jobId }, 'could not record the failure'));
      }
    }
  }
}
