import type { FastifyInstance, FastifyRequest } from 'fastify';
import { SESSION_COOKIE } from '@ecg/contracts';
import { ServiceError } from '@ecg/service-kit';
import { isOwnPageRequest, isStateChanging } from '../security/same-origin.js';
import type { ApiKeyRepository } from './api-key-repository.js';
import { ANONYMOUS_PRINCIPAL, type Principal } from './principal.js';
import type { SessionRepository } from './session-repository.js';

export interface AuthenticateOptions {
  /** ECG_AUTH: off makes every request `anonymous`. */
  enabled: boolean;
  sessions: Pick<SessionRepository, 'lookup'>;
  apiKeys: Pick<ApiKeyRepository, 'lookup'>;
  /** The app's own origins (PUBLIC_URL's and WEB_ORIGINS): the pages whose cookie requests may change state. */
  appOrigins: readonly string[];
}

/** The API: everything else (the web app's files, /docs, /health, signed storage URLs) is not behind a login. */
function isApiPath(url: string): boolean {
  return url.startsWith('/api/') || url === '/v1' || url.startsWith('/v1/');
}

/** The key of `Authorization: Bearer <key>`, or null when there is no such header. */
export function bearerKey(header: string | undefined): string | null {
  const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header ?? '');
  return m?.[1] ?? null;
}

async function principalOf(request: FastifyRequest, opts: AuthenticateOptions, key: string | null): Promise<Principal | null> {
  if (key !== null) {
    const holder = await opts.apiKeys.lookup(key);
    return holder ? { userId: holder.userId, email: holder.email, role: holder.role, via: 'api_key' } : null;
  }
  const token = request.cookies[SESSION_COOKIE];
  if (!token) return null;
  const holder = await opts.sessions.lookup(token);
  return holder ? { userId: holder.userId, email: holder.email, role: holder.role, via: 'session' } : null;
}

/**
 * Decides who every request acts for, before any body is read: an API key
 * (`Authorization: Bearer`) when one is sent, else the session cookie. An
 * API route without either answers 401 unless it is marked public or signed
 * (principal.ts); a wrong key is never quietly ignored there. A session
 * request that changes state must come from the app's own page (CSRF); a key
 * request needs no Origin, since no browser attaches a key by itself.
 */
export function installAuthentication(app: FastifyInstance, opts: AuthenticateOptions): void {
  app.decorateRequest('principal', null);
  app.addHook('onRequest', async (request) => {
    if (!opts.enabled) {
      request.principal = ANONYMOUS_PRINCIPAL;
      return;
    }
    const url = request.url.split('?')[0] ?? '';
    const guarded = isApiPath(url) && request.routeOptions.config?.auth === undefined;
    const key = bearerKey(request.headers.authorization);
    const principal = await principalOf(request, opts, key);
    request.principal = principal;
    if (!guarded) return;
    if (!principal) {
      if (key !== null) throw new ServiceError('INVALID_API_KEY', 'this API key is not valid (unknown or revoked)');
      throw new ServiceError('AUTHENTICATION_REQUIRED', 'sign in, or send an API key as "Authorization: Bearer <key>"');
    }
    if (
      principal.via === 'session' &&
      isStateChanging(request.method) &&
      !isOwnPageRequest(request.headers.origin, request.headers.referer, request.headers.host, opts.appOrigins)
    ) {
      throw new ServiceError('ORIGIN_NOT_ALLOWED', 'a signed-in change must come from ECG’s own pages (Origin or Referer)');
    }
  });
}
