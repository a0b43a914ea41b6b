import multipart from '@fastify/multipart';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AudioRouteOptions } from './audio-request.js';
import { modelsRoute } from './models.js';
import { installOpenAiErrors } from './openai-errors.js';
import { transcriptionsRoute } from './transcriptions.js';
import { translationsRoute } from './translations.js';

export type OpenAiApiOptions = AudioRouteOptions;

/**
 * The OpenAI-compatible API, registered under `/v1`: multipart bodies and
 * OpenAI's error envelope apply inside this scope only, so ECG's own routes
 * keep their JSON-only parsing and their error shape.
 */
export const openAiApi: FastifyPluginAsyncZod<OpenAiApiOptions> = async (app, opts) => {
  installOpenAiErrors(app);
  await app.register(multipart, {
    limits: {
      fileSize: opts.maxUploadBytes,
      files: 1,
      // model, language, prompt, response_format, temperature, granularities, and a few tools add.
      fields: 32,
      // A prompt of 4000 characters is at most 16000 bytes in UTF-8.
      fieldSize: 64 * 1024,
      parts: 40,
    },
  });
  const closing = new AbortController();
  // preClose: the server waits for open requests before onClose hooks run, and these may wait for minutes.
  app.addHook('preClose', async () => closing.abort());
  // The options without `prefix`, which would nest a second /v1 under this one.
  const audio: AudioRouteOptions = {
    closing: closing.signal,
    storage: opts.storage,
    jobs: opts.jobs,
    maxUploadBytes: opts.maxUploadBytes,
    kickDispatcher: opts.kickDispatcher,
    syncTimeoutSeconds: opts.syncTimeoutSeconds,
    installedModels: opts.installedModels,
    ...(opts.pollMs === undefined ? {} : { pollMs: opts.pollMs }),
  };
  await app.register(transcriptionsRoute, audio);
  await app.register(translationsRoute, audio);
  await app.register(modelsRoute, { installedModels: opts.installedModels });
};
