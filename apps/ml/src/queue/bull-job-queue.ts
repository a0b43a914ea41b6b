import { Queue, WaitingError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { RedisQueueConfig } from '../config.js';
import type { JobQueue, QueueStats } from './job-queue.js';
import type { JobRecord, JobStore } from './job-store.js';
import { JobAbort, type JobRunner } from './worker-pool.js';

export const JOB_QUEUE = 'ml-jobs';

interface Running {
  controller: AbortController;
  done: Promise<void>;
}

export interface BullJobQueueOptions {
  /** A client for commands; the queue makes its own duplicates for blocking reads and the cancel channel. */
  connection: Redis;
  settings: RedisQueueConfig;
  store: JobStore;
  runner: JobRunner;
  /** Jobs this instance runs at once; 0 makes it api-only (no BullMQ Worker). */
  concurrency: number;
  /** True when the job's final delivery already waits (a rerun after a crash there would redo finished work). */
  deliveryPending: (jobId: string) => Promise<boolean>;
  /** How long a cancel waits for another instance to stop the job before recording it cancelled itself. */
  cancelWaitMs?: number;
  log?: { info: (obj: object, msg: string) => void; warn: (obj: object, msg: string) => void; error: (obj: object, msg: string) => void };
}

const isLive = (job: JobRecord | null): job is JobRecord => job !== null && (job.status === 'queued' || job.status === 'processing');

/**
 * The shared queue: BullMQ's `ml-jobs` queue on Redis, the BullMQ job id
 * being the ECG job id (so a second submit is a no-op). Every instance may
 * add jobs; those with a worker (ML_ROLE all or worker) run them through the
 * same JobRunner as the embedded pool. A worker killed mid-job stops renewing
 * its lock; after lockDurationMs the next stalled check (every
 * stalledIntervalMs, by any worker) puts the job back to wait and another
 * worker runs it from the start. A job that lost its worker more than
 * maxStalledCount times is failed by BullMQ, and recorded here as
 * INTERNAL_ERROR (delivered like any failure) instead of being run again.
 * A cancel reaches the instance running the job over a Redis channel.
 */
export class BullJobQueue implements JobQueue {
  readonly #opts: BullJobQueueOptions;
  readonly #queue: Queue<{ job_id: string }>;
  readonly #running = new Map<string, Running>();
  readonly #channel: string;
  #worker: Worker<{ job_id: string }> | null = null;
  #subscriber: Redis | null = null;
  #stopped = false;

  constructor(opts: BullJobQueueOptions) {
    this.#opts = opts;
    this.#channel = `${opts.settings.prefix}:ml:cancel`;
    this.#queue = new Queue<{ job_id: string }>(JOB_QUEUE, { connection: opts.connection, prefix: opts.settings.prefix });
    this.#queue.on('error', (err) => opts.log?.error({ err }, 'job queue error'));
  }

  async submit(jobId: string): Promise<'processing' | 'queued'> {
    if (this.#stopped) throw new Error('job queue is stopped');
    await this.#queue.add('transcribe', { job_id: jobId }, {
      jobId,
      // Pipeline failures are recorded by the runner and end the BullMQ job normally; only a lost worker reruns a job.
      attempts: 1,
      // The job record is the truth; BullMQ's copy is kept a day (completed) or a week (failed) for inspection.
      removeOnComplete: { age: 24 * 3600 },
      removeOnFail: { age: 7 * 24 * 3600 },
    });
    return 'queued';
  }

  isAccepting(): boolean {
    return !this.#stopped;
  }

  async stats(): Promise<QueueStats> {
    return {
      waiting: await this.#queue.getJobCountByTypes('wait', 'prioritized', 'delayed'),
      running: this.#running.size,
      concurrency: this.#opts.concurrency,
    };
  }

  /**
   * Starts the worker (unless api-only) and queues again every job the store
   * holds as queued: one accepted by an instance that died before it reached
   * BullMQ, or lost from a Redis that was restarted without persistence.
   */
  async start(): Promise<number> {
    const { settings, concurrency, log } = this.#opts;
    let requeued = 0;
    for (const job of await this.#opts.store.list({ status: ['queued'] })) {
      const state = await this.#queue.getJobState(job.job_id);
      if (state !== 'unknown') continue;
      await this.submit(job.job_id);
      requeued++;
    }
    if (concurrency > 0) {
      this.#subscriber = this.#opts.connection.duplicate();
      this.#subscriber.on('message', (_channel: string, jobId: string) => this.#running.get(jobId)?.controller.abort(new JobAbort('cancel')));
      this.#subscriber.on('error', (err) => log?.error({ err }, 'cancel channel error'));
      await this.#subscriber.subscribe(this.#channel);
      this.#worker = new Worker<{ job_id: string }>(JOB_QUEUE, (job, token) => this.#process(job, token), {
        connection: this.#opts.connection,
        prefix: settings.prefix,
        concurrency,
        lockDuration: settings.lockDurationMs,
        stalledInterval: settings.stalledIntervalMs,
        maxStalledCount: settings.maxStalledCount,
      });
      this.#worker.on('error', (err) => log?.error({ err }, 'job worker error'));
      this.#worker.on('stalled', (jobId) => log?.warn({ jobId }, 'job lost its worker; queued again'));
      this.#worker.on('failed', (job, err) => void this.#onFailed(job, err));
    }
    return requeued;
  }

  async cancel(jobId: string): Promise<JobRecord | null> {
    const { store, runner } = this.#opts;
    const job = await store.get(jobId);
    if (!isLive(job)) return job;
    const local = this.#running.get(jobId);
    if (local) {
      local.controller.abort(new JobAbort('cancel'));
      await local.done;
      return store.get(jobId);
    }
    const bull = await this.#queue.getJob(jobId);
    const state = bull ? await bull.getState() : 'unknown';
    if (state !== 'active') {
      // A worker may take it between the two lines; then remove() refuses and the channel stops it.
      const removed = bull ? await bull.remove().then(() => true, () => false) : true;
      if (removed) {
        await runner.fail(job, 'CANCELLED', 'cancelled before it started');
        return store.get(jobId);
      }
    }
    await this.#opts.connection.publish(this.#channel, jobId);
    const deadline = Date.now() + (this.#opts.cancelWaitMs ?? 10_000);
    while (Date.now() < deadline) {
      const now = await store.get(jobId);
      if (!isLive(now)) return now;
      await new Promise((r) => setTimeout(r, 100));
    }
    // No instance answered: its worker died. A stalled rerun later finds the job ended and skips it.
    const still = await store.get(jobId);
    if (isLive(still)) await runner.fail(still, 'CANCELLED', 'cancelled while its worker was not answering');
    return store.get(jobId);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    // Take nothing new, but keep the connection: the interrupted jobs go back to wait through it.
    await this.#worker?.pause(true);
    const all = [...this.#running.values()];
    for (const r of all) r.controller.abort(new JobAbort('shutdown'));
    await Promise.all(all.map((r) => r.done));
    await this.#worker?.close();
    this.#worker = null;
    await this.#subscriber?.quit().catch(() => undefined);
    this.#subscriber = null;
    await this.#queue.close();
  }

  async idle(): Promise<void> {
    while (this.#running.size > 0) await Promise.all([...this.#running.values()].map((r) => r.done));
  }

  async #process(bull: Job<{ job_id: string }>, token: string | undefined): Promise<void> {
    const jobId = bull.data.job_id;
    const controller = new AbortController();
    const entry: Running = { controller, done: Promise.resolve() };
    this.#running.set(jobId, entry);
    entry.done = this.#runOne(jobId, controller.signal).finally(() => this.#running.delete(jobId));
    await entry.done;
    if (controller.signal.aborted && controller.signal.reason instanceof JobAbort && controller.signal.reason.kind === 'shutdown') {
      // Back to wait without counting an attempt: another worker (or this one, restarted) runs it again.
      // Should Redis refuse that now, the job's lock lapses and the stalled check requeues it instead;
      // failing the BullMQ job here would fail a job that only met a shutdown.
      await bull.moveToWait(token).catch((err: unknown) => this.#opts.log?.warn({ err, jobId }, 'could not put the job back; its lock will lapse instead'));
      throw new WaitingError();
    }
  }

  async #runOne(jobId: string, signal: AbortSignal): Promise<void> {
    const { store, runner, log } = this.#opts;
    try {
      const job = await store.get(jobId);
      if (!isLive(job)) return; // cancelled or finished meanwhile
      // A worker died after the result was handed over: it only waits for the backend now.
      if (job.stage === 'delivering' && (await this.#opts.deliveryPending(jobId))) return;
      const started = await store.update(jobId, {
        status: 'processing',
        stage: 'downloading',
        progress: 0,
        message: job.status === 'processing' ? 'starting again: the worker running it stopped' : 'starting',
        started_at: new Date().toISOString(),
        runs: job.runs + 1,
        partial_segments: undefined,
      });
      if (started) await runner.run(started, signal);
    } catch (err) {
      log?.error({ err, jobId }, 'job runner failed unexpectedly');
      const job = await store.get(jobId).catch(() => null);
      if (job && job.status === 'processing') {
        await runner
          .fail(job, 'INTERNAL_ERROR', `internal error: ${(err as Error).message}`)
          .catch((e: unknown) => log?.error({ err: e, jobId }, 'could not record the failure'));
      }
    }
  }

  /** BullMQ failed a job the runner did not end: it lost its worker more than maxStalledCount times (or the processor broke). */
  async #onFailed(bull: Job<{ job_id: string }> | undefined, err: Error): Promise<void> {
    if (!bull) return;
    const { store, runner, log, settings } = this.#opts;
    try {
      const job = await store.get(bull.data.job_id);
      if (!isLive(job)) return;
      const message = /stalled more than/.test(err.message)
        ? `the worker running this job stopped ${settings.maxStalledCount + 1} times (killed or crashed; the file may be what kills it); not run again`
        : `internal error: ${err.message}`;
      log?.error({ jobId: job.job_id, reason: err.message }, message);
      await runner.fail(job, 'INTERNAL_ERROR', message);
    } catch (e) {
      log?.error({ err: e, jobId: bull.data.job_id }, 'could not record the failure');
    }
  }
}
