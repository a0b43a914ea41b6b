import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { AuthSession, ErrorBody, SetupRequest, SetupStatus } from '@ecg/contracts';
import { ServiceError } from '@ecg/service-kit';
import { isLocalRequest } from '../../auth/loopback-request.js';
import { hashPassword } from '../../auth/passwords.js';
import { startSession, type StartSessionDeps } from '../../auth/start-session.js';
import type { UserRepository } from '../../auth/user-repository.js';

export interface SetupOptions extends StartSessionDeps {
  authEnabled: boolean;
  users: Pick<UserRepository, 'count' | 'create'>;
}

/**
 * `GET|POST /api/auth/setup`: the first admin, made from the web app the
 * first time it is opened on this very machine (ADMIN_EMAIL/ADMIN_PASSWORD
 * is the other way). Only while no user exists and only for a local request
 * (loopback-request.ts), so a server that came up without an admin cannot be
 * claimed from the network.
 */
export const setupRoute: FastifyPluginAsyncZod<SetupOptions> = async (app, opts) => {
  const available = async (local: boolean) => opts.authEnabled && local && (await opts.users.count()) === 0;

  app.get(
    '/setup',
    {
      config: { auth: 'public' },
      schema: {
        summary: 'Whether the one-time setup of the first admin is open to this request',
        tags: ['auth'],
        response: { 200: SetupStatus, 429: ErrorBody },
      },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      return { auth_enabled: opts.authEnabled, setup_available: await available(isLocalRequest(request)) };
    },
  );

  app.post(
    '/setup',
    {
      config: { auth: 'public' },
      schema: {
        summary: 'Create the first admin and sign in (once, from this machine)',
        tags: ['auth'],
        body: SetupRequest,
        response: { 200: AuthSession, 400: ErrorBody, 409: ErrorBody, 429: ErrorBody },
      },
    },
    async (request, reply) => {
      if (!opts.authEnabled) throw new ServiceError('AUTH_DISABLED', 'ECG_AUTH is off: this instance has no accounts');
      const refused = () =>
        new ServiceError('SETUP_NOT_AVAILABLE', 'setup is done once, from a browser on the server itself, while no account exists; sign in instead');
      if (!(await available(isLocalRequest(request)))) throw refused();
      const user = await opts.users.create(
        { email: request.body.email, passwordHash: await hashPassword(request.body.password), role: 'admin' },
        { onlyIfNone: true },
      );
      if (!user) throw refused();
      request.log.info({ userId: user.id }, 'first admin created by the setup page');
      return startSession(opts, request, reply, user);
    },
  );
};
