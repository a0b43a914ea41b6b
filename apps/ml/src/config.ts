import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { resolveSecret } from '@ecg/signing';
import { defaultVadModelPath } from './models/resolve-model.js';
import { originOf, parseOriginList } from '@ecg/net-policy';

export type VadMode = 'auto' | 'on' | 'off';

/** ML_ROLE: what one instance does when several share a Redis queue. */
export type MlRole = 'all' | 'api' | 'worker';

/** The shared queue (REDIS_URL set): BullMQ on Redis instead of the embedded file queue. */
export interface RedisQueueConfig {
  url: string;
  /** ML_QUEUE_PREFIX: BullMQ's key prefix and the job records' key prefix; instances sharing work share it. */
  prefix: string;
  /** ML_LOCK_DURATION_MS: how long a job's lock outlives its worker (renewed every half of it while alive). */
  lockDurationMs: number;
  /** ML_STALLED_INTERVAL_MS: how often workers look for jobs whose lock lapsed. */
  stalledIntervalMs: number;
  /** ML_MAX_STALLED_COUNT: times a job may lose its worker and be run again before it fails. */
  maxStalledCount: number;
}

export interface MlConfig {
  port: number;
  host: string;
  dataDir: string;
  /** ML_DATA_DIR: jobs/, outbox/ and tmp/ live here. */
  mlDataDir: string;
  apiToken: string;
  callbackSecret: string;
  backendUrl: string;
  /** Origins video_url (and every redirect hop) may point at. */
  allowedOrigins: string[];
  /** Origins a compat `fastapi_base_url` may name as the delivery target. */
  callbackAllowedOrigins: string[];
  webOrigins: string[];
  /** ML_STATUS_RATE_LIMIT_PER_MINUTE: status requests a client address may make without the token. */
  statusRateLimitPerMinute: number;
  whisperModel: string;
  modelsDir: string;
  threads: number;
  temperatureFallback: boolean;
  /** Beam width; undefined = whisper-cli's default (5). 1 = greedy, fastest. */
  beamSize: number | undefined;
  vad: VadMode;
  vadModelPath: string;
  concurrency: number;
  maxMediaSeconds: number;
  maxDownloadBytes: number;
  downloadTimeoutSeconds: number;
  /** DOWNLOAD_RETRY_SECONDS: how long storage that is not there (a restarting backend) is waited for; 0 = not at all. */
  downloadRetrySeconds: number;
  transcribeTimeoutSeconds: number;
  /**
   * Emphasis thresholds in dB relative to the recording's mean word level:
   * EMPHASIS_LOUD_DB above it a word is `loud`, EMPHASIS_WHISPER_DB below it
   * a `whisper` (see analysis/summarize.ts for why the defaults differ).
   */
  emphasis: { loudDb: number; whisperDb: number };
  /** DIARIZATION: find who spoke when after transcribing (on by default; off saves its few seconds per hour). */
  diarization: boolean;
  ffmpegPath: string | undefined;
  ffprobePath: string | undefined;
  logLevel: string;
  /** ML_ROLE: all (default) takes jobs over HTTP and runs them; api only takes them; worker only runs them. */
  role: MlRole;
  /** Set by REDIS_URL; absent: the embedded file queue under ML_DATA_DIR. */
  redis?: RedisQueueConfig;
}

const bool = z
  .string()
  .trim()
  .toLowerCase()
  .refine((v) => ['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off'].includes(v), 'must be true or false')
  .transform((v) => ['1', 'true', 'yes', 'on'].includes(v));
const int = (min: number) => z.coerce.number().int().min(min);
const url = z.string().trim().url().refine((u) => originOf(u) !== null, 'must be an http(s) URL');
const origins = z.string().transform((text, ctx) => {
  try {
    return parseOriginList(text);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
    return z.NEVER;
  }
});
const opt = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), schema.optional());

const EnvSchema = z.object({
  ML_PORT: opt(int(0).max(65535)),
  ML_HOST: opt(z.string().trim().min(1)),
  DATA_DIR: opt(z.string()),
  ML_DATA_DIR: opt(z.string()),
  BACKEND_URL: opt(url),
  ML_ALLOWED_ORIGINS: opt(origins),
  ML_CALLBACK_ALLOWED_ORIGINS: opt(origins),
  WEB_ORIGINS: opt(origins),
  ML_STATUS_RATE_LIMIT_PER_MINUTE: opt(int(1)),
  WHISPER_MODEL: opt(z.string().trim().min(1)),
  MODELS_DIR: opt(z.string()),
  WHISPER_THREADS: opt(int(1).max(256)),
  WHISPER_TEMPERATURE_FALLBACK: opt(bool),
  WHISPER_BEAM_SIZE: opt(int(1).max(16)),
  WHISPER_VAD: opt(z.enum(['auto', 'on', 'off'])),
  WHISPER_VAD_MODEL: opt(z.string()),
  ML_CONCURRENCY: opt(int(1).max(64)),
  MAX_MEDIA_SECONDS: opt(z.coerce.number().positive()),
  MAX_DOWNLOAD_BYTES: opt(int(1)),
  DOWNLOAD_TIMEOUT_SECONDS: opt(z.coerce.number().positive()),
  DOWNLOAD_RETRY_SECONDS: opt(z.coerce.number().min(0)),
  TRANSCRIBE_TIMEOUT_SECONDS: opt(z.coerce.number().positive()),
  EMPHASIS_LOUD_DB: opt(z.coerce.number().positive()),
  DIARIZATION: opt(bool),
  EMPHASIS_WHISPER_DB: opt(z.coerce.number().positive()),
  FFMPEG_PATH: opt(z.string()),
  FFPROBE_PATH: opt(z.string()),
  LOG_LEVEL: opt(z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])),
  REDIS_URL: opt(z.string().trim().url().refine((u) => /^rediss?:$/.test(new URL(u).protocol), 'must be a redis:// or rediss:// URL')),
  ML_ROLE: opt(z.enum(['all', 'api', 'worker'])),
  ML_QUEUE_PREFIX: opt(z.string().trim().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'letters, digits, _ . - only (at most 64)')),
  ML_LOCK_DURATION_MS: opt(int(1000)),
  ML_STALLED_INTERVAL_MS: opt(int(500)),
  ML_MAX_STALLED_COUNT: opt(int(0).max(100)),
});

/**
 * The ML service's whole configuration, from environment variables with safe
 * defaults. Pure apart from the secrets: without ML_API_TOKEN/CALLBACK_SECRET
 * in the environment they are read from (or generated once into)
 * `<DATA_DIR>/secrets.json`, which is how `npm start` makes the backend and
 * this service agree with no configuration. Throws one message listing every
 * bad variable.
 */
export function loadConfig(env: NodeJS.ProcessEnv): MlConfig {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new Error(`invalid ML service configuration:\n  ${lines.join('\n  ')}`);
  }
  const e = parsed.data;
  const role = e.ML_ROLE ?? 'all';
  // Without a shared queue an api instance's jobs would never run, and a worker would have nothing to take.
  if (role !== 'all' && !e.REDIS_URL) {
    throw new Error(`invalid ML service configuration:\n  ML_ROLE: ${role} needs REDIS_URL (the shared queue); without it only ML_ROLE=all works`);
  }
  const dataDir = resolve(e.DATA_DIR ?? './data');
  const backendUrl = (e.BACKEND_URL ?? 'http://127.0.0.1:8000').replace(/\/+$/, '');
  const backendOrigin = originOf(backendUrl)!;
  const modelsDir = resolve(e.MODELS_DIR ?? join(dataDir, 'models'));
  return {
    port: e.ML_PORT ?? 8001,
    host: e.ML_HOST ?? '127.0.0.1',
    dataDir,
    mlDataDir: resolve(e.ML_DATA_DIR ?? join(dataDir, 'ml')),
    apiToken: resolveSecret('ML_API_TOKEN', env, dataDir),
    callbackSecret: resolveSecret('CALLBACK_SECRET', env, dataDir),
    backendUrl,
    // With the built-in local store, presigned GET URLs point at the backend itself.
    allowedOrigins: e.ML_ALLOWED_ORIGINS ?? [backendOrigin],
    callbackAllowedOrigins: e.ML_CALLBACK_ALLOWED_ORIGINS ?? [backendOrigin],
    // The web app is served by the backend, so its origin is the browser's origin; plus Vite's dev server.
    webOrigins: e.WEB_ORIGINS ?? [
      ...new Set([backendOrigin, ...(env.PUBLIC_URL ? [new URL(env.PUBLIC_URL).origin] : []), 'http://localhost:5173', 'http://127.0.0.1:5173']),
    ],
    // The web app polls once a second per job, so a few tabs following a few jobs stay far under 600; a refused poll falls back to the backend's status.
    statusRateLimitPerMinute: e.ML_STATUS_RATE_LIMIT_PER_MINUTE ?? 600,
    whisperModel: e.WHISPER_MODEL ?? 'base',
    modelsDir,
    threads: e.WHISPER_THREADS ?? availableParallelism(),
    temperatureFallback: e.WHISPER_TEMPERATURE_FALLBACK ?? true,
    beamSize: e.WHISPER_BEAM_SIZE,
    vad: e.WHISPER_VAD ?? 'auto',
    vadModelPath: resolve(e.WHISPER_VAD_MODEL ?? defaultVadModelPath(modelsDir)),
    concurrency: e.ML_CONCURRENCY ?? 1,
    maxMediaSeconds: e.MAX_MEDIA_SECONDS ?? 14_400,
    maxDownloadBytes: e.MAX_DOWNLOAD_BYTES ?? 2 * 1024 ** 3,
    downloadTimeoutSeconds: e.DOWNLOAD_TIMEOUT_SECONDS ?? 600,
    // Two minutes covers a backend (or its container) restarting, with room for a slow machine.
    downloadRetrySeconds: e.DOWNLOAD_RETRY_SECONDS ?? 120,
    transcribeTimeoutSeconds: e.TRANSCRIBE_TIMEOUT_SECONDS ?? 14_400,
    emphasis: { loudDb: e.EMPHASIS_LOUD_DB ?? 6, whisperDb: e.EMPHASIS_WHISPER_DB ?? 10 },
    diarization: e.DIARIZATION ?? true,
    ffmpegPath: e.FFMPEG_PATH,
    ffprobePath: e.FFPROBE_PATH,
    logLevel: e.LOG_LEVEL ?? 'info',
    role,
    ...(e.REDIS_URL
      ? {
          redis: {
            url: e.REDIS_URL,
            prefix: e.ML_QUEUE_PREFIX ?? 'ecg-ml',
            // 30 s: the lock is renewed every 15 s from the event loop, which whisper-cli (a child
            // process) never blocks and diarization blocks for a few seconds an hour at most.
            lockDurationMs: e.ML_LOCK_DURATION_MS ?? 30_000,
            stalledIntervalMs: e.ML_STALLED_INTERVAL_MS ?? 30_000,
            // Two re-runs: a kill -9 or an OOM kill by chance is survived twice; a file that
            // kills its worker every time fails on its third run instead of looping.
            maxStalledCount: e.ML_MAX_STALLED_COUNT ?? 2,
          },
        }
      : {}),
  };
}
