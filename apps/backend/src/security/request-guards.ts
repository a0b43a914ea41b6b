import type { FastifyInstance } from 'fastify';
import { ServiceError } from '@ecg/service-kit';
import { isAllowedHost, type HostPolicy } from './allowed-hosts.js';
import { isAllowedOrigin, isStateChanging } from './same-origin.js';

export interface RequestGuardOptions {
  hosts: HostPolicy;
  /** Origins besides the app's own allowed to change state (WEB_ORIGINS). */
  webOrigins: readonly string[];
}

/**
 * The first hooks every request meets, before any route, body parser or rate
 * limit: a Host outside the host policy (DNS rebinding) and a state-changing
 * request from another site's page (CSRF) are refused here. The connection
 * closes after a refusal so an unread upload body is not drained.
 */
export function installRequestGuards(app: FastifyInstance, opts: RequestGuardOptions): void {
  app.addHook('onRequest', async (request, reply) => {
    const host = request.headers.host;
    if (!isAllowedHost(host, opts.hosts)) {
      reply.header('connection', 'close');
      throw new ServiceError(
        'HOST_NOT_ALLOWED',
        `this server does not answer for host "${String(host).slice(0, 200)}"; open it at PUBLIC_URL, or add the name to ALLOWED_HOSTS`,
      );
    }
    if (isStateChanging(request.method) && !isAllowedOrigin(request.headers.origin, host, opts.webOrigins)) {
      reply.header('connection', 'close');
      throw new ServiceError(
        'ORIGIN_NOT_ALLOWED',
        `requests from pages on ${String(request.headers.origin).slice(0, 200)} may not change anything here (WEB_ORIGINS lists the allowed ones)`,
      );
    }
  });
}
