import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { BackendHealthResponse } from '@ecg/contracts';
import type { Db } from '../db/db.js';
import type { ObjectStorage } from '../storage/storage.js';

export interface HealthRouteOptions {
  db: Pick<Db, 'query' | 'driver'>;
  storage: Pick<ObjectStorage, 'check' | 'driver'>;
  /** A check slower than this counts as failed, so /health itself never hangs. */
  checkTimeoutMs?: number;
}

async function probe(fn: () => Promise<unknown>, timeoutMs: number): Promise<{ ok: boolean; error?: string }> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      fn(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return { ok: true };
  } catch (err) {
    // Only the message's first line: enough for an operator, no stack or query text.
    return { ok: false, error: String((err as Error).message ?? err).split('\n')[0]?.slice(0, 200) ?? 'failed' };
  } finally {
    clearTimeout(timer);
  }
}

/** `GET /health`: 200 when the database and storage answer, 503 (degraded) otherwise. */
export const healthRoutes: FastifyPluginAsyncZod<HealthRouteOptions> = async (app, opts) => {
  const timeoutMs = opts.checkTimeoutMs ?? 3000;
  app.get(
    '/health',
    {
      // Load balancers and `npm start` poll this every few seconds: their requests are not worth a log line each.
      logLevel: 'warn',
      schema: {
        summary: 'Liveness and readiness: database and storage',
        tags: ['health'],
        response: { 200: BackendHealthResponse, 503: BackendHealthResponse },
      },
    },
    async (_request, reply) => {
      const [database, storage] = await Promise.all([
        probe(() => opts.db.query('SELECT 1'), timeoutMs),
        probe(() => opts.storage.check(), timeoutMs),
      ]);
      const ok = database.ok && storage.ok;
      return reply.code(ok ? 200 : 503).send({
        status: ok ? 'ok' : 'degraded',
        checks: {
          database: { ...database, driver: opts.db.driver },
          storage: { ...storage, driver: opts.storage.driver },
        },
      });
    },
  );
};
