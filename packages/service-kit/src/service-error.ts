import { httpStatusOf, type ErrorCode } from '@ecg/contracts';

/**
 * The one error both services throw on purpose: a stable code from the
 * contracts, a message written for the person who reads it, and the HTTP
 * status the code answers with (ERROR_HTTP_STATUS) unless this case needs
 * another. The error handler turns it into `{"error":{"code","message","details?"}}`;
 * the ML pipeline stores its code and message as a failed job's error.
 */
export class ServiceError extends Error {
  readonly httpStatus: number;
  readonly details: unknown;

  constructor(
    readonly code: ErrorCode,
    message: string,
    opts: { status?: number; details?: unknown } = {},
  ) {
    super(message);
    this.name = 'ServiceError';
    this.httpStatus = opts.status ?? httpStatusOf(code);
    this.details = opts.details;
  }
}

export function isServiceError(err: unknown): err is ServiceError {
  return err instanceof ServiceError;
}
