import type {} from '@fastify/rate-limit';
import type { FastifyContextConfig } from 'fastify';

/**
 * Route config for endpoints anyone may call: rate limited with the app-wide
 * settings. Internal routes (health, storage, the ML callback) leave it out.
 */
export const PUBLIC_ROUTE_CONFIG: FastifyContextConfig = { rateLimit: {} };
