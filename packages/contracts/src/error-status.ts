import type { ErrorCode } from './errors.js';

/**
 * The HTTP status each error code answers with, beside the codes themselves,
 * so both services answer a code the same way and a new code cannot be added
 * without deciding its status (the Record makes it a type error). A thrower
 * may still pass another status for one case (a download that timed out is
 * 504, not the 502 of a refused one); the pipeline's codes are mostly stored
 * as a failed job's error rather than answered, and their status is what a
 * route answers when it does meet one.
 */
export const ERROR_HTTP_STATUS: Readonly<Record<ErrorCode, number>> = {
  INVALID_JSON: 400,
  VALIDATION_ERROR: 400,
  PAYLOAD_TOO_LARGE: 413,
  NOT_FOUND: 404,
  RATE_LIMITED: 429,
  ORIGIN_NOT_ALLOWED: 403,
  HOST_NOT_ALLOWED: 403,
  AUTHENTICATION_REQUIRED: 401,
  INVALID_CREDENTIALS: 401,
  INVALID_API_KEY: 401,
  FORBIDDEN: 403,
  LOGIN_RATE_LIMITED: 429,
  EMAIL_TAKEN: 409,
  SETUP_NOT_AVAILABLE: 409,
  AUTH_DISABLED: 409,
  UNSUPPORTED_FILE_TYPE: 415,
  FILE_TOO_LARGE: 413,
  INVALID_FILE_KEY: 400,
  OBJECT_NOT_FOUND: 404,
  INVALID_URL_SIGNATURE: 403,
  URL_EXPIRED: 403,
  CONTENT_TYPE_MISMATCH: 403,
  OBJECT_ALREADY_EXISTS: 409,
  STORAGE_UNAVAILABLE: 503,
  JOB_NOT_FOUND: 404,
  UNAUTHORIZED: 401,
  INVALID_SIGNATURE: 401,
  SIGNATURE_EXPIRED: 401,
  VERSION_CONFLICT: 409,
  JOB_NOT_COMPLETED: 409,
  RESULT_WAIT_TIMEOUT: 504,
  DOWNLOAD_ERROR: 502,
  AUDIO_EXTRACTION_ERROR: 422,
  TRANSCRIPTION_ERROR: 500,
  PROCESSING_TIMEOUT: 504,
  INSUFFICIENT_RESOURCES: 503,
  URL_NOT_ALLOWED: 400,
  UNSUPPORTED_MEDIA: 422,
  NO_AUDIO_TRACK: 422,
  MEDIA_DECODE_ERROR: 422,
  MEDIA_TOO_LONG: 422,
  MODEL_UNAVAILABLE: 503,
  CANCELLED: 409,
  DELIVERY_ERROR: 502,
  INTERNAL_ERROR: 500,
};

export function httpStatusOf(code: ErrorCode): number {
  return ERROR_HTTP_STATUS[code];
}
