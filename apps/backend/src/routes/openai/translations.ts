import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { API_ROUTE_CONFIG } from '../api-route.js';
import { answerAudioRequest, type AudioRouteOptions } from './audio-request.js';
import { AUDIO_FORM_DESCRIPTION, AUDIO_RESPONSES } from './audio-schema.js';

/** `POST /v1/audio/translations`: any language to English text with Whisper's own translate task (whisper-cli -tr). */
export const translationsRoute: FastifyPluginAsyncZod<AudioRouteOptions> = async (app, opts) => {
  app.post(
    '/audio/translations',
    {
      config: API_ROUTE_CONFIG,
      schema: {
        summary: 'Translate speech into English text (OpenAI-compatible, synchronous)',
        description: `${AUDIO_FORM_DESCRIPTION} The text is English whatever was spoken; the job shows in the job list like any upload.`,
        tags: ['openai'],
        consumes: ['multipart/form-data'],
        response: AUDIO_RESPONSES,
      },
    },
    async (request, reply) => answerAudioRequest(request, reply, 'translate', opts),
  );
};
