import type { FastifyBaseLogger } from 'fastify';
import { currentCaptions, currentSpeakers } from '../captions/caption-document.js';
import type { JobRepository } from '../jobs/job-repository.js';
import { renderKey } from '../storage/derived-keys.js';
import type { ObjectStorage } from '../storage/storage.js';
import { burnCaptions, RenderError } from './burn-captions.js';
import type { FfmpegTools } from './ffmpeg-tools.js';
import { LIVE_RENDER_KEYS_SQL, type Render, type RenderRepository } from './render-repository.js';
import { createTickLoop } from '../jobs/tick-loop.js';
import type { QueueJob, QueuePolicy, WorkQueue } from '../queue/work-queue.js';

export interface RenderWorkerOptions {
  renders: RenderRepository;
  /** Where renders wait, are claimed and retried ('render'; see renderQueuePolicy). */
  queue: WorkQueue;
  jobs: Pick<JobRepository, 'get'>;
  storage: Pick<ObjectStorage, 'head' | 'createDownloadUrl' | 'write' | 'delete'>;
  tools: FfmpegTools;
  /** Renders run at once by this process (RENDER_CONCURRENCY). */
  concurrency: number;
  /** How long a claim holds without a renewal; renewed every third of it while ffmpeg runs. */
  leaseSeconds: number;
  /** Claims before a render that keeps getting interrupted is failed (renderQueuePolicy's too). */
  maxAttempts: number;
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
  /** Starts the loop (idempotent). */
  start(): void;
  /** Ends the loop, kills running ffmpegs and hands their renders back to the queue; resolves when all that is done. */
  stop(): Promise<void>;
  /**
   * A render was just queued: queue its work now, and start it now when the
   * loop runs here (an API-only backend never starts the loop; a worker renders).
   */
  kick(): void;
  /** Queues work for every live render that has none (see tick). */
  enqueue(): Promise<void>;
  /** One pass: queue work for renders that have none, claim what the free slots allow and start it. */
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
    super('the render was claimed by someone else (its claim ran out)');
    this.name = 'LeaseLost';
  }
}

const QUEUE = 'render';

/**
 * How the work queue holds a render: a claim lasts RENDER_LEASE_SECONDS and is
 * renewed while ffmpeg runs, so a backend that dies mid-render loses it within
 * that time and another backend retries it at once, up to `maxAttempts` in all.
 */
export function renderQueuePolicy(opts: { leaseSeconds: number; maxAttempts: number }): QueuePolicy {
  return { retryLimit: opts.maxAttempts - 1, retryDelaySeconds: 0, retryBackoff: false, expireInSeconds: opts.leaseSeconds };
}

/**
 * Runs queued renders inside the backend process. A render's work waits in
 * the work queue (pg-boss, in the same database), so several backends share
 * it; the claim is renewed while ffmpeg runs, and a backend that dies leaves
 * nothing stuck: its claim runs out and another backend takes the render over
 * (failing it after `maxAttempts` claims). Each attempt owns the render row
 * by a name of its own, so an attempt that lost its claim cannot write.
 */
export function createRenderWorker(opts: RenderWorkerOptions): RenderWorker {
  const log = opts.logger;
  const maxAttempts = opts.maxAttempts;
  const queue = opts.queue;
  const running = new Map<string, { abort: AbortController; done: Promise<void> }>();

  // Queue work for live renders that have none: new ones, ones handed back at shutdown, ones whose retries ran out.
  async function enqueue(): Promise<void> {
    await queue.reconcile(
      QUEUE,
      (tx) => opts.renders.liveIds(tx),
      async (ids, tx) => {
        const { queued, failed } = await opts.renders.settleOrphans(ids, maxAttempts, tx);
        for (const r of failed) log.error({ renderId: r.id, jobId: r.jobId, attempts: r.attempts }, 'render interrupted too often; failed');
        for (const r of queued) await queue.send(QUEUE, r.id, { on: tx });
      },
    );
  }

  async function tick(): Promise<void> {
    await enqueue();
    if (loop.stopped) return;
    const claimed = await queue.fetch(QUEUE, opts.concurrency - running.size);
    for (const work of claimed) {
      // The attempt's own name: a retry of the same queue job is another attempt.
      const owner = `${work.id}/${work.retryCount}`;
      const render = loop.stopped ? null : await opts.renders.claim(work.key, owner);
      if (!render) {
        await queue.complete(QUEUE, work.id);
        continue;
      }
      if (work.retryCount > 0) log.warn({ renderId: render.id, jobId: render.jobId, attempts: render.attempts }, 'render taken over after its claim ran out');
      const abort = new AbortController();
      const done = run(render, work, owner, abort).finally(() => {
        running.delete(render.id);
        kick();
      });
      running.set(render.id, { abort, done });
    }
  }

  async function run(render: Render, work: QueueJob, owner: string, abort: AbortController): Promise<void> {
    log.info({ renderId: render.id, jobId: render.jobId, attempt: render.attempts }, 'render started');
    let progress = 0;
    let lastWrite = 0;
    const renew = async (): Promise<void> => {
      const held = await Promise.all([queue.extend(QUEUE, work.id), opts.renders.renew(render.id, owner, progress)])
        .then(([claim, row]) => claim && row)
        .catch((err: unknown) => {
          log.warn({ err, renderId: render.id }, 'could not renew a render claim; trying again');
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
      if (completed) await queue.complete(QUEUE, work.id);
      log.info({ renderId: render.id, jobId: render.jobId, key, recorded: completed !== null }, 'render completed');
      // A job deleted while this render ran (its mark hides it from get) may have had its
      // objects removed before this one was written: remove it too, or it stays behind.
      if (!(await opts.jobs.get(render.jobId))) {
        await opts.storage.delete(key).catch((err: unknown) => log.warn({ err, renderId: render.id, key }, 'could not remove the render of a deleted job'));
        log.info({ renderId: render.id, jobId: render.jobId }, 'render finished after its job was deleted; its video removed');
      }
    } catch (err) {
      await settleFailure(render, work, owner, abort, err);
    } finally {
      clearInterval(heartbeat);
    }
  }

  // The queue job ends only where this attempt still owned the render; otherwise it is someone else's now.
  async function settleFailure(render: Render, work: QueueJob, owner: string, abort: AbortController, err: unknown): Promise<void> {
    const reason: unknown = abort.signal.aborted ? abort.signal.reason : undefined;
    try {
      if (reason instanceof Shutdown) {
        // Handed back without counting the try; the next tick of any worker queues its work afresh.
        const released = await opts.renders.release(render.id, owner);
        if (released) await queue.complete(QUEUE, work.id);
        log.info({ renderId: render.id, released }, 'render interrupted by shutdown; queued again');
      } else if (reason instanceof LeaseLost) {
        log.warn({ renderId: render.id }, 'render abandoned: its claim ran out and another attempt took it');
      } else if (err instanceof RenderError) {
        if (await opts.renders.fail(render.id, owner, err.code, err.message)) await queue.complete(QUEUE, work.id);
        log.warn({ renderId: render.id, jobId: render.jobId, code: err.code, reason: err.message }, 'render failed');
      } else {
        if (await opts.renders.fail(render.id, owner, 'INTERNAL_ERROR', 'the render failed unexpectedly; the backend log says more')) {
          await queue.complete(QUEUE, work.id);
        }
        log.error({ err, renderId: render.id, jobId: render.jobId }, 'render failed unexpectedly');
      }
    } catch (dbErr) {
      // The claim runs out and another attempt picks it up: nothing stays stuck even now.
      log.error({ err: dbErr, renderId: render.id }, 'could not record the end of a render');
    }
  }

  const loop = createTickLoop({
    intervalMs: opts.pollIntervalMs,
    tick,
    // With every slot busy only orphaned renders are work; a render that ends kicks the loop.
    due: () => queue.workDue(QUEUE, LIVE_RENDER_KEYS_SQL, { fetchable: running.size < opts.concurrency }),
    onError: (err) => log.error({ err }, 'render worker tick failed; retrying next tick'),
  });
  const kick = () => {
    if (!loop.stopped) loop.kick();
    else void enqueue().catch((err: unknown) => log.error({ err }, 'could not queue a render; the next worker tick does'));
  };

  return {
    start: () => loop.start(),
    async stop() {
      await loop.stop();
      for (const { abort } of running.values()) abort.abort(new Shutdown());
      await Promise.all([...running.values()].map((r) => r.done));
    },
    kick,
    enqueue,
    tick,
    get running() {
      return running.size;
    },
  };
}
