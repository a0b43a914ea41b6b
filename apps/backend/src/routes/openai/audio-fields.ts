import { LanguageCode, OpenAiResponseFormat, OpenAiTimestampGranularity, type TranscribeOptions } from '@ecg/contracts';
import { fieldError } from './openai-errors.js';

/** The form fields of one audio request, by name; a repeated field keeps every value. */
export type FormFields = ReadonlyMap<string, readonly string[]>;

/** A transcription or translation request, checked. */
export interface AudioRequest {
  model: string;
  language: string | undefined;
  format: OpenAiResponseFormat;
  granularities: OpenAiTimestampGranularity[];
  decode: TranscribeOptions;
}

const first = (fields: FormFields, name: string): string | undefined => fields.get(name)?.[0];

/**
 * Reads the fields OpenAI documents for `POST /v1/audio/transcriptions`
 * (`task: 'transcribe'`) and `/v1/audio/translations` (`task: 'translate'`:
 * no language, no timestamp granularities; the output is English). Fields
 * OpenAI has that Whisper does not (`include[]`, `chunking_strategy`) are
 * ignored as OpenAI's own whisper-1 ignores them; `stream=true` is refused,
 * since the answer comes whole. Throws a 400 naming the field.
 */
export function readAudioFields(fields: FormFields, task: 'transcribe' | 'translate'): AudioRequest {
  const model = first(fields, 'model')?.trim();
  if (!model) throw fieldError('model', 'VALIDATION_ERROR', 400, 'model is required: "whisper-1" or an installed model (GET /v1/models)');

  const formatText = first(fields, 'response_format') ?? 'json';
  const format = OpenAiResponseFormat.safeParse(formatText);
  if (!format.success) {
    throw fieldError('response_format', 'VALIDATION_ERROR', 400, `response_format "${formatText}" is not one of ${OpenAiResponseFormat.options.join(', ')}`);
  }

  let language: string | undefined;
  const languageText = task === 'transcribe' ? first(fields, 'language')?.trim() : undefined;
  if (languageText) {
    const parsed = LanguageCode.safeParse(languageText);
    if (!parsed.success) throw fieldError('language', 'VALIDATION_ERROR', 400, `language "${languageText}" is not a Whisper language code (ISO 639-1, such as en, ko, ja)`);
    language = parsed.data;
  }

  const granularities: OpenAiTimestampGranularity[] = [];
  if (task === 'transcribe') {
    for (const value of [...(fields.get('timestamp_granularities[]') ?? []), ...(fields.get('timestamp_granularities') ?? [])]) {
      const g = OpenAiTimestampGranularity.safeParse(value);
      if (!g.success) throw fieldError('timestamp_granularities', 'VALIDATION_ERROR', 400, `timestamp granularity "${value}" is not word or segment`);
      if (!granularities.includes(g.data)) granularities.push(g.data);
    }
  }

  const decode: TranscribeOptions = { task };
  const prompt = first(fields, 'prompt');
  if (prompt !== undefined && prompt !== '') {
    if (prompt.length > 4000) throw fieldError('prompt', 'VALIDATION_ERROR', 400, 'prompt is longer than 4000 characters (Whisper reads at most 224 tokens of it)');
    decode.prompt = prompt;
  }
  const temperatureText = first(fields, 'temperature');
  if (temperatureText !== undefined && temperatureText !== '') {
    const t = Number(temperatureText);
    if (!Number.isFinite(t) || t < 0 || t > 1) throw fieldError('temperature', 'VALIDATION_ERROR', 400, `temperature "${temperatureText}" is not a number between 0 and 1`);
    decode.temperature = t;
  }
  if (first(fields, 'stream') === 'true') {
    throw fieldError('stream', 'VALIDATION_ERROR', 400, 'stream=true is not supported here: the answer comes whole when the job is done');
  }
  return { model, language, format: format.data, granularities, decode };
}
