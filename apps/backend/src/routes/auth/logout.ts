import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ErrorBody, SESSION_COOKIE } from '@ecg/contracts';
import { z } from 'zod';
import { clearSessionCookie } from '../../auth/session-cookie.js';
import type { SessionRepository } from '../../auth/session-repository.js';

export interface LogoutOptions {
  sessions: Pick<SessionRepository, 'delete'>;
}

/** `POST /api/auth/logout`: ends the session (in the database, not only the cookie). Public: an expired session may still sign out. */
export const logoutRoute: FastifyPluginAsyncZod<LogoutOptions> = async (app, opts) => {
  app.post(
    '/logout',
    {
      config: { auth: 'public' },
      schema: {
        summary: 'Sign out: ends the session and clears its cookie',
        tags: ['auth'],
        response: { 204: z.null().describe('Signed out'), 429: ErrorBody },
      },
    },
    async (request, reply) => {
      const token = request.cookies[SESSION_COOKIE];
      if (token) await opts.sessions.delete(token);
      clearSessionCookie(reply);
      return reply.code(204).send(null);
    },
  );
};
