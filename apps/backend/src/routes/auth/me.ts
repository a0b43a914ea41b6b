import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { AuthSession, ErrorBody } from '@ecg/contracts';
import { requireUser } from '../../auth/principal.js';
import { sessionView, type SessionViewDeps } from '../../auth/session-view.js';

/** `GET /api/auth/me`: who this request acts for, and what their jobs keep in storage. */
export const meRoute: FastifyPluginAsyncZod<SessionViewDeps> = async (app, opts) => {
  app.get(
    '/me',
    {
      schema: {
        summary: 'The signed-in user (or `anonymous` while ECG_AUTH=off), with their storage used',
        tags: ['auth'],
        response: { 200: AuthSession, 401: ErrorBody, 429: ErrorBody },
      },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      return sessionView(opts, requireUser(request));
    },
  );
};
