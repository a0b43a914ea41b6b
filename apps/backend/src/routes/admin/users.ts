import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { CreateUserRequest, ErrorBody, UpdateUserRequest, User, UserIdParams, UserList } from '@ecg/contracts';
import { z } from 'zod';
import { ServiceError } from '@ecg/service-kit';
import { hashPassword } from '../../auth/passwords.js';
import { requireAdmin } from '../../auth/principal.js';
import { EmailTakenError, type UserRecord, type UserRepository } from '../../auth/user-repository.js';

export interface AdminUsersOptions {
  authEnabled: boolean;
  users: Pick<UserRepository, 'create' | 'list' | 'setDisabled'>;
}

const view = (u: UserRecord, jobCount: number): User => ({
  id: u.id,
  email: u.email,
  role: u.role,
  disabled: u.disabled,
  created_at: u.createdAt.toISOString(),
  job_count: jobCount,
});

/** `/api/admin/users`: an admin lists, creates, disables and enables users. */
export const adminUsersRoute: FastifyPluginAsyncZod<AdminUsersOptions> = async (app, opts) => {
  const admin = (request: Parameters<typeof requireAdmin>[0]) => {
    if (!opts.authEnabled) throw new ServiceError('AUTH_DISABLED', 'ECG_AUTH is off: this instance has no accounts');
    return requireAdmin(request);
  };

  app.get(
    '/users',
    { schema: { summary: 'Every user', tags: ['admin'], response: { 200: UserList, 401: ErrorBody, 403: ErrorBody, 409: ErrorBody } } },
    async (request) => {
      admin(request);
      return { users: (await opts.users.list()).map((u) => view(u, u.jobCount)) };
    },
  );

  app.post(
    '/users',
    {
      schema: {
        summary: 'Create a user',
        tags: ['admin'],
        body: CreateUserRequest,
        response: { 201: User, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 409: ErrorBody },
      },
    },
    async (request, reply) => {
      admin(request);
      const { email, password, role } = request.body;
      try {
        const user = await opts.users.create({ email, passwordHash: await hashPassword(password), role });
        if (!user) throw new Error('create without onlyIfNone always makes a user');
        request.log.info({ userId: user.id, role }, 'user created');
        return reply.code(201).send(view(user, 0));
      } catch (err) {
        if (err instanceof EmailTakenError) throw new ServiceError('EMAIL_TAKEN', `${email} has an account already`);
        throw err;
      }
    },
  );

  app.patch(
    '/users/:userId',
    {
      schema: {
        summary: 'Disable (ends their sessions, stops their keys) or enable a user',
        tags: ['admin'],
        params: z.object(UserIdParams.shape),
        body: UpdateUserRequest,
        response: { 200: User, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (request) => {
      const me = admin(request);
      if (request.params.userId === me.userId && request.body.disabled) {
        throw new ServiceError('VALIDATION_ERROR', 'you cannot disable your own account; another admin can');
      }
      const user = await opts.users.setDisabled(request.params.userId, request.body.disabled);
      if (!user) throw new ServiceError('NOT_FOUND', `no user ${request.params.userId}`);
      const listed = (await opts.users.list()).find((u) => u.id === user.id);
      return view(user, listed?.jobCount ?? 0);
    },
  );
};
