import { z } from 'zod';
import { CaptionLayoutRequest, CaptionProfileName } from './caption-layout.js';
import { LanguageCode } from './languages.js';
import { checkSpeakerCounts, SpeakerCountOptions } from './speakers.js';
import { CALLBACK_URL_MAX_LENGTH } from './webhooks.js';

export const GenerateUrlRequest = z
  .object({
    filename: z.string().min(1).max(1024),
    filetype: z.string().min(1).max(255).optional(),
    /** Original ECG clients sent `content_type` instead of `filetype`. */
    content_type: z.string().min(1).max(255).optional(),
    /** Optional size in bytes; lets the backend refuse an oversized file before any byte moves. */
    filesize: z.number().int().min(0).optional(),
  })
  .refine((b) => b.filetype !== undefined || b.content_type !== undefined, {
    message: 'filetype (or content_type) is required',
    path: ['filetype'],
  })
  .meta({ id: 'GenerateUrlRequest' });
export type GenerateUrlRequest = z.infer<typeof GenerateUrlRequest>;

export const GenerateUrlResponse = z
  .object({
    url: z.string().url(),
    fileKey: z.string(),
    expiresIn: z.number().int().positive().describe('seconds until the URL expires'),
    method: z.literal('PUT'),
    headers: z.record(z.string(), z.string()).describe('headers the client must send with the PUT'),
    maxBytes: z.number().int().positive(),
  })
  .meta({ id: 'GenerateUrlResponse' });
export type GenerateUrlResponse = z.infer<typeof GenerateUrlResponse>;

export const RequestProcessRequest = z
  .object({
    fileKey: z.string().min(1).max(1024),
    language: LanguageCode.optional(),
    /**
     * How the first captions are laid out: a profile name (`ko`, `en`, …) or
     * the full layout request (profile, vertical, overrides). Unset: the
     * transcript language's profile.
     */
    profile: z.union([CaptionProfileName, CaptionLayoutRequest]).optional(),
    /** How many speakers to look for (num_speakers, or min/max bounds); unset: found from the audio. */
    ...SpeakerCountOptions.shape,
    /**
     * Where ECG POSTs a signed WebhookEvent when the job ends (completed or
     * failed). http(s), no credentials, and a public address unless its origin
     * is in WEBHOOK_ALLOWED_ORIGINS; a refused URL answers 400 URL_NOT_ALLOWED.
     */
    callback_url: z.string().min(1).max(CALLBACK_URL_MAX_LENGTH).optional(),
  })
  .superRefine(checkSpeakerCounts)
  .meta({ id: 'RequestProcessRequest' });
export type RequestProcessRequest = z.infer<typeof RequestProcessRequest>;

export const RequestProcessResponse = z
  .object({
    message: z.literal('Video processing started.'),
    jobId: z.string().uuid(),
  })
  .meta({ id: 'RequestProcessResponse' });
export type RequestProcessResponse = z.infer<typeof RequestProcessResponse>;
