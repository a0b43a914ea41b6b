import type { ErrorCode } from '@ecg/contracts';

/**
 * The one error type of the ML service: a stable code from the contracts, the
 * HTTP status a route answers with, and a message written for the person who
 * reads the job's status. Pipeline steps throw it; the job runner stores its
 * code and message as the failed job's error.
 */
export class MlError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly httpStatus = 500,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'MlError';
  }
}

export function isMlError(err: unknown): err is MlError {
  return err instanceof MlError;
}
