import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const REQUEST_ID_HEADER = 'x-request-id';

// Honour a proxy's or client's id only when it cannot forge log lines or bloat them.
const SANE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The request's id: a sane incoming `x-request-id`, else a fresh UUID. */
export function requestIdFor(req: Pick<IncomingMessage, 'headers'>): string {
  const given = req.headers[REQUEST_ID_HEADER];
  const value = Array.isArray(given) ? given[0] : given;
  return value && SANE_ID.test(value) ? value : randomUUID();
}
