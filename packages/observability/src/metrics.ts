import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Histogram, Registry } from 'prom-client';

/** One service's Prometheus registry, with process metrics and HTTP latency. */
export interface ServiceMetrics {
  registry: Registry;
  httpSeconds: Histogram<'method' | 'route' | 'status'>;
}

/**
 * A registry for one service (`backend`, `ml`): Node's process metrics
 * (CPU, memory, event-loop lag, prom-client's defaults) prefixed `ecg_`, and
 * `ecg_http_request_duration_seconds` by method, route pattern and status.
 * A registry of its own, not prom-client's global one, so two services in
 * one process (the tests) do not count into each other.
 */
export function createServiceMetrics(service: string): ServiceMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  // The event-loop lag monitor samples with a libuv timer; at prom-client's default 10 ms it woke an idle
  // process 100 times a second, 62 ms of CPU per 10 s on its own (2.3 ms at rest; 8.6 ms at 100 ms),
  // measured 2026-12-01 on the 2-core dev machine, more than everything else an idle backend does.
  // A stall still shows at full length, since it holds back the timer.
  collectDefaultMetrics({ register: registry, prefix: 'ecg_', eventLoopMonitoringPrecision: 100 });
  const httpSeconds = new Histogram({
    name: 'ecg_http_request_duration_seconds',
    help: 'HTTP request latency by method, route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    // From 5 ms (a status poll) to 60 s (a synchronous /v1 transcription waits longer and lands in +Inf).
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [registry],
  });
  return { registry, httpSeconds };
}

/**
 * Times every request into `httpSeconds` (labelled with the route pattern,
 * never the raw URL, so ids and signed query strings make no new series) and
 * serves `GET /metrics` in Prometheus's text format. Registered on the root
 * instance, before the routes.
 */
export function installMetrics(app: FastifyInstance, metrics: ServiceMetrics): void {
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    if (route === '/metrics') return;
    metrics.httpSeconds.observe({ method: request.method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });
  app.get(
    '/metrics',
    // Scraped every few seconds: not worth a log line each.
    { logLevel: 'warn', schema: { summary: 'Prometheus metrics (text format)', tags: ['health'] } },
    async (_request, reply) => {
      reply.header('content-type', metrics.registry.contentType);
      reply.header('cache-control', 'no-store');
      return metrics.registry.metrics();
    },
  );
}
