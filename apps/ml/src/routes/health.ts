import { MlHealthResponse } from '@ecg/contracts';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { QueueStats } from '../queue/job-queue.js';
import type { Readiness } from '../readiness.js';

export interface HealthRouteOptions {
  readiness: () => Promise<Readiness>;
  queueStats: () => Promise<QueueStats>;
  engineName: string;
  threads: number;
}

/** 200 only when a job could run now; 503 with the reason otherwise (load balancers and `npm start` wait on it). */
export const healthRoutes: FastifyPluginAsyncZod<HealthRouteOptions> = async (app, opts) => {
  app.get(
    '/health',
    // Polled every few seconds by orchestrators, the backend and `npm start`: not worth a log line each.
    { logLevel: 'warn', schema: { summary: 'Readiness: model, engine, queue', response: { 200: MlHealthResponse, 503: MlHealthResponse } } },
    async (_req, reply) => {
      const r = await opts.readiness();
      const common = { engine: opts.engineName, threads: opts.threads, queue: await opts.queueStats() };
      if (r.ready) return { status: 'ok' as const, ready: true, model: r.model.name, vad: r.vadModelPath !== undefined, ...common };
      return reply.code(503).send({ status: 'unavailable' as const, ready: false, model: r.modelName, vad: r.vad, reason: r.reason, ...common });
    },
  );
};
