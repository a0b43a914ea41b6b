import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { OpenAiErrorBody, OpenAiModel, OpenAiModelList, type MlModelsResponse } from '@ecg/contracts';
import { z } from 'zod';
import { ServiceError } from '@ecg/service-kit';
import { API_ROUTE_CONFIG } from '../api-route.js';
import { WHISPER_1 } from './ml-models.js';

export interface ModelsRouteOptions {
  installedModels: () => Promise<MlModelsResponse>;
}

const OWNER = 'ecg';

/**
 * The installed models in OpenAI's shape, and `whisper-1` beside them (OpenAI's
 * name, which tools send by default) standing for the model the ML service runs.
 */
export function openAiModelList(installed: MlModelsResponse): OpenAiModelList {
  const data: OpenAiModel[] = installed.models.map((m) => ({ id: m.name, object: 'model', created: m.created, owned_by: OWNER }));
  const active = installed.models.find((m) => m.name === installed.active);
  if (active) data.unshift({ id: WHISPER_1, object: 'model', created: active.created, owned_by: OWNER });
  return { object: 'list', data };
}

/** `GET /v1/models` and `GET /v1/models/{model}`, from the ML service's `GET /api/models`. */
export const modelsRoute: FastifyPluginAsyncZod<ModelsRouteOptions> = async (app, opts) => {
  app.get(
    '/models',
    {
      config: API_ROUTE_CONFIG,
      schema: {
        summary: 'The installed Whisper models (OpenAI-compatible)',
        description: 'whisper-1 stands for the model the ML service runs; every job runs on that one, whichever model a request names.',
        tags: ['openai'],
        response: { 200: OpenAiModelList, 429: OpenAiErrorBody, 503: OpenAiErrorBody },
      },
    },
    async () => openAiModelList(await opts.installedModels()),
  );
  app.get(
    '/models/:model',
    {
      config: API_ROUTE_CONFIG,
      schema: {
        summary: 'One installed model (OpenAI-compatible)',
        tags: ['openai'],
        params: z.object({ model: z.string().min(1).max(200) }),
        response: { 200: OpenAiModel, 404: OpenAiErrorBody, 429: OpenAiErrorBody, 503: OpenAiErrorBody },
      },
    },
    async (request) => {
      const model = openAiModelList(await opts.installedModels()).data.find((m) => m.id === request.params.model);
      if (!model) throw new ServiceError('NOT_FOUND', `model "${request.params.model}" is not installed`, { details: { param: 'model' } });
      return model;
    },
  );
};
