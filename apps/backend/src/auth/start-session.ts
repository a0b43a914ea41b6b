import type { FastifyReply, FastifyRequest } from 'fastify';
import { SESSION_COOKIE, type AuthSession } from '@ecg/contracts';
import type { SessionRepository } from './session-repository.js';
import { setSessionCookie, type SessionCookiePolicy } from './session-cookie.js';
import { sessionView, type SessionViewDeps } from './session-view.js';
import { newSessionToken } from './tokens.js';
import type { UserRecord } from './user-repository.js';

export interface StartSessionDeps {
  sessions: Pick<SessionRepository, 'create' | 'delete'>;
  cookie: SessionCookiePolicy;
  view: SessionViewDeps;
}

/**
 * Signs `user` in: a new session with a new token every time (the cookie a
 * browser arrived with is ended, not reused, so a token planted before login
 * is worthless after it), set as the cookie, answered as the AuthSession.
 */
export async function startSession(deps: StartSessionDeps, request: FastifyRequest, reply: FastifyReply, user: UserRecord): Promise<AuthSession> {
  const previous = request.cookies[SESSION_COOKIE];
  if (previous) await deps.sessions.delete(previous);
  const token = newSessionToken();
  await deps.sessions.create(token, user.id);
  setSessionCookie(request, reply, token, deps.cookie);
  reply.header('cache-control', 'no-store');
  return sessionView(deps.view, { userId: user.id, email: user.email, role: user.role, via: 'session' });
}
