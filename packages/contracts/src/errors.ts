import { z } from 'zod';

/**
 * Every error code any ECG service may answer with. Codes are stable: clients
 * (the web app, scripts, the original ECG clients) branch on them, so a code is
 * never renamed, only added.
 */
export const ErrorCode = z.enum([
  // request shape
  'INVALID_JSON',
  'VALIDATION_ERROR',
  'PAYLOAD_TOO_LARGE',
  'NOT_FOUND',
  'RATE_LIMITED',
  // a state-changing request from another site's page (Origin not the app's own)
  'ORIGIN_NOT_ALLOWED',
  // a Host header that is not one of the configured public hosts (DNS rebinding)
  'HOST_NOT_ALLOWED',
  // accounts (issue 11): no or expired credentials; a wrong email or password (one code for both);
  // a bearer key that is unknown or revoked; a signed-in user without the role; too many failed logins;
  // an email already in use; the one-time setup already done or not reachable from here
  'AUTHENTICATION_REQUIRED',
  'INVALID_CREDENTIALS',
  'INVALID_API_KEY',
  'FORBIDDEN',
  'LOGIN_RATE_LIMITED',
  'EMAIL_TAKEN',
  'SETUP_NOT_AVAILABLE',
  // an account feature asked for while ECG_AUTH=off (single-user mode)
  'AUTH_DISABLED',
  // uploads and storage
  'UNSUPPORTED_FILE_TYPE',
  'FILE_TOO_LARGE',
  'INVALID_FILE_KEY',
  'OBJECT_NOT_FOUND',
  'INVALID_URL_SIGNATURE',
  'URL_EXPIRED',
  'CONTENT_TYPE_MISMATCH',
  // an upload URL writes once: the key already holds an object
  'OBJECT_ALREADY_EXISTS',
  'STORAGE_UNAVAILABLE',
  // jobs and callbacks
  'JOB_NOT_FOUND',
  'UNAUTHORIZED',
  'INVALID_SIGNATURE',
  'SIGNATURE_EXPIRED',
  'VERSION_CONFLICT',
  'JOB_NOT_COMPLETED',
  // a synchronous request (POST /v1/audio/*) stopped waiting; its job runs on and stays in the list
  'RESULT_WAIT_TIMEOUT',
  // ML pipeline (the first five are the original ECG's codes)
  'DOWNLOAD_ERROR',
  'AUDIO_EXTRACTION_ERROR',
  'TRANSCRIPTION_ERROR',
  'PROCESSING_TIMEOUT',
  'INSUFFICIENT_RESOURCES',
  'URL_NOT_ALLOWED',
  'UNSUPPORTED_MEDIA',
  'NO_AUDIO_TRACK',
  'MEDIA_DECODE_ERROR',
  'MEDIA_TOO_LONG',
  'MODEL_UNAVAILABLE',
  'CANCELLED',
  'DELIVERY_ERROR',
  // anything else
  'INTERNAL_ERROR',
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

/** The one error body every endpoint of every service answers with. */
export const ErrorBody = z
  .object({
    error: z.object({
      code: ErrorCode,
      message: z.string(),
      details: z.unknown().optional(),
    }),
  })
  .meta({ id: 'ErrorBody' });
export type ErrorBody = z.infer<typeof ErrorBody>;

/** Builds an error body; keeps callers from misspelling the envelope. */
export function errorBody(code: ErrorCode, message: string, details?: unknown): ErrorBody {
  return details === undefined ? { error: { code, message } } : { error: { code, message, details } };
}
