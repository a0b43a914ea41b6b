import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ErrorBody, WebhookSecret } from '@ecg/contracts';
import { ServiceError } from '@ecg/service-kit';
import { requireUser } from '../../auth/principal.js';
import type { WebhookSecretFor } from '../../webhooks/webhook-secret.js';

export interface WebhookSecretOptions {
  secretFor: WebhookSecretFor;
}

/** `GET /api/auth/webhook-secret`: the secret that signs your webhooks, to verify them with. */
export const webhookSecretRoute: FastifyPluginAsyncZod<WebhookSecretOptions> = async (app, opts) => {
  app.get(
    '/webhook-secret',
    {
      schema: {
        summary: 'The secret that signs your callback_url webhooks (HMAC-SHA256; see the README, Webhooks)',
        tags: ['auth'],
        response: { 200: WebhookSecret, 401: ErrorBody, 404: ErrorBody },
      },
    },
    async (request, reply) => {
      const secret = await opts.secretFor(requireUser(request).userId);
      if (secret === null) throw new ServiceError('NOT_FOUND', 'no webhook secret for this user');
      reply.header('cache-control', 'no-store');
      return { secret };
    },
  );
};
