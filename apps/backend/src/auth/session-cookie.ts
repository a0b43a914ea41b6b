import type { FastifyReply, FastifyRequest } from 'fastify';
import { SESSION_COOKIE } from '@ecg/contracts';

export interface SessionCookiePolicy {
  /** Idle lifetime, as the sessions table keeps it. */
  ttlSeconds: number;
  /** PUBLIC_URL is https: the cookie never travels over plain http. */
  httpsOnly: boolean;
}

/**
 * The session cookie: HttpOnly (no script reads it), SameSite=Lax (another
 * site's form or fetch does not carry it; a link into ECG does), Secure
 * whenever ECG is reached over https (PUBLIC_URL's scheme, or the request's
 * own behind a trusted proxy).
 */
export function setSessionCookie(request: FastifyRequest, reply: FastifyReply, token: string, policy: SessionCookiePolicy): void {
  reply.setCookie(SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'lax',
    path: '/',
    secure: policy.httpsOnly || request.protocol === 'https',
    maxAge: policy.ttlSeconds,
  });
}

export function clearSessionCookie(reply: FastifyReply): void {
  reply.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'lax', path: '/' });
}
