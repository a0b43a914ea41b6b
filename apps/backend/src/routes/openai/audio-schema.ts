import { OpenAiErrorBody, OpenAiTranscription, OpenAiTranscriptionVerbose } from '@ecg/contracts';
import { z } from 'zod';

/** The responses both audio endpoints declare (the OpenAPI page; JSON answers are checked against them). */
export const AUDIO_RESPONSES = {
  // Verbose first: a union answers with the first schema that fits, and {text} fits every verbose body.
  200: z.union([OpenAiTranscriptionVerbose, OpenAiTranscription, z.string().describe('text, srt or vtt: the file as text/plain')]),
  400: OpenAiErrorBody,
  413: OpenAiErrorBody,
  429: OpenAiErrorBody,
  500: OpenAiErrorBody,
  503: OpenAiErrorBody,
  504: OpenAiErrorBody,
};

/** The multipart form, for the docs only: the handler reads the stream itself. */
export const AUDIO_FORM_DESCRIPTION =
  'multipart/form-data fields: file (required; any video or audio ECG accepts, up to MAX_UPLOAD_BYTES), ' +
  'model (required; whisper-1 or an installed model from GET /v1/models — every job runs on the model the ML service has loaded), ' +
  'prompt, response_format (json | text | srt | vtt | verbose_json; default json), temperature (0..1).';
