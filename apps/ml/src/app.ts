import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { installErrorHandling, installRequestIds, logRequest, requestIdFor, ServiceError } from '@ecg/service-kit';
import { installMetrics, type ServiceMetrics } from '@ecg/observability';
import type { JobStore } from './queue/job-store.js';
import type { JobQueue } from './queue/job-queue.js';
import type { Readiness } from './readiness.js';
import { healthRoutes } from './routes/health.js';
import { modelsRoutes } from './routes/models.js';
import { processVideoRoutes } from './routes/process-video.js';
import { statusRoutes } from './routes/status.js';

export interface AppDeps {
  apiToken: string;
  /** MODELS_DIR: where `GET /api/models` looks for ggml files. */
  modelsDir: string;
  backendUrl: string;
  callbackAllowedOrigins: readonly string[];
  webOrigins: readonly string[];
  threads: number;
  engineName: string;
  /** ML_STATUS_RATE_LIMIT_PER_MINUTE. */
  statusRateLimitPerMinute: number;
  store: JobStore;
  queue: Pick<JobQueue, 'submit' | 'cancel' | 'isAccepting' | 'stats'>;
  /** ML_ROLE=worker serves /health alone: it takes no jobs over HTTP and holds no status to show. */
  healthOnly?: boolean;
  readiness: () => Promise<Readiness>;
  /** Serves GET /metrics and times requests; absent: no /metrics (route tests). */
  metrics?: ServiceMetrics;
  logger?: FastifyServerOptions['logger'];
}

/** The ML service's HTTP face; everything it needs comes in `deps`. */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const logger = typeof deps.logger === 'object' && deps.logger !== null ? { ...deps.logger, serializers: { req: logRequest } } : (deps.logger ?? false);
  const app = Fastify({ logger, genReqId: requestIdFor, bodyLimit: 64 * 1024 }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  // The same error answers, request ids and request log lines as the backend (@ecg/service-kit).
  installErrorHandling(app);
  installRequestIds(app);
  if (deps.metrics) installMetrics(app, deps.metrics);

  // A JSON API and its /docs page: scripts and styles from this origin only, never framed, no
  // referrer (as the backend; apps/backend/src/security/security-headers.ts). No HSTS or
  // upgrade-insecure-requests: the service speaks plain http on its network.
  await app.register(helmet, {
    global: true,
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    hsts: false,
    // The browser reads /status from the web app's origin (CORS): cross-origin reads must stay allowed.
    crossOriginResourcePolicy: { policy: 'cross-origin' },
  });
  // The browser polls /status directly (the seed's flow); nothing else is meant for it.
  await app.register(cors, { origin: [...deps.webOrigins], methods: ['GET', 'HEAD'] });
  // Only routes that opt in (the public status route) are limited.
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_req, ctx) => new ServiceError('RATE_LIMITED', `too many status requests: at most ${ctx.max} a minute; retry in ${ctx.after}`),
  });
  await app.register(swagger, {
    openapi: {
      info: { title: 'ECG ML service', version: '0.1.0', description: 'Worker API: download, extract audio, transcribe with whisper.cpp, deliver.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  await app.register(healthRoutes, {
    readiness: deps.readiness,
    queueStats: () => deps.queue.stats(),
    engineName: deps.engineName,
    threads: deps.threads,
  });
  if (deps.healthOnly) return app;
  await app.register(statusRoutes, { store: deps.store, apiToken: deps.apiToken, rateLimitPerMinute: deps.statusRateLimitPerMinute });
  await app.register(processVideoRoutes, {
    apiToken: deps.apiToken,
    backendUrl: deps.backendUrl,
    callbackAllowedOrigins: deps.callbackAllowedOrigins,
    store: deps.store,
    queue: deps.queue,
    readiness: deps.readiness,
  });
  await app.register(modelsRoutes, { apiToken: deps.apiToken, modelsDir: deps.modelsDir, readiness: deps.readiness });
  return app;
}
