import type { FastifyBaseLogger } from 'fastify';
import { JobStage, MlStatusResponse, type ProcessVideoRequest } from '@ecg/contracts';
import type { ObjectStorage } from '../storage/storage.js';
import { backoffDelayMs } from './backoff.js';
import type { Job, JobRepository } from './job-repository.js';
import { createTickLoop } from './tick-loop.js';

export interface DispatcherOptions {
  jobs: JobRepository;
  storage: Pick<ObjectStorage, 'createDownloadUrl'>;
  mlUrl: string;
  mlApiToken: string;
  downloadUrlExpiresSeconds: number;
  /** Pause between ticks, and the first backoff step. */
  intervalMs: number;
  maxBackoffMs: number;
  staleSeconds: number;
  timeoutSeconds: number;
  logger: Pick<FastifyBaseLogger, 'info' | 'warn' | 'error'>;
  fetch?: typeof fetch;
  /** Jobs handled per tick (each kind). */
  batchSize?: number;
  /** How long one call to the ML service may take. */
  requestTimeoutMs?: number;
  random?: () => number;
}

export interface Dispatcher {
  /** Starts the loop (idempotent); its first tick makes every backed-off queued job due. */
  start(): void;
  /** Ends the loop and resolves once the tick in flight, if any, has finished. */
  stop(): Promise<void>;
  /** Asks for a tick now (a job was just queued); a no-op unless started. */
  kick(): void;
  /** One pass: time out old jobs, deliver due queued jobs, check silent ones. */
  tick(): Promise<void>;
}

type Outcome =
  | { kind: 'accepted'; stage: JobStage }
  | { kind: 'retry'; reason: string }
  | { kind: 'refused'; reason: string };

/**
 * Owns delivery of jobs to the ML service. A job is stored `queued` first and
 * this loop hands it over; if the ML service is down, busy or not ready the
 * job stays queued and is retried with backoff, so nothing is lost when either
 * service restarts. All state lives in the database (claims are leases on
 * `next_dispatch_at`), so several backends can run this loop side by side.
 *
 * A backoff must not outlast its reason: when the loop starts (a backend that
 * comes up) and whenever the ML service accepts a job (it is back), every
 * other queued job waiting out a backoff is made due at once, so no job sits
 * out a delay it grew while a service was down.
 */
export function createDispatcher(opts: DispatcherOptions): Dispatcher {
  const doFetch = opts.fetch ?? fetch;
  const batch = opts.batchSize ?? 10;
  const requestTimeoutMs = opts.requestTimeoutMs ?? 15_000;
  // A claim must outlive the HTTP call it covers, or a second backend could re-send the job mid-call.
  const claimLeaseMs = requestTimeoutMs + 30_000;
  const policy = { baseMs: opts.intervalMs, maxMs: opts.maxBackoffMs };
  const log = opts.logger;
  const auth = { authorization: `Bearer ${opts.mlApiToken}` };

  // Aborts calls to the ML service on stop(), so shutdown never waits out a slow request.
  let stopSignal = new AbortController();
  const callSignal = () => AbortSignal.any([AbortSignal.timeout(requestTimeoutMs), stopSignal.signal]);
  // Jobs this process is handing over right now: their lease is not a backoff to cut short.
  const delivering = new Set<string>();
  let wakeOnNextTick = false;

  async function makeBackedOffDue(why: string): Promise<number> {
    const woken = await opts.jobs.makeBackedOffDue([...delivering]);
    if (woken > 0) log.info({ woken }, `${why}: queued jobs waiting out a backoff are due now`);
    return woken;
  }

  async function tick(): Promise<void> {
    const timedOut = await opts.jobs.failTimedOut(
      opts.timeoutSeconds,
      `the job did not finish within ${opts.timeoutSeconds} s; upload the file again or check the ML service`,
    );
    for (const job of timedOut) log.warn({ jobId: job.id, fileKey: job.fileKey }, 'job timed out (PROCESSING_TIMEOUT)');

    if (wakeOnNextTick) {
      wakeOnNextTick = false;
      await makeBackedOffDue('dispatcher started');
    }

    const due = await opts.jobs.claimDueQueued(batch, claimLeaseMs);
    await Promise.all(due.map((job) => deliver(job)));

    const silent = await opts.jobs.claimStaleProcessing(opts.staleSeconds, batch);
    await Promise.all(silent.map((job) => checkOnMl(job)));
  }

  async function deliver(job: Job): Promise<void> {
    delivering.add(job.id);
    try {
      await deliverClaimed(job);
    } finally {
      delivering.delete(job.id);
    }
  }

  async function deliverClaimed(job: Job): Promise<void> {
    const outcome = await sendToMl(job);
    if (outcome.kind === 'accepted') {
      const moved = await opts.jobs.markDispatched(job.id, outcome.stage);
      log.info({ jobId: job.id, attempt: job.dispatchAttempts, moved }, 'job accepted by the ML service');
      if ((await makeBackedOffDue('the ML service accepts jobs again')) > 0) loop.kick();
      return;
    }
    if (outcome.kind === 'retry') {
      const delay = backoffDelayMs(job.dispatchAttempts, policy, opts.random);
      await opts.jobs.scheduleRetry(job.id, delay, 'Waiting for the transcription service.');
      log.warn({ jobId: job.id, attempt: job.dispatchAttempts, retryInMs: delay, reason: outcome.reason }, 'ML service not reachable; job stays queued');
      return;
    }
    // A 4xx is a configuration fault (token, URL allow-list, version skew), not the job's:
    // keep it queued at the slowest pace so fixing the configuration delivers it.
    await opts.jobs.scheduleRetry(job.id, opts.maxBackoffMs, 'Waiting for the transcription service.');
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

  const loop = createTickLoop({
    intervalMs: opts.intervalMs,
    tick,
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
    kick: () => loop.kick(),
    tick,
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
