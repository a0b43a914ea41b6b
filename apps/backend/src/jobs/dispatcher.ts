import type { FastifyBaseLogger } from 'fastify';
import { JobStage, MlStatusResponse, type ProcessVideoRequest } from '@ecg/contracts';
import type { ObjectStorage } from '../storage/storage.js';
import type { QueueJob, QueuePolicy, WorkQueue } from '../queue/work-queue.js';
import { QUEUED_JOB_KEYS_SQL, type Job, type JobRepository } from './job-repository.js';
import { createTickLoop } from './tick-loop.js';

export interface DispatcherOptions {
  jobs: JobRepository;
  /** Where deliveries wait, are claimed and retried ('ml-dispatch'; see dispatchQueuePolicy). */
  queue: WorkQueue;
  storage: Pick<ObjectStorage, 'createDownloadUrl'>;
  mlUrl: string;
  mlApiToken: string;
  downloadUrlExpiresSeconds: number;
  /** Pause between ticks. */
  intervalMs: number;
  /** A refused job (4xx) is tried again after this long. */
  maxBackoffMs: number;
  staleSeconds: number;
  timeoutSeconds: number;
  logger: Pick<FastifyBaseLogger, 'info' | 'warn' | 'error'>;
  fetch?: typeof fetch;
  /** Deliveries claimed per tick, and silent jobs checked per tick. */
  batchSize?: number;
  /** How long one call to the ML service may take. */
  requestTimeoutMs: number;
}

export interface Dispatcher {
  /** Starts the loop (idempotent); its first tick makes every delivery waiting out a backoff due. */
  start(): void;
  /** Ends the loop and resolves once the tick in flight, if any, has finished. */
  stop(): Promise<void>;
  /**
   * A job was just queued: queue its delivery now, and deliver it now when the
   * loop runs here. An API-only backend (BACKEND_ROLE=api) never starts the loop
   * and only queues; a worker delivers.
   */
  kick(): void;
  /** One pass: time out old jobs, queue missing deliveries, deliver due ones, check silent jobs. */
  tick(): Promise<void>;
  /** Queues a delivery for every queued job that has none waiting or under way. */
  enqueue(): Promise<void>;
}

type Outcome =
  | { kind: 'accepted'; stage: JobStage }
  | { kind: 'retry'; reason: string }
  | { kind: 'refused'; reason: string };

const QUEUE = 'ml-dispatch';
const WAITING = 'Waiting for the transcription service.';

/**
 * How pg-boss retries a delivery. Its backoff doubles from the first delay
 * with no cap, so the retry limit is set where the next step would pass
 * DISPATCH_MAX_BACKOFF_MS: the queue job then fails for good, and the next
 * tick's `enqueue` (the job row is still queued) starts a fresh one, so a job
 * never waits longer than about the cap. pg-boss counts delays in whole
 * seconds; an interval under a second retries at the polling pace.
 */
export function dispatchQueuePolicy(opts: { intervalMs: number; maxBackoffMs: number; requestTimeoutMs: number }): QueuePolicy {
  const delaySeconds = Math.floor(opts.intervalMs / 1000);
  return {
    retryDelaySeconds: delaySeconds,
    retryBackoff: delaySeconds > 0,
    retryLimit: delaySeconds > 0 ? Math.max(1, Math.floor(Math.log2(opts.maxBackoffMs / (delaySeconds * 1000)))) : 10,
    // A claim must outlive the HTTP call it covers, or a second backend could re-send the job mid-call.
    expireInSeconds: Math.max(1, Math.ceil((2 * opts.requestTimeoutMs) / 1000)),
  };
}

/**
 * Owns delivery of jobs to the ML service. A job is stored `queued` first and
 * a delivery for it waits in the work queue (pg-boss, in the same database);
 * if the ML service is down, busy or not ready the job stays queued and the
 * delivery is retried with pg-boss's backoff, so nothing is lost when either
 * service restarts, and a backend that dies mid-call leaves a claim that
 * expires and is retried by another. The job row stays the truth about the
 * job: a delivery for a job no longer queued sends nothing.
 *
 * A backoff must not outlast its reason: when the loop starts (a backend that
 * comes up) and whenever the ML service accepts a job (it is back), every
 * other delivery waiting out a backoff is made due at once.
 */
export function createDispatcher(opts: DispatcherOptions): Dispatcher {
  const doFetch = opts.fetch ?? fetch;
  const batch = opts.batchSize ?? 10;
  const requestTimeoutMs = opts.requestTimeoutMs;
  const log = opts.logger;
  const auth = { authorization: `Bearer ${opts.mlApiToken}` };
  const queue = opts.queue;

  // Aborts calls to the ML service on stop(), so shutdown never waits out a slow request.
  let stopSignal = new AbortController();
  const callSignal = () => AbortSignal.any([AbortSignal.timeout(requestTimeoutMs), stopSignal.signal]);
  let wakeOnNextTick = false;

  async function makeWaitingDue(why: string): Promise<number> {
    const woken = await queue.makeWaitingDue(QUEUE);
    if (woken > 0) log.info({ woken }, `${why}: deliveries waiting out a backoff are due now`);
    return woken;
  }

  async function enqueue(): Promise<void> {
    await queue.reconcile(
      QUEUE,
      (tx) => opts.jobs.queuedIds(1000, tx),
      async (ids, tx) => {
        for (const id of ids) await queue.send(QUEUE, id, { on: tx });
      },
    );
  }

  async function tick(): Promise<void> {
    const timedOut = await opts.jobs.failTimedOut(
      opts.timeoutSeconds,
      `the job did not finish within ${opts.timeoutSeconds} s; upload the file again or check the ML service`,
    );
    for (const job of timedOut) log.warn({ jobId: job.id, fileKey: job.fileKey }, 'job timed out (PROCESSING_TIMEOUT)');

    await enqueue();
    if (wakeOnNextTick) {
      wakeOnNextTick = false;
      await makeWaitingDue('dispatcher started');
    }

    const due = await queue.fetch(QUEUE, batch);
    await Promise.all(due.map((delivery) => deliver(delivery)));

    const silent = await opts.jobs.claimStaleProcessing(opts.staleSeconds, batch);
    await Promise.all(silent.map((job) => checkOnMl(job)));
  }

  async function deliver(delivery: QueueJob): Promise<void> {
    try {
      const job = await opts.jobs.beginDispatchAttempt(delivery.key);
      if (!job) {
        await queue.complete(QUEUE, delivery.id);
        return;
      }
      await deliverJob(job, delivery);
    } catch (err) {
      // The claim expires and the delivery is retried: nothing is lost, even now.
      log.error({ err, jobId: delivery.key }, 'could not record a delivery; it is retried once its claim expires');
    }
  }

  async function deliverJob(job: Job, delivery: QueueJob): Promise<void> {
    const outcome = await sendToMl(job);
    if (outcome.kind === 'accepted') {
      const moved = await opts.jobs.markDispatched(job.id, outcome.stage);
      await queue.complete(QUEUE, delivery.id);
      log.info({ jobId: job.id, attempt: job.dispatchAttempts, moved }, 'job accepted by the ML service');
      if ((await makeWaitingDue('the ML service accepts jobs again')) > 0) loop.kick();
      return;
    }
    await opts.jobs.noteDispatchWait(job.id, WAITING);
    if (outcome.kind === 'retry') {
      await queue.fail(QUEUE, delivery.id, outcome.reason);
      log.warn({ jobId: job.id, attempt: job.dispatchAttempts, reason: outcome.reason }, 'ML service not reachable; job stays queued');
      return;
    }
    // A 4xx is a configuration fault (token, URL allow-list, version skew), not the job's:
    // keep it queued at the slowest pace so fixing the configuration delivers it.
    await queue.requeue(QUEUE, delivery.id, job.id, opts.maxBackoffMs / 1000);
    log.error(
      { jobId: job.id, attempt: job.dispatchAttempts, reason: outcome.reason },
      'ML service REFUSED the job: check ML_URL and ML_API_TOKEN on both services; retrying at the slowest pace',
    );
  }

  async function sendToMl(job: Job): Promise<Outcome> {
    let videoUrl: string;
    try {
      videoUrl = await opts.storage.createDownloadUrl(job.fileKey, opts.downloadUrlExpiresSeconds);
    } catch (err) {
      return { kind: 'retry', reason: `storage could not sign a download URL: ${(err as Error).message}` };
    }
    const body: ProcessVideoRequest = {
      job_id: job.id,
      video_url: videoUrl,
      ...(job.language ? { language: job.language } : {}),
      ...(job.speakerCounts ?? {}),
      ...(job.jobOptions ?? {}),
    };
    let res: Response;
    try {
      res = await doFetch(`${opts.mlUrl}/api/upload-video/process-video`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...auth },
        body: JSON.stringify(body),
        signal: callSignal(),
      });
    } catch (err) {
      return { kind: 'retry', reason: describeFetchError(err) };
    }
    const text = await res.text().catch(() => '');
    // 409: the ML service already holds this job id (a re-send after a crash) — it is delivered.
    if (res.ok || res.status === 409) return { kind: 'accepted', stage: stageFromReply(text) };
    if (res.status === 429 || res.status >= 500) return { kind: 'retry', reason: `HTTP ${res.status} ${text.slice(0, 200)}` };
    return { kind: 'refused', reason: `HTTP ${res.status} ${text.slice(0, 500)}` };
  }

  async function checkOnMl(job: Job): Promise<void> {
    let res: Response;
    try {
      res = await doFetch(`${opts.mlUrl}/api/upload-video/status/${encodeURIComponent(job.id)}`, {
        headers: auth,
        signal: callSignal(),
      });
    } catch (err) {
      log.warn({ jobId: job.id, reason: describeFetchError(err) }, 'silent job: ML service unreachable; will ask again');
      return;
    }
    const text = await res.text().catch(() => '');
    if (res.status === 404) {
      const requeued = await opts.jobs.requeue(job.id, 'The transcription service lost the job; it is queued again.');
      log.warn({ jobId: job.id, requeued }, 'silent job unknown to the ML service; queued again');
      return;
    }
    if (!res.ok) {
      log.warn({ jobId: job.id, status: res.status }, 'silent job: ML status check failed; will ask again');
      return;
    }
    const parsed = MlStatusResponse.safeParse(safeJson(text));
    if (!parsed.success) {
      log.warn({ jobId: job.id }, 'silent job: ML status reply does not match the contract');
      return;
    }
    const s = parsed.data;
    if (s.status === 'failed') {
      await opts.jobs.fail(job.id, s.error_code ?? 'INTERNAL_ERROR', s.error_message ?? s.message);
      log.warn({ jobId: job.id, code: s.error_code }, 'silent job failed on the ML service');
    } else if (s.status === 'completed') {
      // The result is on its way (the ML service retries delivery); only note that it is alive.
      await opts.jobs.touch(job.id);
    } else {
      await opts.jobs.recordProgress(job.id, { progress: s.progress, stage: s.stage, message: s.message });
    }
  }

  // Between kicks, a tick runs only when one of its steps has something to do: nearly always nothing.
  async function due(): Promise<boolean> {
    return (await opts.jobs.dispatchChecksDue(opts.timeoutSeconds, opts.staleSeconds)) || (await queue.workDue(QUEUE, QUEUED_JOB_KEYS_SQL));
  }

  const loop = createTickLoop({
    intervalMs: opts.intervalMs,
    tick,
    due,
    onError: (err) => log.error({ err }, 'dispatcher tick failed; retrying next tick'),
  });

  return {
    start() {
      if (!loop.stopped) return;
      wakeOnNextTick = true;
      loop.start();
    },
    async stop() {
      await loop.stop(() => stopSignal.abort());
      // A fresh signal, so a tick() called directly afterwards (tests, tools) can still reach the ML service.
      stopSignal = new AbortController();
    },
    kick() {
      if (!loop.stopped) loop.kick();
      else void enqueue().catch((err: unknown) => log.error({ err }, 'could not queue a delivery; the next worker tick does'));
    },
    tick,
    enqueue,
  };
}

function stageFromReply(text: string): JobStage {
  const reply = safeJson(text);
  if (reply && typeof reply === 'object' && 'stage' in reply) {
    const stage = JobStage.safeParse(reply.stage);
    if (stage.success && stage.data !== 'completed' && stage.data !== 'failed') return stage.data;
  }
  // Accepted but not started: it waits in the ML service's own queue.
  return 'queued';
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function describeFetchError(err: unknown): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError') return 'timed out';
  if (e.name === 'AbortError') return 'aborted (shutting down)';
  return e.cause?.code ?? e.cause?.message ?? e.message ?? String(err);
}
