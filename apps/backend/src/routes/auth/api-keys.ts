import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ApiKeyIdParams, ApiKeyList, CreateApiKeyRequest, CreatedApiKey, ErrorBody } from '@ecg/contracts';
import { z } from 'zod';
import { ServiceError } from '@ecg/service-kit';
import type { ApiKeyRecord, ApiKeyRepository } from '../../auth/api-key-repository.js';
import { requireUser } from '../../auth/principal.js';
import { newApiKey } from '../../auth/tokens.js';

export interface ApiKeysOptions {
  authEnabled: boolean;
  apiKeys: Pick<ApiKeyRepository, 'create' | 'list' | 'revoke'>;
}

const view = (k: ApiKeyRecord) => ({
  id: k.id,
  name: k.name,
  prefix: k.prefix,
  created_at: k.createdAt.toISOString(),
  last_used_at: k.lastUsedAt?.toISOString() ?? null,
});

/**
 * `/api/auth/api-keys`: the signed-in user's keys. A key is shown once, when
 * made; only its hash is kept. Revoking takes effect on the next request
 * (lookups are never cached).
 */
export const apiKeysRoute: FastifyPluginAsyncZod<ApiKeysOptions> = async (app, opts) => {
  const owner = (request: Parameters<typeof requireUser>[0]) => {
    if (!opts.authEnabled) throw new ServiceError('AUTH_DISABLED', 'ECG_AUTH is off: every request is let in, so there are no API keys to make');
    return requireUser(request).userId;
  };

  app.get(
    '/api-keys',
    {
      schema: { summary: 'Your API keys (never the keys themselves)', tags: ['auth'], response: { 200: ApiKeyList, 401: ErrorBody, 409: ErrorBody } },
    },
    async (request) => ({ keys: (await opts.apiKeys.list(owner(request))).map(view) }),
  );

  app.post(
    '/api-keys',
    {
      schema: {
        summary: 'Make an API key (send it as "Authorization: Bearer <key>"; shown this once)',
        tags: ['auth'],
        body: CreateApiKeyRequest,
        response: { 201: CreatedApiKey, 400: ErrorBody, 401: ErrorBody, 409: ErrorBody },
      },
    },
    async (request, reply) => {
      const key = newApiKey();
      const made = await opts.apiKeys.create(owner(request), request.body.name, key);
      reply.header('cache-control', 'no-store');
      return reply.code(201).send({ ...view(made), key });
    },
  );

  app.delete(
    '/api-keys/:keyId',
    {
      schema: {
        summary: 'Revoke one of your API keys',
        tags: ['auth'],
        params: z.object(ApiKeyIdParams.shape),
        response: { 204: z.null().describe('Revoked'), 401: ErrorBody, 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (request, reply) => {
      if (!(await opts.apiKeys.revoke(owner(request), request.params.keyId))) {
        throw new ServiceError('NOT_FOUND', `you have no API key ${request.params.keyId}`);
      }
      return reply.code(204).send(null);
    },
  );
};
