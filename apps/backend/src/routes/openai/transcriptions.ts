import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { API_ROUTE_CONFIG } from '../api-route.js';
import { answerAudioRequest, type AudioRouteOptions } from './audio-request.js';
import { AUDIO_FORM_DESCRIPTION, AUDIO_RESPONSES } from './audio-schema.js';

/** `POST /v1/audio/transcriptions`: OpenAI's transcription endpoint, answered when the job is done. */
export const transcriptionsRoute: FastifyPluginAsyncZod<AudioRouteOptions> = async (app, opts) => {
  app.post(
    '/audio/transcriptions',
    {
      config: API_ROUTE_CONFIG,
      schema: {
        summary: 'Transcribe a file (OpenAI-compatible, synchronous)',
        description:
          `${AUDIO_FORM_DESCRIPTION} Transcriptions also take language (a Whisper code) and timestamp_granularities[] (word, segment; verbose_json only). ` +
          'json/text/verbose_json are Whisper’s transcript; srt/vtt are ECG’s laid-out captions. The job shows in the job list like any upload; ' +
          'the answer carries its id in x-ecg-job-id.',
        tags: ['openai'],
        consumes: ['multipart/form-data'],
        response: AUDIO_RESPONSES,
      },
    },
    async (request, reply) => answerAudioRequest(request, reply, 'transcribe', opts),
  );
};
