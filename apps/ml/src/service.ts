import { mkdir, rm } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import { buildApp } from './app.js';
import type { MlConfig } from './config.js';
import { createDiarizerThread } from './diarization/diarizer-thread.js';
import type { TranscriptionEngine } from './engine/engine.js';
import { createWhisperCliEngine } from './engine/whisper-cli-engine.js';
import { createMlMetrics } from './metrics/ml-metrics.js';
import { ServiceError } from '@ecg/service-kit';
import { postSignedJson } from './pipeline/deliver-result.js';
import type { ResolveHost } from './pipeline/download.js';
import type { PipelineDeps } from './pipeline/run-job.js';
import { Redis } from 'ioredis';
import { BullDeliveries } from './queue/bull-deliveries.js';
import { BullJobQueue } from './queue/bull-job-queue.js';
import { DeliveryOutbox, type Deliveries } from './queue/delivery-outbox.js';
import { FileJobStore } from './queue/file-job-store.js';
import { embeddedJobQueue, type JobQueue } from './queue/job-queue.js';
import { createDeliverySettlement, createJobRunner, type Logger } from './queue/job-runner.js';
import type { JobStore } from './queue/job-store.js';
import { RedisJobStore } from './queue/redis-job-store.js';
import { WorkerPool } from './queue/worker-pool.js';
import { cachedReadiness, checkReadiness, type Readiness } from './readiness.js';

export interface MlServiceOptions {
  /** Process environment, for WHISPER_CLI_PATH and PATH lookups. */
  env?: NodeJS.ProcessEnv;
  logger?: FastifyServerOptions['logger'];
  createEngine?: (opts: { binaryPath: string; tmpDir: string }) => TranscriptionEngine;
  /** Delay before delivery retry n; tests shorten it. */
  outboxBackoff?: (attempt: number) => number;
  progressIntervalMs?: number;
  resolveHost?: ResolveHost;
}

export interface MlService {
  app: FastifyInstance;
  store: JobStore;
  queue: JobQueue;
  deliveries: Deliveries;
  readiness: () => Promise<Readiness>;
  /** Loads pending deliveries and re-queues interrupted jobs. */
  start(): Promise<{ requeued: number; pendingDeliveries: number }>;
  /** Stops taking jobs, puts running ones back to queued, stops retrying deliveries (they stay stored), closes HTTP. */
  close(): Promise<void>;
}

/**
 * Wires the ML service: the job store, the deliveries and the queue (files
 * under ML_DATA_DIR and the in-process worker pool by default; Redis and
 * BullMQ, shared with other instances, when REDIS_URL is set), the pipeline
 * with whisper-cli, the HTTP app (ML_ROLE=worker: /health only). `main.ts`
 * and the integration tests both start the service through here.
 */
export async function createMlService(config: MlConfig, opts: MlServiceOptions = {}): Promise<MlService> {
  const env = opts.env ?? process.env;
  const createEngine = opts.createEngine ?? createWhisperCliEngine;
  const tmpRoot = join(config.mlDataDir, 'tmp');
  // Leftovers of a process that died mid-job: no job owns them any more.
  await rm(tmpRoot, { recursive: true, force: true });
  await mkdir(tmpRoot, { recursive: true });
  // BullMQ's blocking reads must wait for as long as they take (its documented requirement).
  const redis = config.redis ? new Redis(config.redis.url, { maxRetriesPerRequest: null }) : null;
  const store: JobStore = redis && config.redis ? new RedisJobStore(redis, config.redis.prefix) : await new FileJobStore(join(config.mlDataDir, 'jobs')).init();
  const runsJobs = config.role !== 'api';

  // The app (and its logger) is built last, because its routes need the queue.
  const built: { app?: FastifyInstance } = {};
  const log: Logger = {
    info: (o, m) => built.app?.log.info(o, m),
    warn: (o, m) => built.app?.log.warn(o, m),
    error: (o, m) => built.app?.log.error(o, m),
  };

  // Reads the queue only when scraped, by which time it exists.
  const metrics = createMlMetrics({ queue: { stats: () => queue.stats() }, store });
  const settlement = createDeliverySettlement(store, log, (kind) => metrics.deliveryRetried(kind));
  const send = (entry: { url: string; body: string }) => postSignedJson(entry.url, entry.body, config.callbackSecret);
  const fileOutbox = redis
    ? null
    : new DeliveryOutbox({ dir: join(config.mlDataDir, 'outbox'), send, onSettled: settlement.onSettled, onRetry: settlement.onRetry, backoff: opts.outboxBackoff, log });
  const bullDeliveries =
    redis && config.redis
      ? new BullDeliveries({
          connection: redis,
          prefix: config.redis.prefix,
          // An api-only instance queues deliveries (a cancel's failure); the workers send them.
          send: runsJobs ? send : null,
          onSettled: settlement.onSettled,
          onRetry: settlement.onRetry,
          backoff: opts.outboxBackoff,
          log,
        })
      : null;
  const outbox: Deliveries = (fileOutbox ?? bullDeliveries)!;

  const readiness = cachedReadiness(() => checkReadiness(config, env));
  // Only an instance that runs jobs diarizes; its thread is started with the service (diarizer-thread.ts).
  const diarizer = runsJobs && config.diarization ? createDiarizerThread() : null;
  const pipelineDeps = async (): Promise<PipelineDeps> => {
    const r = await readiness();
    if (!r.ready) throw new ServiceError('MODEL_UNAVAILABLE', `no model is loaded: ${r.reason}`);
    return {
      tmpRoot,
      tools: r.tools,
      createEngine: (tmpDir) => createEngine({ binaryPath: r.binaryPath, tmpDir, beamSize: config.beamSize }),
      model: r.model,
      allowedOrigins: config.allowedOrigins,
      maxDownloadBytes: config.maxDownloadBytes,
      downloadTimeoutMs: config.downloadTimeoutSeconds * 1000,
      downloadRetryMs: config.downloadRetrySeconds * 1000,
      maxMediaSeconds: config.maxMediaSeconds,
      transcribeTimeoutMs: config.transcribeTimeoutSeconds * 1000,
      threads: config.threads,
      temperatureFallback: config.temperatureFallback,
      vadModelPath: r.vadModelPath,
      emphasisThresholds: config.emphasis,
      diarization: {
        enabled: config.diarization,
        vadBinaryPath: r.vadBinaryPath,
        ...(diarizer ? { diarize: diarizer.diarize } : {}),
        // Beside whisper.cpp only where it cannot slow it down: at the lowest priority, or on a core whisper.cpp leaves free.
        besideTranscription: diarizer !== null && (diarizer.runsAtLowPriority() || availableParallelism() > config.threads),
      },
      // The pitch track only on a core whisper.cpp leaves free: at nice 19 beside whisper.cpp it cost
      // more than the ~0.03 s it saves after it. Two stacks alternating on the 2-core machine
      // (2026-12-02, -t 2, 8-10 pairs each): the whole system used 0.15-0.28 CPU-s more per job with it,
      // for 0.04 CPU-s of YIN (each slice it gets stalls a whisper.cpp thread while the other spins at
      // the barrier); the diarizer beside whisper.cpp measured the same way cost nothing (7.26 against
      // 7.25 CPU-s with VAD, 11.83 against 12.14 without). Wall times moved 2-5% either way between
      // runs, in both directions, so they decided nothing.
      ...(diarizer && availableParallelism() > config.threads ? { trackPitchBeside: diarizer.trackPitch } : {}),
      // After whisper.cpp its cores are free, so the thread can take half the track on any machine.
      ...(diarizer ? { trackPitchAfter: diarizer.trackPitch } : {}),
      resolveHost: opts.resolveHost,
    };
  };

  const runner = createJobRunner({
    store,
    outbox,
    pipelineDeps,
    sendProgress: async (url, body) => {
      const outcome = await postSignedJson(url, body, config.callbackSecret, { timeoutMs: 10_000 });
      // A progress post that gets through means that backend is back: its waiting results need not wait out their backoff.
      if (outcome.kind === 'delivered') outbox.retryNow(url);
      return outcome;
    },
    progressIntervalMs: opts.progressIntervalMs,
    log,
    onTranscribed: (result) => metrics.jobTranscribed(result),
    onFailed: (code) => metrics.jobFailed(code),
  });
  const queue: JobQueue =
    redis && config.redis && bullDeliveries
      ? new BullJobQueue({
          connection: redis,
          settings: config.redis,
          store,
          runner,
          concurrency: runsJobs ? config.concurrency : 0,
          deliveryPending: (jobId) => bullDeliveries.has(jobId),
          log,
        })
      : // A job whose result already waits in the outbox is done; rerunning it would waste the CPU.
        embeddedJobQueue(new WorkerPool({ store, runner, concurrency: config.concurrency, log }), (job) => job.stage === 'delivering' && fileOutbox!.has(job.job_id));

  // ioredis reconnects by itself (commands wait meanwhile); each failed try is worth a line, not a crash.
  redis?.on('error', (err) => log.warn({ err }, 'redis connection error; reconnecting'));

  const app = await buildApp({
    apiToken: config.apiToken,
    modelsDir: config.modelsDir,
    backendUrl: config.backendUrl,
    callbackAllowedOrigins: config.callbackAllowedOrigins,
    webOrigins: config.webOrigins,
    threads: config.threads,
    engineName: createEngine({ binaryPath: 'whisper-cli', tmpDir: tmpRoot }).name,
    statusRateLimitPerMinute: config.statusRateLimitPerMinute,
    store,
    queue,
    healthOnly: config.role === 'worker',
    readiness,
    metrics,
    logger: opts.logger,
  });
  built.app = app;

  return {
    app,
    store,
    queue,
    deliveries: outbox,
    readiness,
    async start() {
      // A thread that cannot start is the first job's to report (its diarization fails with a warning).
      await diarizer?.warm().catch((err: unknown) => log.warn({ err }, 'the diarizer thread did not start'));
      const pendingDeliveries = await outbox.start();
      const requeued = await queue.start();
      return { requeued, pendingDeliveries };
    },
    async close() {
      await queue.stop();
      await diarizer?.close();
      await app.close();
      await outbox.stop();
      await redis?.quit().catch(() => redis.disconnect());
    },
  };
}
