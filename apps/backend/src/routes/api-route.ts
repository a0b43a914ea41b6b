import type {} from '@fastify/rate-limit';
import type { FastifyContextConfig } from 'fastify';

/**
 * Route config for the API's ordinary endpoints. It deliberately carries no
 * rate-limit settings of its own: such a route counts against the app-wide
 * limiter's one counter per client (a route-level `rateLimit` object would
 * get a counter of its own and so a fresh budget on every route). Every
 * `/api/` route is limited that way; see `isRateLimitExempt`. It names no
 * `auth` either, so the route needs a signed-in user (auth/principal.ts).
 */
export const API_ROUTE_CONFIG: FastifyContextConfig = {};

/**
 * Outside `/api/` and `/v1/` nothing is counted: the web app's files, /docs, /health and
 * the signed storage URLs (a video player's range requests while seeking
 * would burn a client's budget, and each URL is already bound by signature
 * and expiry).
 */
export function isRateLimitExempt(url: string): boolean {
  // /v1 is the OpenAI-compatible API: each request there runs a transcription.
  return !url.startsWith('/api/') && !url.startsWith('/v1/');
}
