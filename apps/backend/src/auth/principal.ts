import type {} from '@fastify/cookie';
import type { FastifyRequest } from 'fastify';
import { ANONYMOUS_USER_ID, type UserRole } from '@ecg/contracts';
import { ServiceError } from '@ecg/service-kit';

/** Who a request acts for. Every job, upload, caption, render and media URL is looked up as theirs. */
export interface Principal {
  userId: string;
  /** Null only for `anonymous`. */
  email: string | null;
  role: UserRole;
  /** A session cookie, an API key, or nothing needed (ECG_AUTH=off). */
  via: 'session' | 'api_key' | 'none';
}

/** Everyone, while ECG_AUTH=off: the single user of a loopback install, with every right. */
export const ANONYMOUS_PRINCIPAL: Principal = Object.freeze({ userId: ANONYMOUS_USER_ID, email: null, role: 'admin', via: 'none' });

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the authentication hook (authenticate.ts); null on a public route called without credentials. */
    principal: Principal | null;
  }
  interface FastifyContextConfig {
    /**
     * Routes under /api and /v1 need a signed-in user unless they say otherwise:
     * `public` (health-like: login, setup) or `signed` (the ML service's
     * callback, which proves itself with its own HMAC signature).
     */
    auth?: 'public' | 'signed';
  }
}

/** The request's user; 401 when there is none (only public routes can get that far without one). */
export function requireUser(request: FastifyRequest): Principal {
  if (!request.principal) throw new ServiceError('AUTHENTICATION_REQUIRED', 'sign in, or send an API key as "Authorization: Bearer <key>"');
  return request.principal;
}

/** The request's user if an admin; 403 otherwise. */
export function requireAdmin(request: FastifyRequest): Principal {
  const user = requireUser(request);
  if (user.role !== 'admin') throw new ServiceError('FORBIDDEN', 'only an admin may do this');
  return user;
}
