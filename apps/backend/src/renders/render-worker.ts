import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { FastifyBaseLogger } from 'fastify';
import { currentCaptions, currentSpeakers } from '../captions/caption-document.js';
import type { JobRepository } from '../jobs/job-repository.js';
import { renderKey } from '../storage/derived-keys.js';
import type { ObjectStorage } from '../storage/storage.js';
import { burnCaptions, RenderError } from './burn-captions.js';
import type { FfmpegTools } from './ffmpeg-tools.js';
import type { Render, RenderRepository } from './render-repository.js';
import { createTickLoop } from '../jobs/tick-loop.js';

export interface RenderWorkerOptions {
  renders: RenderRepository;
  jobs: Pick<JobRepository, 'get'>;
  storage: Pick<ObjectStorage, 'head' | 'createDownloadUrl' | 'write' | 'delete'>;
  tools: FfmpegTools;
  /** Renders run at once by this process (RENDER_CONCURRENCY). */
  concurrency: number;
  /** How long a claim holds without a renewal; renewed every third of it while ffmpeg runs. */
  leaseSeconds: number;
  /** Claims before a render that keeps getting interrupted is failed. */
  maxAttempts?: number;
  pollIntervalMs: number;
  x264Preset: string;
  crf: number;
  timeoutSeconds: number;
  /** Lifetime of the presigned URL ffmpeg reads the video from; must outlast the render. */
  inputUrlExpiresSeconds: number;
  logger: Pick<FastifyBaseLogger, 'info' | 'warn' | 'error'>;
  tmpRoot?: string;
}

export interface RenderWorker {
  /** Starts the loop (idempotent); renders whose lease ran out are queued again on the first tick. */
  start(): void;
  /** Ends the loop, kills running ffmpegs and hands their renders back to the queue; resolves when all that is done. */
  stop(): Promise<void>;
  /** A render was just queued: look now instead of at the next poll; a no-op unless started. */
  kick(): void;
  /** One pass: recover expired leases, claim what the free slots allow and start it. */
  tick(): Promise<void>;
  /** How many renders this worker runs now. */
  readonly running: number;
}

const PROGRESS_WRITE_MS = 1000;
// Encoding is most of the work; storing the file is the rest. 100 means stored.
const ENCODE_SHARE = 95;

class Shutdown extends Error {
  constructor() {
    super('the backend is shutting down');
    this.name = 'Shutdown';
  }
}

class LeaseLost extends Error {
  constructor() {
    super('the render was claimed by someone else (its lease ran out)');
    this.name = 'LeaseLost';
  }
}

/**
 * Runs queued renders inside the backend process. All state is in the
 * database: a render is claimed with `FOR UPDATE SKIP LOCKED` and a lease
 * renewed while ffmpeg runs, so several backends can share the queue and a
 * backend that dies leaves nothing stuck (its renders are queued again once
 * their lease runs out, and fail after `maxAttempts` claims).
 */
export function createRenderWorker(opts: RenderWorkerOptions): RenderWorker {
  const log = opts.logger;
  const owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const maxAttempts = opts.maxAttempts ?? 3;
  const running = new Map<string, { abort: AbortController; done: Promise<void> }>();


  async function tick(): Promise<void> {
    const { requeued, failed } = await opts.renders.recoverExpired(maxAttempts);
    for (const r of requeued) log.warn({ renderId: r.id, jobId: r.jobId, attempts: r.attempts }, 'render lease expired; queued again');
    for (const r of failed) log.error({ renderId: r.id, jobId: r.jobId, attempts: r.attempts }, 'render interrupted too often; failed');
    if (loop.stopped) return;
    const claimed = await opts.renders.claimQueued(opts.concurrency - running.size, owner, opts.leaseSeconds);
    for (const render of claimed) {
      if (loop.stopped) {
        await opts.renders.release(render.id, owner);
        continue;
      }
      const abort = new AbortController();
      const done = run(render, abort).finally(() => {
        running.delete(render.id);
        kick();
      });
      running.set(render.id, { abort, done });
    }
  }

  async function run(render: Render, abort: AbortController): Promise<void> {
    log.info({ renderId: render.id, jobId: render.jobId, attempt: render.attempts }, 'render started');
    let progress = 0;
    let lastWrite = 0;
    const renew = async (): Promise<void> => {
      const held = await opts.renders.renew(render.id, owner, opts.leaseSeconds, progress).catch((err: unknown) => {
        log.warn({ err, renderId: render.id }, 'could not renew a render lease; trying again');
        return true;
      });
      if (!held) abort.abort(new LeaseLost());
    };
    const heartbeat = setInterval(() => void renew(), (opts.leaseSeconds * 1000) / 3);
    heartbeat.unref();
    try {
      const job = await opts.jobs.get(render.jobId);
      if (!job || job.status !== 'completed') {
        throw new RenderError('JOB_NOT_COMPLETED', `job ${render.jobId} has no captions to burn in (it is ${job?.status ?? 'gone'})`);
      }
      const info = await opts.storage.head(job.fileKey).catch(() => {
        throw new RenderError('STORAGE_UNAVAILABLE', 'storage is not available to read the video');
      });
      if (!info) throw new RenderError('OBJECT_NOT_FOUND', `the video of job ${job.id} is no longer stored`);
      const inputUrl = await opts.storage.createDownloadUrl(job.fileKey, opts.inputUrlExpiresSeconds);
      const key = renderKey(job.id, render.id);
      const captions = currentCaptions(job);
      await burnCaptions({
        tools: opts.tools,
        inputUrl,
        captions,
        speakers: currentSpeakers(job, captions),
        expressive: render.expressive,
        strength: render.strength,
        title: job.fileName ?? undefined,
        language: job.result?.language,
        fallbackDurationSeconds: job.result?.duration ?? null,
        x264Preset: opts.x264Preset,
        crf: opts.crf,
        timeoutSeconds: opts.timeoutSeconds,
        signal: abort.signal,
        ...(opts.tmpRoot ? { tmpRoot: opts.tmpRoot } : {}),
        onProgress: (percent) => {
          progress = Math.round(percent * ENCODE_SHARE) / 100;
          const now = Date.now();
          if (now - lastWrite >= PROGRESS_WRITE_MS) {
            lastWrite = now;
            void renew();
          }
        },
        store: async (mp4) => {
          try {
            await opts.storage.write(key, mp4, 'video/mp4');
          } catch (err) {
            log.error({ err, renderId: render.id }, 'could not store a rendered video');
            throw new RenderError('STORAGE_UNAVAILABLE', 'the video was rendered but could not be stored; start the render again');
          }
        },
      });
      const completed = await opts.renders.complete(render.id, owner, key);
      log.info({ renderId: render.id, jobId: render.jobId, key, recorded: completed !== null }, 'render completed');
      // A job deleted while this render ran (its mark hides it from get) may have had its
      // objects removed before this one was written: remove it too, or it stays behind.
      if (!(await opts.jobs.get(render.jobId))) {
        await opts.storage.delete(key).catch((err: unknown) => log.warn({ err, renderId: render.id, key }, 'could not remove the render of a deleted job'));
        log.info({ renderId: render.id, jobId: render.jobId }, 'render finished after its job was deleted; its video removed');
      }
    } catch (err) {
      await settleFailure(render, abort, err);
    } finally {
      clearInterval(heartbeat);
    }
  }

  async function settleFailure(render: Render, abort: AbortController, err: unknown): Promise<void> {
    const reason: unknown = abort.signal.aborted ? abort.signal.reason : undefined;
    try {
      if (reason instanceof Shutdown) {
        const released = await opts.renders.release(render.id, owner);
        log.info({ renderId: render.id, released }, 'render interrupted by shutdown; queued again');
      } else if (reason instanceof LeaseLost) {
        log.warn({ renderId: render.id }, 'render abandoned: its lease ran out and it was queued again');
      } else if (err instanceof RenderError) {
        await opts.renders.fail(render.id, owner, err.code, err.message);
        log.warn({ renderId: render.id, jobId: render.jobId, code: err.code, reason: err.message }, 'render failed');
      } else {
        await opts.renders.fail(render.id, owner, 'INTERNAL_ERROR', 'the render failed unexpectedly; the backend log says more');
        log.error({ err, renderId: render.id, jobId: render.jobId }, 'render failed unexpectedly');
      }
    } catch (dbErr) {
      // The lease runs out and recovery picks it up: nothing stays stuck even now.
      log.error({ err: dbErr, renderId: render.id }, 'could not record the end of a render');
    }
  }

  const loop = createTickLoop({
    intervalMs: opts.pollIntervalMs,
    tick,
    onError: (err) => log.error({ err }, 'render worker tick failed; retrying next tick'),
  });
  const kick = () => loop.kick();

  return {
    start: () => loop.start(),
    async stop() {
      await loop.stop();
      for (const { abort } of running.values()) abort.abort(new Shutdown());
      await Promise.all([...running.values()].map((r) => r.done));
    },
    kick,
    tick,
    get running() {
      return running.size;
    },
  };
}
