import cookie from '@fastify/cookie';
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { runsApi, runsWork, type BackendConfig, type BackendRole } from './config.js';
import type { Db } from './db/db.js';
import { installErrorHandling, installRequestIds, logRequest, REQUEST_ID_HEADER, requestIdFor, ServiceError } from '@ecg/service-kit';
import { createDispatcher, dispatchQueuePolicy, type Dispatcher } from './jobs/dispatcher.js';
import { createWorkQueue, type WorkQueue } from './queue/work-queue.js';
import { JobRepository } from './jobs/job-repository.js';
import { JobDeletionRepository } from './jobs/job-deletion-repository.js';
import { createJobDeleter } from './jobs/job-deleter.js';
import { createMlCanceller } from './jobs/ml-cancel.js';
import { createRetentionSweep, type RetentionSweep } from './jobs/retention-sweep.js';
import { jobDeleteRoute } from './routes/upload-video/job-delete.js';
import { jobCancelRoute } from './routes/upload-video/job-cancel.js';
import { jobReadRoute } from './routes/upload-video/job-read.js';
import { clientConfigRoute } from './routes/client-config.js';
import { isRateLimitExempt } from './routes/api-route.js';
import { healthRoutes } from './routes/health.js';
import { createMlModels } from './routes/openai/ml-models.js';
import { openAiApi } from './routes/openai/openai-api.js';
import { captionsCheckRoute } from './routes/upload-video/captions-check.js';
import { captionsExportRoute } from './routes/upload-video/captions-export.js';
import { captionsReadRoute } from './routes/upload-video/captions-read.js';
import { captionsReflowRoute } from './routes/upload-video/captions-reflow.js';
import { captionsRestoreRoute } from './routes/upload-video/captions-restore.js';
import { captionsSaveRoute } from './routes/upload-video/captions-save.js';
import { generateUrlRoute } from './routes/upload-video/generate-url.js';
import { jobListRoute } from './routes/upload-video/job-list.js';
import { mediaUrlRoute } from './routes/upload-video/media-url.js';
import { requestProcessRoute } from './routes/upload-video/request-process.js';
import { resultCallbackRoute } from './routes/upload-video/result-callback.js';
import { resultReadRoute } from './routes/upload-video/result-read.js';
import { statusRoute } from './routes/upload-video/status.js';
import { hasWebBuild, webAppRoutes } from './routes/web-app.js';
import { renderCreateRoute } from './routes/upload-video/render-create.js';
import { renderReadRoute } from './routes/upload-video/render-read.js';
import { waveformReadRoute } from './routes/upload-video/waveform-read.js';
import { WebhookRepository } from './webhooks/webhook-repository.js';
import { webhookSecrets } from './webhooks/webhook-secret.js';
import { installMetrics } from '@ecg/observability';
import { createBackendMetrics } from './metrics/backend-metrics.js';
import { ApiKeyRepository } from './auth/api-key-repository.js';
import { installAuthentication } from './auth/authenticate.js';
import { ensureFirstAdmin } from './auth/first-admin.js';
import { FailureWindow } from './auth/login-limiter.js';
import { SessionRepository } from './auth/session-repository.js';
import { UserRepository } from './auth/user-repository.js';
import { adminUsersRoute } from './routes/admin/users.js';
import { apiKeysRoute } from './routes/auth/api-keys.js';
import { loginRoute } from './routes/auth/login.js';
import { logoutRoute } from './routes/auth/logout.js';
import { meRoute } from './routes/auth/me.js';
import { setupRoute } from './routes/auth/setup.js';
import { webhookSecretRoute } from './routes/auth/webhook-secret.js';
import { createWebhookSender, type WebhookSender } from './webhooks/webhook-sender.js';
import type { ResolveHost } from './webhooks/post-webhook.js';
import { thumbnailsReadRoute } from './routes/upload-video/thumbnails-read.js';
import { resolveFfmpegTools, type FfmpegTools } from './renders/ffmpeg-tools.js';
import { RenderRepository } from './renders/render-repository.js';
import { createRenderWorker, renderQueuePolicy, type RenderWorker } from './renders/render-worker.js';
import { LocalStorage } from './storage/local-storage.js';
import { localStorageRoutes } from './storage/local-storage-routes.js';
import type { ObjectStorage } from './storage/storage.js';
import { hostPolicy } from './security/allowed-hosts.js';
import { clientErrorHandler } from './security/client-error.js';
import { installJsonBodyParser } from './security/json-body.js';
import { installRequestGuards } from './security/request-guards.js';
import { securityHeaderOptions } from './security/security-headers.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The work queue (pg-boss) behind the dispatcher and the render worker; started by buildApp, stopped on close. */
    workQueue: WorkQueue;
    /** Delivers queued jobs to the ML service; `main.ts` starts it, closing the app stops it. */
    dispatcher: Dispatcher;
    /** Runs burned-in caption renders; `main.ts` starts it, closing the app stops it (running renders are queued again). */
    renderWorker: RenderWorker;
    /** Finishes interrupted job deletions and applies RETENTION_DAYS; `main.ts` starts it, closing the app stops it. */
    retentionSweep: RetentionSweep;
    /** Sends queued webhooks (callback_url); `main.ts` starts it, closing the app stops it. */
    webhookSender: WebhookSender;
  }
}

export interface AppDeps {
  config: BackendConfig;
  db: Db;
  storage: ObjectStorage;
  /** A pino logger; without one the app logs JSON to stdout at LOG_LEVEL. */
  logger?: FastifyBaseLogger;
  /** Used to call the ML service (tests may point it anywhere). */
  fetch?: typeof fetch;
  /** ffmpeg/ffprobe for renders; default FFMPEG_PATH/FFPROBE_PATH, else found on PATH. */
  ffmpegTools?: FfmpegTools;
  /** DNS for webhook deliveries (tests play a rebinding resolver); default the system's. */
  resolveHost?: ResolveHost;
  /** Delay before webhook retry `attempt`; default exponential backoff from WEBHOOK_RETRY_*_MS. */
  webhookRetryDelayMs?: (attempt: number) => number;
}

export type App = FastifyInstance;

function trustHops(hops: number): (address: string, hop: number) => boolean {
  return (_address, hop) => hop < hops;
}

/**
 * Starts the background work BACKEND_ROLE gives this process: dispatch to the
 * ML service, renders, the retention sweep and webhooks (`all` and `worker`).
 * An `api` process starts none of it; its routes only queue work for workers.
 */
export function startBackgroundWork(app: App, role: BackendRole): void {
  if (!runsWork(role)) return;
  app.dispatcher.start();
  app.renderWorker.start();
  app.retentionSweep.start();
  app.webhookSender.start();
}

/**
 * Builds the backend: plugins, routes and the dispatcher, all wired from
 * `deps`. Nothing listens and the dispatcher does not run until the caller
 * says so, which keeps tests in charge of both.
 */
export async function buildApp(deps: AppDeps): Promise<App> {
  const { config, db, storage } = deps;
  const app = Fastify({
    ...(deps.logger ? { loggerInstance: deps.logger } : { logger: { level: config.logLevel, serializers: { req: logRequest } } }),
    genReqId: requestIdFor,
    // Large enough for every JSON request but the ML callback, which sets its own.
    bodyLimit: 1024 * 1024,
    // Fastify's types take a hop count only as a function: trust the n proxies nearest to us.
    trustProxy: typeof config.trustProxy === 'number' ? trustHops(config.trustProxy) : config.trustProxy,
    clientErrorHandler,
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandling(app);
  installRequestIds(app);
  installRequestGuards(app, { hosts: hostPolicy(config.publicUrl, config.allowedHosts), webOrigins: config.webOrigins });
  installJsonBodyParser(app);
  const metrics = createBackendMetrics(db);
  installMetrics(app, metrics);

  const users = new UserRepository(db);
  const sessions = new SessionRepository(db, config.auth.sessionTtlSeconds);
  const apiKeys = new ApiKeyRepository(db);
  // Before authentication's hook: it reads the session cookie this plugin parses.
  await app.register(cookie);
  installAuthentication(app, {
    enabled: config.auth.enabled,
    sessions,
    apiKeys,
    appOrigins: [new URL(config.publicUrl).origin, ...config.webOrigins],
  });
  await ensureFirstAdmin(users, config.auth, config.publicUrl, app.log);
  const webhookSecretFor = webhookSecrets(config.webhooks.secret, users);

  // Render claims before an interrupted render fails.
  const renderMaxAttempts = 3;
  const workQueue = createWorkQueue({
    db,
    schema: config.queue.schema,
    maintenanceIntervalSeconds: config.queue.maintenanceIntervalSeconds,
    queues: {
      'ml-dispatch': dispatchQueuePolicy({
        intervalMs: config.dispatchIntervalMs,
        maxBackoffMs: config.dispatchMaxBackoffMs,
        requestTimeoutMs: config.mlRequestTimeoutMs,
      }),
      render: renderQueuePolicy({ leaseSeconds: config.render.leaseSeconds, maxAttempts: renderMaxAttempts }),
    },
    onError: (err) => app.log.error({ err }, 'work queue maintenance failed; it runs again'),
  });
  await workQueue.start();
  app.decorate('workQueue', workQueue);

  const jobs = new JobRepository(db);
  const dispatcher = createDispatcher({
    jobs,
    queue: workQueue,
    storage,
    mlUrl: config.mlUrl,
    mlApiToken: config.mlApiToken,
    downloadUrlExpiresSeconds: config.downloadUrlExpiresSeconds,
    intervalMs: config.dispatchIntervalMs,
    maxBackoffMs: config.dispatchMaxBackoffMs,
    requestTimeoutMs: config.mlRequestTimeoutMs,
    staleSeconds: config.jobStaleSeconds,
    timeoutSeconds: config.jobTimeoutSeconds,
    logger: app.log.child({ component: 'dispatcher' }),
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
  });
  app.decorate('dispatcher', dispatcher);
  app.addHook('onClose', async () => {
    await dispatcher.stop();
  });

  const deletions = new JobDeletionRepository(db);
  const cancelOnMl = createMlCanceller({ mlUrl: config.mlUrl, mlApiToken: config.mlApiToken, ...(deps.fetch ? { fetch: deps.fetch } : {}) });
  const finishDeletion = createJobDeleter({
    deletions,
    storage,
    cancelOnMl,
    // As long as a silent job is waited for before the ML service is asked about it again.
    cancelGiveUpSeconds: config.jobStaleSeconds,
    logger: app.log.child({ component: 'job-deletion' }),
  });
  const retentionSweep = createRetentionSweep({
    deletions,
    finishDeletion,
    retentionDays: config.retentionDays,
    intervalMs: config.retentionSweepSeconds * 1000,
    deleteExpiredSessions: () => sessions.deleteExpired(),
    logger: app.log.child({ component: 'retention-sweep' }),
  });
  app.decorate('retentionSweep', retentionSweep);
  app.addHook('onClose', async () => {
    await retentionSweep.stop();
  });

  const webhookSender = createWebhookSender({
    webhooks: new WebhookRepository(db),
    secretFor: webhookSecretFor,
    onAttempt: (outcome) => metrics.webhookAttempt(outcome),
    publicUrl: config.publicUrl,
    allowedOrigins: config.webhooks.allowedOrigins,
    intervalMs: config.webhooks.intervalMs,
    maxAttempts: config.webhooks.maxAttempts,
    backoff: { baseMs: config.webhooks.retryBaseMs, maxMs: config.webhooks.retryMaxMs },
    logger: app.log.child({ component: 'webhooks' }),
    ...(deps.resolveHost ? { resolveHost: deps.resolveHost } : {}),
    ...(deps.webhookRetryDelayMs ? { retryDelayMs: deps.webhookRetryDelayMs } : {}),
  });
  app.decorate('webhookSender', webhookSender);
  app.addHook('onClose', async () => {
    await webhookSender.stop();
  });

  const renders = new RenderRepository(db);
  const renderWorker = createRenderWorker({
    renders,
    queue: workQueue,
    maxAttempts: renderMaxAttempts,
    jobs,
    storage,
    tools:
      deps.ffmpegTools ??
      resolveFfmpegTools({ FFMPEG_PATH: config.render.ffmpegPath, FFPROBE_PATH: config.render.ffprobePath, PATH: process.env.PATH }),
    concurrency: config.render.concurrency,
    leaseSeconds: config.render.leaseSeconds,
    pollIntervalMs: config.render.pollIntervalMs,
    x264Preset: config.render.x264Preset,
    crf: config.render.crf,
    timeoutSeconds: config.render.timeoutSeconds,
    // ffmpeg keeps reading the video for the whole render.
    inputUrlExpiresSeconds: Math.max(config.downloadUrlExpiresSeconds, config.render.timeoutSeconds + 600),
    logger: app.log.child({ component: 'render-worker' }),
  });
  app.decorate('renderWorker', renderWorker);
  // preClose, not onClose: a running ffmpeg streams the video from this very server (local storage),
  // and the server waits for that request to end before onClose hooks run.
  app.addHook('preClose', async () => {
    await renderWorker.stop();
  });
  // Registered after the dispatcher's and the other loops' hooks: they run first and may still write to the queue.
  app.addHook('onClose', async () => {
    await workQueue.stop();
  });

  await app.register(
    helmet,
    securityHeaderOptions({
      publicUrl: config.publicUrl,
      // Where the browser plays and uploads media: the origin of the URLs the store signs.
      storageOrigins: [new URL(await storage.createDownloadUrl('videos/origin-probe', 60)).origin],
      mlPublicUrl: config.mlPublicUrl,
    }),
  );
  await app.register(cors, {
    origin: config.webOrigins,
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    // content-disposition: a cross-origin client (the Vite dev server) reads the export's file name from it.
    exposedHeaders: [REQUEST_ID_HEADER, 'etag', 'retry-after', 'content-disposition'],
    maxAge: 600,
  });
  await app.register(rateLimit, {
    // Every route without a rate-limit config of its own shares one counter per client, so a
    // client's budget is spread over all public routes, not granted again on each; internal
    // routes opt out (INTERNAL_ROUTE_CONFIG) or count apart (the ML callback).
    global: true,
    allowList: (request) => isRateLimitExempt(request.url),
    max: config.rateLimitPerMinute,
    timeWindow: 60_000,
    errorResponseBuilder: (_request, ctx) =>
      new ServiceError('RATE_LIMITED', `too many requests: at most ${ctx.max} a minute; retry in ${ctx.after}`),
  });
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'ECG backend',
        description: 'Upload a video, follow its transcription, read the captions.',
        version: '0.1.0',
      },
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  await app.register(healthRoutes, { db, storage });
  // BACKEND_ROLE=worker: dispatch and renders only; the API is another instance's.
  if (!runsApi(config.role)) return app;
  await app.register(clientConfigRoute, { mlPublicUrl: config.mlPublicUrl, maxUploadBytes: config.maxUploadBytes });
  if (storage instanceof LocalStorage) {
    await app.register(localStorageRoutes, { storage, maxUploadBytes: config.maxUploadBytes });
  }
  const sessionStart = {
    sessions,
    cookie: { ttlSeconds: config.auth.sessionTtlSeconds, httpsOnly: config.publicUrl.startsWith('https:') },
    view: { authEnabled: config.auth.enabled, jobs, deletions, storage },
  };
  const failureWindowMs = config.auth.loginFailures.windowSeconds * 1000;
  await app.register(
    async (auth) => {
      await auth.register(loginRoute, {
        ...sessionStart,
        authEnabled: config.auth.enabled,
        users,
        failures: {
          perAccount: new FailureWindow(config.auth.loginFailures.perAccount, failureWindowMs),
          perAddress: new FailureWindow(config.auth.loginFailures.perAddress, failureWindowMs),
        },
      });
      await auth.register(logoutRoute, { sessions });
      await auth.register(setupRoute, { ...sessionStart, authEnabled: config.auth.enabled, users });
      await auth.register(meRoute, sessionStart.view);
      await auth.register(apiKeysRoute, { authEnabled: config.auth.enabled, apiKeys });
      await auth.register(webhookSecretRoute, { secretFor: webhookSecretFor });
    },
    { prefix: '/api/auth' },
  );
  await app.register(adminUsersRoute, { prefix: '/api/admin', authEnabled: config.auth.enabled, users });
  await app.register(
    async (api) => {
      await api.register(generateUrlRoute, {
        storage,
        uploadUrlExpiresSeconds: config.uploadUrlExpiresSeconds,
        maxUploadBytes: config.maxUploadBytes,
      });
      await api.register(requestProcessRoute, {
        storage,
        jobs,
        maxUploadBytes: config.maxUploadBytes,
        kickDispatcher: () => dispatcher.kick(),
        webhookAllowedOrigins: config.webhooks.allowedOrigins,
      });
      await api.register(resultCallbackRoute, {
        jobs,
        storage,
        callbackSecret: config.callbackSecret,
        rateLimitPerMinute: config.callbackRateLimitPerMinute,
        metrics,
      });
      await api.register(resultReadRoute, { jobs });
      await api.register(statusRoute, { jobs });
      await api.register(captionsReadRoute, { jobs });
      await api.register(captionsSaveRoute, { jobs, maxBodyBytes: config.maxCaptionsBytes });
      await api.register(captionsRestoreRoute, { jobs });
      await api.register(captionsReflowRoute, { jobs });
      await api.register(captionsCheckRoute, { jobs });
      await api.register(captionsExportRoute, { jobs });
      await api.register(mediaUrlRoute, { jobs, storage, expiresInSeconds: config.downloadUrlExpiresSeconds });
      await api.register(jobListRoute, { jobs, deletions, storage, retentionDays: config.retentionDays });
      await api.register(jobReadRoute, { jobs, deletions, storage, retentionDays: config.retentionDays });
      await api.register(jobDeleteRoute, { deletions, finishDeletion });
      await api.register(jobCancelRoute, { jobs, cancelOnMl, deletions, storage, retentionDays: config.retentionDays });
      await api.register(waveformReadRoute, { jobs, storage });
      await api.register(thumbnailsReadRoute, { jobs, storage });
      await api.register(renderCreateRoute, {
        jobs,
        renders,
        maxQueued: config.render.maxQueued,
        maxPerClient: config.render.maxPerClient,
        kickWorker: () => renderWorker.kick(),
      });
      await api.register(renderReadRoute, {
        jobs,
        renders,
        storage,
        downloadUrlExpiresSeconds: config.downloadUrlExpiresSeconds,
      });
    },
    { prefix: '/api/upload-video' },
  );
  // The OpenAI-compatible API: the same storage, jobs and dispatcher as an upload, answered synchronously.
  await app.register(openAiApi, {
    prefix: '/v1',
    storage,
    jobs,
    maxUploadBytes: config.maxUploadBytes,
    kickDispatcher: () => dispatcher.kick(),
    syncTimeoutSeconds: config.openaiSyncTimeoutSeconds,
    installedModels: createMlModels({ mlUrl: config.mlUrl, mlApiToken: config.mlApiToken, ...(deps.fetch ? { fetch: deps.fetch } : {}) }),
  });
  if (hasWebBuild(config.webDistDir)) {
    await app.register(webAppRoutes, { distDir: config.webDistDir });
  } else {
    app.log.info({ webDistDir: config.webDistDir }, 'no web app build found; serving the API only (npm run build -w @ecg/web)');
  }
  return app;
}
