import { z } from 'zod';

/**
 * The bodies of ECG's OpenAI-compatible API (`/v1`), shaped as the official
 * `openai` client's types declare them (`Transcription`, `TranscriptionVerbose`,
 * `TranscriptionSegment`, `TranscriptionWord`, `Model`, the list envelope and
 * the error envelope), so any OpenAI-compatible tool reads them unchanged.
 * They are documentation and response schemas; ECG's own API keeps its shapes.
 */

export const OpenAiResponseFormat = z.enum(['json', 'text', 'srt', 'verbose_json', 'vtt']).meta({ id: 'OpenAiResponseFormat' });
export type OpenAiResponseFormat = z.infer<typeof OpenAiResponseFormat>;

export const OpenAiTimestampGranularity = z.enum(['word', 'segment']);
export type OpenAiTimestampGranularity = z.infer<typeof OpenAiTimestampGranularity>;

/** `response_format=json` (the default). */
export const OpenAiTranscription = z.object({ text: z.string() }).meta({ id: 'OpenAiTranscription' });
export type OpenAiTranscription = z.infer<typeof OpenAiTranscription>;

export const OpenAiTranscriptionSegment = z
  .object({
    id: z.number().int().min(0),
    /** Where the segment's 30-s decoding window starts, in 10-ms frames (Whisper's `seek`). */
    seek: z.number().int().min(0),
    start: z.number().min(0),
    end: z.number().min(0),
    text: z.string(),
    /** Whisper's token ids; ECG's engine output does not keep them, so this is empty. */
    tokens: z.array(z.number().int()),
    temperature: z.number(),
    avg_logprob: z.number(),
    compression_ratio: z.number(),
    no_speech_prob: z.number(),
  })
  .meta({ id: 'OpenAiTranscriptionSegment' });
export type OpenAiTranscriptionSegment = z.infer<typeof OpenAiTranscriptionSegment>;

export const OpenAiTranscriptionWord = z
  .object({ word: z.string(), start: z.number().min(0), end: z.number().min(0) })
  .meta({ id: 'OpenAiTranscriptionWord' });
export type OpenAiTranscriptionWord = z.infer<typeof OpenAiTranscriptionWord>;

/** `response_format=verbose_json`. */
export const OpenAiTranscriptionVerbose = z
  .object({
    task: z.enum(['transcribe', 'translate']),
    /** The language's English name in lower case (`english`, `korean`), as OpenAI writes it. */
    language: z.string(),
    duration: z.number().min(0),
    text: z.string(),
    /** Present unless `timestamp_granularities[]` leaves `segment` out. */
    segments: z.array(OpenAiTranscriptionSegment).optional(),
    /** Present when `timestamp_granularities[]` names `word`. */
    words: z.array(OpenAiTranscriptionWord).optional(),
    usage: z.object({ type: z.literal('duration'), seconds: z.number().min(0) }).optional(),
  })
  .meta({ id: 'OpenAiTranscriptionVerbose' });
export type OpenAiTranscriptionVerbose = z.infer<typeof OpenAiTranscriptionVerbose>;

export const OpenAiModel = z
  .object({
    id: z.string(),
    object: z.literal('model'),
    /** Unix seconds: when the model file was written. */
    created: z.number().int().min(0),
    owned_by: z.string(),
  })
  .meta({ id: 'OpenAiModel' });
export type OpenAiModel = z.infer<typeof OpenAiModel>;

/** `GET /v1/models`. */
export const OpenAiModelList = z.object({ object: z.literal('list'), data: z.array(OpenAiModel) }).meta({ id: 'OpenAiModelList' });
export type OpenAiModelList = z.infer<typeof OpenAiModelList>;

/**
 * Every error a `/v1` route answers: OpenAI's envelope, which the official
 * client turns into its typed errors (`BadRequestError`, …; `err.code`,
 * `err.param`, `err.type`). `code` is ECG's stable error code.
 */
export const OpenAiErrorBody = z
  .object({
    error: z.object({
      message: z.string(),
      type: z.string(),
      param: z.string().nullable(),
      code: z.string(),
    }),
  })
  .meta({ id: 'OpenAiErrorBody' });
export type OpenAiErrorBody = z.infer<typeof OpenAiErrorBody>;
