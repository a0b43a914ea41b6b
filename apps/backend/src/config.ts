import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { parseOriginList } from '@ecg/net-policy';
import { resolveSecret, type GeneratedSecret } from '@ecg/signing';
import { Email, NewPassword } from '@ecg/contracts';
import { isLoopbackBind } from './security/bind-address.js';
import { DEFAULT_BACKEND_NICE } from './process-priority.js';
import type { StorageConfig } from './storage/create-storage.js';

const GIB = 1024 ** 3;
const MIB = 1024 ** 2;

/** The web app's build output in this checkout: `apps/web/dist`, found from this file (`apps/backend/src`). */
export const DEFAULT_WEB_DIST_DIR = fileURLToPath(new URL('../../web/dist', import.meta.url));

const intFrom = (fallback: number, min = 0) =>
  z.coerce.number().int().min(min).default(fallback);

const boolFrom = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'])
    .default(fallback ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1' || v === 'yes');

const optionalText = z.string().trim().optional();

const EnvSchema = z.object({
  PORT: intFrom(8000).pipe(z.number().max(65535)),
  HOST: z.string().trim().min(1).default('127.0.0.1'),
  PUBLIC_URL: optionalText.pipe(z.string().url().optional()),
  DATA_DIR: z.string().trim().min(1).default('./data'),
  DATABASE_URL: optionalText,
  STORAGE_DRIVER: z.enum(['local', 's3']).default('local'),
  S3_ENDPOINT: optionalText.pipe(z.string().url().optional()),
  S3_BUCKET: optionalText,
  S3_REGION: z.string().trim().min(1).default('us-east-1'),
  S3_ACCESS_KEY_ID: optionalText,
  S3_SECRET_ACCESS_KEY: optionalText,
  S3_FORCE_PATH_STYLE: boolFrom(false),
  UPLOAD_URL_EXPIRES_SECONDS: intFrom(900, 1),
  // Long by default: the ML service may only start downloading after a queue wait.
  DOWNLOAD_URL_EXPIRES_SECONDS: intFrom(21600, 1),
  MAX_UPLOAD_BYTES: intFrom(2 * GIB, 1),
  ML_URL: z.string().trim().url().default('http://127.0.0.1:8001'),
  ML_PUBLIC_URL: optionalText.pipe(z.string().url().optional()),
  WEB_DIST_DIR: optionalText,
  // Edited captions of a long video with per-word analysis run to a few MB; the default JSON limit is 1 MiB.
  MAX_CAPTIONS_BYTES: intFrom(16 * MIB, 1024),
  WEB_ORIGINS: optionalText,
  // Host names (besides PUBLIC_URL's, loopback names and IP literals) the backend answers; `*` for any.
  ALLOWED_HOSTS: optionalText,
  TRUST_PROXY: optionalText,
  // Per client across every public route: a browser polling two jobs and autosaving stays far below it.
  RATE_LIMIT_PER_MINUTE: intFrom(300, 1),
  // The ML service's deliveries: progress at most every 2 s per job, so 600 leaves room for many jobs.
  CALLBACK_RATE_LIMIT_PER_MINUTE: intFrom(600, 1),
  // all: one backend does everything; api: HTTP only (queues work, runs none); worker: dispatch and renders, /health only.
  BACKEND_ROLE: z.enum(['all', 'api', 'worker']).default('all'),
  // 10: the backend yields to whisper.cpp on a shared machine (process-priority.ts says why); 0 keeps it as started.
  BACKEND_NICE: z.coerce.number().int().min(0).max(19).default(DEFAULT_BACKEND_NICE),
  // pg-boss's own schema in the same database (PGlite or DATABASE_URL).
  QUEUE_SCHEMA: z.string().trim().regex(/^[a-z_][a-z0-9_]*$/, 'lower-case letters, digits and _').default('pgboss'),
  // How often some backend fails claims that ran out (a backend died mid-delivery or mid-render) so they are retried.
  QUEUE_MAINTENANCE_SECONDS: intFrom(10, 1),
  DISPATCH_INTERVAL_MS: intFrom(1000, 10),
  // One call to the ML service; a delivery's claim lasts twice this, then another backend may retry it.
  ML_REQUEST_TIMEOUT_SECONDS: intFrom(15, 1),
  // 30 s: a job queued while the ML service was down waits at most this long once it is back (it also wakes all when one is accepted).
  DISPATCH_MAX_BACKOFF_MS: intFrom(30000, 10),
  JOB_STALE_SECONDS: intFrom(600, 1),
  JOB_TIMEOUT_SECONDS: intFrom(21600, 1),
  // Unset: jobs are kept until someone deletes them.
  RETENTION_DAYS: z.coerce.number().int().min(1).optional(),
  // 5 min: an expired job lingers at most this long, and an interrupted delete is finished as soon.
  RETENTION_SWEEP_SECONDS: intFrom(300, 1),
  // How long POST /v1/audio/* waits for its job: 600 s is the official openai client's own default timeout.
  OPENAI_SYNC_TIMEOUT_SECONDS: intFrom(600, 1),
  // Burned-in caption renders (ffmpeg + libass) run inside the backend.
  RENDER_CONCURRENCY: intFrom(1, 1),
  RENDER_X264_PRESET: z
    .enum(['ultrafast', 'superfast', 'veryfast', 'faster', 'fast', 'medium', 'slow', 'slower', 'veryslow'])
    .default('veryfast'),
  RENDER_CRF: intFrom(20).pipe(z.number().max(51)),
  RENDER_LEASE_SECONDS: intFrom(60, 3),
  RENDER_TIMEOUT_SECONDS: intFrom(21600, 1),
  RENDER_MAX_QUEUED: intFrom(20, 1),
  RENDER_MAX_PER_CLIENT: intFrom(3, 1),
  RENDER_POLL_INTERVAL_MS: intFrom(1000, 10),
  // Webhooks (callback_url): origins reached even on loopback/private addresses; none by default.
  WEBHOOK_ALLOWED_ORIGINS: optionalText,
  // 10 attempts with a 5 min base doubling up to a 6 h cap span about a day (under a day with jitter).
  WEBHOOK_MAX_ATTEMPTS: intFrom(10, 1),
  WEBHOOK_RETRY_BASE_MS: intFrom(300_000, 1),
  WEBHOOK_RETRY_MAX_MS: intFrom(21_600_000, 1),
  WEBHOOK_INTERVAL_MS: intFrom(1000, 10),
  FFMPEG_PATH: optionalText,
  FFPROBE_PATH: optionalText,
  // Accounts. Off (one anonymous user, no login) is allowed only on a loopback HOST.
  ECG_AUTH: z.enum(['on', 'off']).default('off'),
  ADMIN_EMAIL: optionalText.pipe(Email.optional()),
  ADMIN_PASSWORD: z.string().optional().pipe(NewPassword.optional()),
  // A week of inactivity ends a session: a tool used a few times a week stays signed in.
  SESSION_TTL_HOURS: intFrom(168, 1),
  // OWASP Authentication Cheat Sheet: lock out after a small number of failures, per account
  // and per address; 10 and 100 per 15 minutes stop guessing yet spare a mistyping person and a shared NAT.
  LOGIN_MAX_FAILURES_PER_ACCOUNT: intFrom(10, 1),
  LOGIN_MAX_FAILURES_PER_ADDRESS: intFrom(100, 1),
  LOGIN_FAILURE_WINDOW_SECONDS: intFrom(900, 1),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export interface BackendConfig {
  port: number;
  host: string;
  publicUrl: string;
  dataDir: string;
  /** Unset: embedded PGlite under `<dataDir>/db`. */
  databaseUrl: string | undefined;
  storage: StorageConfig;
  uploadUrlExpiresSeconds: number;
  downloadUrlExpiresSeconds: number;
  maxUploadBytes: number;
  mlUrl: string;
  mlApiToken: string;
  /** Where browsers may poll the ML service's status; null keeps it private (they poll the backend). */
  mlPublicUrl: string | null;
  /** The built web app, served on the same origin when the directory holds an index.html. */
  webDistDir: string;
  /** Largest body a caption save may send. */
  maxCaptionsBytes: number;
  callbackSecret: string;
  webOrigins: string[];
  /** Extra host names the backend answers (ALLOWED_HOSTS); see security/allowed-hosts.ts. */
  allowedHosts: string[];
  /** Fastify's trustProxy: which proxies' X-Forwarded-For is believed (false: none). */
  trustProxy: TrustProxy;
  rateLimitPerMinute: number;
  callbackRateLimitPerMinute: number;
  /** BACKEND_ROLE: which of the HTTP API and the background work (dispatch, renders, sweeps) this process runs. */
  role: BackendRole;
  /** BACKEND_NICE: the nice value the process lowers itself to at start (0: unchanged). */
  nice: number;
  queue: QueueConfig;
  dispatchIntervalMs: number;
  dispatchMaxBackoffMs: number;
  mlRequestTimeoutMs: number;
  jobStaleSeconds: number;
  jobTimeoutSeconds: number;
  /** RETENTION_DAYS: jobs older than this many days are deleted; null keeps them until someone does. */
  retentionDays: number | null;
  /** How often the retention sweep runs (expired jobs, interrupted deletes). */
  retentionSweepSeconds: number;
  /** How long a synchronous OpenAI-compatible request waits for its job before answering 504 (the job runs on). */
  openaiSyncTimeoutSeconds: number;
  logLevel: z.infer<typeof EnvSchema>['LOG_LEVEL'];
  render: RenderConfig;
  webhooks: WebhookConfig;
  auth: AuthConfig;
}

export type BackendRole = 'all' | 'api' | 'worker';

export interface QueueConfig {
  /** pg-boss's schema. */
  schema: string;
  maintenanceIntervalSeconds: number;
}

/** Whether this role runs the HTTP API (beyond /health) and the background work. */
export const runsApi = (role: BackendRole): boolean => role !== 'worker';
export const runsWork = (role: BackendRole): boolean => role !== 'api';

export interface AuthConfig {
  /** ECG_AUTH=on: every API route needs a session or an API key, and everything belongs to a user. */
  enabled: boolean;
  /** The first admin, made at start while no user exists (both set, or neither). */
  admin: { email: string; password: string } | null;
  sessionTtlSeconds: number;
  loginFailures: { perAccount: number; perAddress: number; windowSeconds: number };
}

export interface WebhookConfig {
  /** WEBHOOK_SECRET: signs the webhooks of `anonymous`'s jobs (ECG_AUTH=off); each user has a secret of their own. */
  secret: string;
  /** WEBHOOK_ALLOWED_ORIGINS, normalised. */
  allowedOrigins: string[];
  maxAttempts: number;
  retryBaseMs: number;
  retryMaxMs: number;
  intervalMs: number;
}

export interface RenderConfig {
  /** Renders one backend runs at once. */
  concurrency: number;
  x264Preset: z.infer<typeof EnvSchema>['RENDER_X264_PRESET'];
  crf: number;
  /** A claim not renewed for this long is taken to be dead and retried by another backend. */
  leaseSeconds: number;
  timeoutSeconds: number;
  /** Live (queued + processing) renders accepted before new ones get 429. */
  maxQueued: number;
  /** Live renders one client (address) may have asked for at once. */
  maxPerClient: number;
  pollIntervalMs: number;
  /** Unset: `ffmpeg`/`ffprobe` on PATH (resolved when the worker starts). */
  ffmpegPath: string | undefined;
  ffprobePath: string | undefined;
}

/** false: trust no proxy; true: any; a number: that many hops; a list: those addresses or CIDR ranges. */
export type TrustProxy = boolean | number | string[];

/**
 * TRUST_PROXY as Fastify takes it. Unset means no proxy is trusted: then
 * X-Forwarded-For is ignored and a client cannot pick its own rate-limit key.
 */
export function parseTrustProxy(value: string | undefined): TrustProxy {
  const v = value?.trim().toLowerCase() ?? '';
  if (v === '' || v === 'false' || v === '0' || v === 'no') return false;
  if (v === 'true' || v === 'yes') return true;
  if (/^\d+$/.test(v)) return Number(v);
  const list = v.split(',').map((s) => s.trim()).filter((s) => s !== '');
  for (const entry of list) {
    if (!/^[0-9a-f:.]+(\/\d{1,3})?$/.test(entry) && !['loopback', 'linklocal', 'uniquelocal'].includes(entry)) {
      throw new ConfigError(`invalid backend configuration:\n  TRUST_PROXY: "${entry}" is not true, a hop count, an address, a CIDR range or loopback/linklocal/uniquelocal`);
    }
  }
  return list;
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export type SecretResolver = (name: GeneratedSecret, env: NodeJS.ProcessEnv, dataDir: string) => string;

/**
 * Reads the backend's configuration from environment variables. Nothing else
 * is read, except that the generated secrets fall back to
 * `<DATA_DIR>/secrets.json` (created on first use) so a single-machine install
 * needs no configuration; pass another `secrets` resolver to avoid the disk.
 */
export function loadConfig(env: NodeJS.ProcessEnv, secrets: SecretResolver = resolveSecret): BackendConfig {
  // An empty variable (`PORT=` in a .env file) means "use the default", not 0 or "".
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v.trim() !== ''));
  const parsed = EnvSchema.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.') || '(env)'}: ${i.message}`);
    throw new ConfigError(`invalid backend configuration:\n  ${lines.join('\n  ')}`);
  }
  const e = parsed.data;
  const dataDir = resolve(e.DATA_DIR);
  const publicUrl = (e.PUBLIC_URL ?? `http://127.0.0.1:${e.PORT}`).replace(/\/+$/, '');

  let storage: StorageConfig;
  if (e.STORAGE_DRIVER === 's3') {
    if (!e.S3_BUCKET) throw new ConfigError('invalid backend configuration: S3_BUCKET is required when STORAGE_DRIVER=s3');
    storage = {
      driver: 's3',
      bucket: e.S3_BUCKET,
      region: e.S3_REGION,
      forcePathStyle: e.S3_FORCE_PATH_STYLE,
      ...(e.S3_ENDPOINT ? { endpoint: e.S3_ENDPOINT } : {}),
      ...(e.S3_ACCESS_KEY_ID ? { accessKeyId: e.S3_ACCESS_KEY_ID } : {}),
      ...(e.S3_SECRET_ACCESS_KEY ? { secretAccessKey: e.S3_SECRET_ACCESS_KEY } : {}),
    };
  } else {
    storage = {
      driver: 'local',
      dataDir,
      publicUrl,
      signingSecret: secrets('STORAGE_SIGNING_SECRET', env, dataDir),
      maxUploadBytes: e.MAX_UPLOAD_BYTES,
    };
  }

  let webhookAllowedOrigins: string[];
  try {
    webhookAllowedOrigins = parseOriginList(e.WEBHOOK_ALLOWED_ORIGINS ?? '');
  } catch (err) {
    throw new ConfigError(`invalid backend configuration:\n  WEBHOOK_ALLOWED_ORIGINS: ${(err as Error).message}`);
  }

  if (e.ECG_AUTH === 'off' && !isLoopbackBind(e.HOST)) {
    throw new ConfigError(
      `invalid backend configuration:\n  HOST=${e.HOST} listens beyond this machine, and ECG_AUTH is off: anyone who reaches the port ` +
        'could read and change every job. Set ECG_AUTH=on (with ADMIN_EMAIL and ADMIN_PASSWORD for the first admin), or bind HOST=127.0.0.1.',
    );
  }
  if ((e.ADMIN_EMAIL === undefined) !== (e.ADMIN_PASSWORD === undefined)) {
    throw new ConfigError('invalid backend configuration:\n  ADMIN_EMAIL and ADMIN_PASSWORD go together: set both, or neither');
  }

  const webOrigins = e.WEB_ORIGINS
    ? e.WEB_ORIGINS.split(',').map((o) => o.trim().replace(/\/+$/, '')).filter((o) => o !== '')
    : [publicUrl, 'http://localhost:5173', 'http://127.0.0.1:5173'];

  return {
    port: e.PORT,
    host: e.HOST,
    publicUrl,
    dataDir,
    databaseUrl: e.DATABASE_URL,
    storage,
    uploadUrlExpiresSeconds: e.UPLOAD_URL_EXPIRES_SECONDS,
    downloadUrlExpiresSeconds: e.DOWNLOAD_URL_EXPIRES_SECONDS,
    maxUploadBytes: e.MAX_UPLOAD_BYTES,
    mlUrl: e.ML_URL.replace(/\/+$/, ''),
    mlApiToken: secrets('ML_API_TOKEN', env, dataDir),
    mlPublicUrl: e.ML_PUBLIC_URL ? e.ML_PUBLIC_URL.replace(/\/+$/, '') : null,
    webDistDir: resolve(e.WEB_DIST_DIR ?? DEFAULT_WEB_DIST_DIR),
    maxCaptionsBytes: e.MAX_CAPTIONS_BYTES,
    callbackSecret: secrets('CALLBACK_SECRET', env, dataDir),
    webOrigins: [...new Set(webOrigins)],
    allowedHosts: (e.ALLOWED_HOSTS ?? '').split(',').map((h) => h.trim()).filter((h) => h !== ''),
    trustProxy: parseTrustProxy(e.TRUST_PROXY),
    rateLimitPerMinute: e.RATE_LIMIT_PER_MINUTE,
    callbackRateLimitPerMinute: e.CALLBACK_RATE_LIMIT_PER_MINUTE,
    role: e.BACKEND_ROLE,
    nice: e.BACKEND_NICE,
    queue: { schema: e.QUEUE_SCHEMA, maintenanceIntervalSeconds: e.QUEUE_MAINTENANCE_SECONDS },
    dispatchIntervalMs: e.DISPATCH_INTERVAL_MS,
    mlRequestTimeoutMs: e.ML_REQUEST_TIMEOUT_SECONDS * 1000,
    dispatchMaxBackoffMs: e.DISPATCH_MAX_BACKOFF_MS,
    jobStaleSeconds: e.JOB_STALE_SECONDS,
    jobTimeoutSeconds: e.JOB_TIMEOUT_SECONDS,
    retentionDays: e.RETENTION_DAYS ?? null,
    retentionSweepSeconds: e.RETENTION_SWEEP_SECONDS,
    openaiSyncTimeoutSeconds: e.OPENAI_SYNC_TIMEOUT_SECONDS,
    logLevel: e.LOG_LEVEL,
    render: {
      concurrency: e.RENDER_CONCURRENCY,
      x264Preset: e.RENDER_X264_PRESET,
      crf: e.RENDER_CRF,
      leaseSeconds: e.RENDER_LEASE_SECONDS,
      timeoutSeconds: e.RENDER_TIMEOUT_SECONDS,
      maxQueued: e.RENDER_MAX_QUEUED,
      maxPerClient: e.RENDER_MAX_PER_CLIENT,
      pollIntervalMs: e.RENDER_POLL_INTERVAL_MS,
      ffmpegPath: e.FFMPEG_PATH,
      ffprobePath: e.FFPROBE_PATH,
    },
    webhooks: {
      secret: secrets('WEBHOOK_SECRET', env, dataDir),
      allowedOrigins: webhookAllowedOrigins,
      maxAttempts: e.WEBHOOK_MAX_ATTEMPTS,
      retryBaseMs: e.WEBHOOK_RETRY_BASE_MS,
      retryMaxMs: Math.max(e.WEBHOOK_RETRY_MAX_MS, e.WEBHOOK_RETRY_BASE_MS),
      intervalMs: e.WEBHOOK_INTERVAL_MS,
    },
    auth: {
      enabled: e.ECG_AUTH === 'on',
      admin: e.ADMIN_EMAIL !== undefined && e.ADMIN_PASSWORD !== undefined ? { email: e.ADMIN_EMAIL, password: e.ADMIN_PASSWORD } : null,
      sessionTtlSeconds: e.SESSION_TTL_HOURS * 3600,
      loginFailures: {
        perAccount: e.LOGIN_MAX_FAILURES_PER_ACCOUNT,
        perAddress: e.LOGIN_MAX_FAILURES_PER_ADDRESS,
        windowSeconds: e.LOGIN_FAILURE_WINDOW_SECONDS,
      },
    },
  };
}
