import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance, FastifyRequest } from 'fastify';

export const REQUEST_ID_HEADER = 'x-request-id';

// Honour a proxy's or client's id only when it cannot forge log lines or bloat them.
const SANE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The request's id (Fastify's genReqId): a sane incoming `x-request-id`, else a fresh UUID. */
export function requestIdFor(req: Pick<IncomingMessage, 'headers'>): string {
  const given = req.headers[REQUEST_ID_HEADER];
  const value = Array.isArray(given) ? given[0] : given;
  return value && SANE_ID.test(value) ? value : randomUUID();
}

/** Every answer carries its request id, so a person can quote it and an operator find the log lines. */
export function installRequestIds(app: FastifyInstance): void {
  app.addHook('onRequest', async (request, reply) => {
    reply.header(REQUEST_ID_HEADER, request.id);
  });
}

/**
 * What a log line says about a request. The query string is left out: on the
 * storage routes it carries URL signatures, bearer credentials for hours.
 */
export function logRequest(req: FastifyRequest): Record<string, unknown> {
  return { method: req.method, url: req.url.split('?')[0], remoteAddress: req.ip };
}
