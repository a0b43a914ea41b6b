import type { ErrorCode, JobStage, TranscriptResult, TranscriptSegment } from '@ecg/contracts';
import { isServiceError } from '@ecg/service-kit';
import { failureBody, ProgressDelivery, resultBody } from '../pipeline/deliver-result.js';
import { ProgressTracker } from '../pipeline/progress.js';
import { runJob, toMlError, type PipelineDeps } from '../pipeline/run-job.js';
import type { Deliveries, OutboxEntry, OutboxSettlement } from './delivery-outbox.js';
import type { JobPatch, JobRecord, JobStore } from './job-store.js';
import { JobAbort, type JobRunner } from './worker-pool.js';

export interface Logger {
  info: (obj: object, msg: string) => void;
  warn: (obj: object, msg: string) => void;
  error: (obj: object, msg: string) => void;
}

export interface JobRunnerDeps {
  store: JobStore;
  outbox: Pick<Deliveries, 'add'>;
  /** Pipeline settings for a run starting now; throws ServiceError(MODEL_UNAVAILABLE) when no model is usable. */
  pipelineDeps: () => Promise<PipelineDeps>;
  /** Sends one best-effort progress delivery (signed POST of the raw body). */
  sendProgress: (url: string, rawBody: string) => Promise<unknown>;
  progressIntervalMs?: number;
  /** Least time between two progress writes to the store (stage changes are written at once). */
  storeIntervalMs?: number;
  log: Logger;
  /** Told of each transcribed result and each failure (GET /metrics counts them). */
  onTranscribed?: (result: TranscriptResult) => void;
  onFailed?: (code: ErrorCode) => void;
}

/**
 * Connects the pipeline to the store and the deliveries: progress goes to the
 * store (throttled) and, best-effort, to the backend; the final result or
 * failure goes through the persisted outbox. A job aborted for shutdown goes
 * back to queued, to be rerun by the next process.
 */
export function createJobRunner(deps: JobRunnerDeps): JobRunner {
  const { store, log } = deps;

  async function fail(job: JobRecord, code: ErrorCode, message: string): Promise<void> {
    // Failures are final at once; the delivery only tells the backend.
    await store.update(job.job_id, {
      status: 'failed',
      stage: 'failed',
      message,
      error_code: code,
      error_message: message,
      finished_at: new Date().toISOString(),
      partial_segments: undefined,
    });
    await deps.outbox.add({ job_id: job.job_id, kind: 'failure', url: job.callback_url, body: failureBody(job.job_id, code, message) });
    log.info({ jobId: job.job_id, code }, `job failed: ${message}`);
    deps.onFailed?.(code);
  }

  async function run(job: JobRecord, signal: AbortSignal): Promise<void> {
    const tracker = new ProgressTracker();
    const progress = new ProgressDelivery({
      jobId: job.job_id,
      minIntervalMs: deps.progressIntervalMs,
      send: (body) => deps.sendProgress(job.callback_url, body),
    });
    const segments: TranscriptSegment[] = [];
    const storeIntervalMs = deps.storeIntervalMs ?? 500;
    let message = 'starting';
    let lastWrite = 0;
    let writing: Promise<unknown> = Promise.resolve();
    let dirty = false;
    let timer: NodeJS.Timeout | null = null;
    const persist = (now: boolean) => {
      dirty = true;
      const wait = lastWrite + storeIntervalMs - Date.now();
      if (!now && wait > 0) {
        timer ??= setTimeout(() => {
          timer = null;
          persist(true);
        }, wait);
        return;
      }
      if (timer) clearTimeout(timer);
      timer = null;
      lastWrite = Date.now();
      dirty = false;
      const patch: JobPatch = { stage: tracker.stage, progress: tracker.value, message };
      if (segments.length > 0) patch.partial_segments = [...segments];
      writing = writing
        .then(() => store.update(job.job_id, patch))
        .catch((err: unknown) => log.warn({ err, jobId: job.job_id }, 'could not record progress'));
    };
    const settleProgress = async () => {
      if (timer) clearTimeout(timer);
      timer = null;
      dirty = false;
      await writing;
      await progress.close();
    };

    try {
      const pipelineDeps = await deps.pipelineDeps();
      const { result, waveform, thumbnails } = await runJob(
        {
          jobId: job.job_id,
          videoUrl: job.video_url,
          language: job.language,
          ...(job.speakers ? { speakers: job.speakers } : {}),
          ...(job.decode ? { decode: job.decode } : {}),
        },
        pipelineDeps,
        {
        signal,
        onProgress: (stage: JobStage, fraction: number, msg: string) => {
          // A new message alone ("waiting for storage") is news too: it is written at once, like a new stage.
          const urgent = stage !== tracker.stage || msg !== message;
          message = msg;
          if (tracker.update(stage, fraction) || urgent) persist(urgent);
          progress.report(stage, tracker.value, msg);
        },
        onSegment: (segment) => {
          segments.push(segment);
          persist(false);
        },
        onWarning: (msg, err) => log.warn({ err, jobId: job.job_id }, msg),
        onNotice: (msg, details) => log.warn({ ...details, jobId: job.job_id }, msg),
      });
      await settleProgress();
      deps.onTranscribed?.(result);
      tracker.update('delivering', 0);
      // The stage is recorded before the outbox gets the result: a delivery that
      // succeeds at once marks the job completed, and nothing may overwrite that.
      await store.update(job.job_id, {
        stage: 'delivering',
        progress: tracker.value,
        message: 'delivering the result to the backend',
        partial_segments: undefined,
      });
      const body = resultBody(job.job_id, result, waveform, thumbnails);
      await deps.outbox.add({ job_id: job.job_id, kind: 'result', url: job.callback_url, body });
      log.info({ jobId: job.job_id, segments: result.segments.length, bodyBytes: Buffer.byteLength(body) }, 'job transcribed; result queued for delivery');
    } catch (err) {
      await settleProgress();
      if (signal.aborted && signal.reason instanceof JobAbort && signal.reason.kind === 'shutdown') {
        await store.update(job.job_id, {
          status: 'queued',
          stage: 'queued',
          progress: 0,
          message: 'interrupted by a shutdown; will run again from the start',
          started_at: null,
          partial_segments: undefined,
        });
        log.info({ jobId: job.job_id }, 'job interrupted by shutdown; back in the queue');
        return;
      }
      const e = isServiceError(err) ? err : toMlError(err, signal);
      await fail(job, e.code, e.message);
    } finally {
      if (dirty) log.warn({ jobId: job.job_id }, 'progress write dropped at job end');
    }
  }

  return { run, fail };
}

/**
 * What happens to a job when its final delivery leaves the outbox: a delivered
 * result completes it; a result the backend refused as unknown, or gave up on,
 * fails it with DELIVERY_ERROR (the transcript exists nowhere else).
 */
export function createDeliverySettlement(store: JobStore, log: Logger, onRetried?: (kind: OutboxEntry['kind']) => void) {
  return {
    async onSettled(entry: OutboxEntry, how: OutboxSettlement, detail: string): Promise<void> {
      log.info({ jobId: entry.job_id, kind: entry.kind, how, detail }, 'delivery settled');
      if (entry.kind !== 'result') return;
      const now = new Date().toISOString();
      if (how === 'delivered') {
        await store.update(entry.job_id, { status: 'completed', stage: 'completed', progress: 100, message: 'completed', finished_at: now });
      } else {
        const message = `the result could not be delivered: ${detail}`;
        await store.update(entry.job_id, { status: 'failed', stage: 'failed', message, error_code: 'DELIVERY_ERROR', error_message: message, finished_at: now });
      }
    },
    async onRetry(entry: OutboxEntry, retryInMs: number): Promise<void> {
      onRetried?.(entry.kind);
      if (entry.kind !== 'result') return;
      await store.update(entry.job_id, {
        message: `result ready; the backend did not take it yet (attempt ${entry.attempts}: ${entry.last_error ?? 'error'}); retrying in ${Math.ceil(retryInMs / 1000)} s`,
      });
    },
  };
}
