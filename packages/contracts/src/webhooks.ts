import { z } from 'zod';
import { ErrorCode } from './errors.js';

/**
 * What ECG POSTs to a job's `callback_url` once the job has ended. Signed
 * like the ML service's deliveries (CALLBACK_TIMESTAMP_HEADER and
 * CALLBACK_SIGNATURE_HEADER over `"<timestamp>.<raw body>"`, HMAC-SHA256 with
 * the owner's webhook secret); `result_url` is where the transcript is read.
 */
export const WebhookEvent = z
  .object({
    job_id: z.string().uuid(),
    status: z.enum(['completed', 'failed']),
    result_url: z.string().url(),
    /** Only on a failed job: why, as the job's status says it. */
    error_code: ErrorCode.optional(),
  })
  .meta({ id: 'WebhookEvent' });
export type WebhookEvent = z.infer<typeof WebhookEvent>;

/** Longest callback_url accepted: far above any real endpoint, far below a body limit. */
export const CALLBACK_URL_MAX_LENGTH = 2048;
