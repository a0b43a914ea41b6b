import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import { buildApp } from './app.js';
import type { MlConfig } from './config.js';
import type { TranscriptionEngine } from './engine/engine.js';
import { createWhisperCliEngine } from './engine/whisper-cli-engine.js';
import { MlError } from './errors.js';
import { postSignedJson } from './pipeline/deliver-result.js';
import type { ResolveHost } from './pipeline/download.js';
import type { PipelineDeps } from './pipeline/run-job.js';
import { DeliveryOutbox } from './queue/delivery-outbox.js';
import { FileJobStore } from './queue/file-job-store.js';
import { createDeliverySettlement, createJobRunner, type Logger } from './queue/job-runner.js';
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
  store: FileJobStore;
  pool: WorkerPool;
  outbox: DeliveryOutbox;
  readiness: () => Promise<Readiness>;
  /** Loads pending deliveries and re-queues interrupted jobs. */
  start(): Promise<{ requeued: number; pendingDeliveries: number }>;
  /** Stops taking jobs, puts running ones back to queued, stops retrying deliveries (they stay on disk), closes HTTP. */
  close(): Promise<void>;
}

/**
 * Wires the ML service: file job store and delivery outbox under
 * ML_DATA_DIR, the worker pool, the pipeline with whisper-cli, the HTTP app.
 * `main.ts` and the integration tests both start the service through here.
 */
export async function createMlService(config: MlConfig, opts: MlServiceOptions = {}): Promise<MlService> {
  const env = opts.env ?? process.env;
  const createEngine = opts.createEngine ?? createWhisperCliEngine;
  const tmpRoot = join(config.mlDataDir, 'tmp');
  // Leftovers of a process that died mid-job: no job owns them any more.
  await rm(tmpRoot, { recursive: true, force: true });
  await mkdir(tmpRoot, { recursive: true });
  const store = await new FileJobStore(join(config.mlDataDir, 'jobs')).init();

  // The app (and its logger) is built last, because its routes need the pool.
  const built: { app?: FastifyInstance } = {};
  const log: Logger = {
    info: (o, m) => built.app?.log.info(o, m),
    warn: (o, m) => built.app?.log.warn(o, m),
    error: (o, m) => built.app?.log.error(o, m),
  };

  const settlement = createDeliverySettlement(store, log);
  const outbox = new DeliveryOutbox({
    dir: join(config.mlDataDir, 'outbox'),
    send: (entry) => postSignedJson(entry.url, entry.body, config.callbackSecret),
    onSettled: settlement.onSettled,
    onRetry: settlement.onRetry,
    backoff: opts.outboxBackoff,
    log,
  });

  const readiness = cachedReadiness(() => checkReadiness(config, env));
  const pipelineDeps = async (): Promise<PipelineDeps> => {
    const r = await readiness();
    if (!r.ready) throw new MlError('MODEL_UNAVAILABLE', `no model is loaded: ${r.reason}`, 503);
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
      diarization: { enabled: config.diarization, vadBinaryPath: r.vadBinaryPath },
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
  });
  const pool = new WorkerPool({ store, runner, concurrency: config.concurrency, log });

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
    pool,
    readiness,
    logger: opts.logger,
  });
  built.app = app;

  return {
    app,
    store,
    pool,
    outbox,
    readiness,
    async start() {
      const pendingDeliveries = await outbox.start();
      // A job whose result already waits in the outbox is done; rerunning it would waste the CPU.
      const requeued = await pool.recover((job) => job.stage === 'delivering' && outbox.has(job.job_id));
      return { requeued, pendingDeliveries };
    },
    async close() {
      await pool.stop();
      await app.close();
      await outbox.stop();
    },
  };
}
