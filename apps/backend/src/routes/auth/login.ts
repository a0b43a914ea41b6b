import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { AuthSession, ErrorBody, LoginRequest } from '@ecg/contracts';
import { ServiceError } from '@ecg/service-kit';
import type { FailureWindow } from '../../auth/login-limiter.js';
import { verifyNothing, verifyPassword } from '../../auth/passwords.js';
import { startSession, type StartSessionDeps } from '../../auth/start-session.js';
import type { UserRepository } from '../../auth/user-repository.js';

export interface LoginOptions extends StartSessionDeps {
  authEnabled: boolean;
  users: Pick<UserRepository, 'findByEmail'>;
  /** Failed logins per email and per client address. */
  failures: { perAccount: FailureWindow; perAddress: FailureWindow };
}

/**
 * `POST /api/auth/login`: email and password for a session cookie. A wrong
 * email, a wrong password and a disabled account get the same answer in the
 * same time (verifyNothing), so the answer says nothing about who has an
 * account; failures are counted per account and per address.
 */
export const loginRoute: FastifyPluginAsyncZod<LoginOptions> = async (app, opts) => {
  app.post(
    '/login',
    {
      config: { auth: 'public' },
      schema: {
        summary: 'Sign in with email and password (sets the session cookie)',
        tags: ['auth'],
        body: LoginRequest,
        response: { 200: AuthSession, 400: ErrorBody, 401: ErrorBody, 409: ErrorBody, 429: ErrorBody },
      },
    },
    async (request, reply) => {
      if (!opts.authEnabled) throw new ServiceError('AUTH_DISABLED', 'ECG_AUTH is off: this instance has no accounts and needs no login');
      const { email, password } = request.body;
      const wait = Math.max(opts.failures.perAccount.retryAfterSeconds(email), opts.failures.perAddress.retryAfterSeconds(request.ip));
      if (wait > 0) {
        reply.header('retry-after', String(wait));
        throw new ServiceError('LOGIN_RATE_LIMITED', `too many failed logins; try again in ${wait} s`, { details: { retry_after_seconds: wait } });
      }
      const user = await opts.users.findByEmail(email);
      const matches = user ? await verifyPassword(user.passwordHash, password) : await verifyNothing(password);
      if (!user || !matches || user.disabled) {
        opts.failures.perAccount.recordFailure(email);
        opts.failures.perAddress.recordFailure(request.ip);
        throw new ServiceError('INVALID_CREDENTIALS', 'wrong email or password');
      }
      opts.failures.perAccount.reset(email);
      return startSession(opts, request, reply, user);
    },
  );
};
