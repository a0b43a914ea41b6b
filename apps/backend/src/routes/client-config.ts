import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ClientConfigResponse, ErrorBody } from '@ecg/contracts';
import { API_ROUTE_CONFIG } from './api-route.js';

export interface ClientConfigOptions {
  mlPublicUrl: string | null;
  maxUploadBytes: number;
}

/** `GET /api/config`: what the browser needs before it starts. */
export const clientConfigRoute: FastifyPluginAsyncZod<ClientConfigOptions> = async (app, opts) => {
  const body: ClientConfigResponse = { ml_public_url: opts.mlPublicUrl, max_upload_bytes: opts.maxUploadBytes };
  app.get(
    '/api/config',
    {
      config: API_ROUTE_CONFIG,
      schema: {
        summary: 'Client configuration: where to poll progress, the upload size limit',
        description: 'ml_public_url null means the ML service is private: poll GET /api/upload-video/status/{job_id} on the backend.',
        tags: ['config'],
        response: { 200: ClientConfigResponse, 429: ErrorBody },
      },
    },
    async () => body,
  );
};
