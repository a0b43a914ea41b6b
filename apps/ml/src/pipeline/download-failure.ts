import { isServiceError } from '@ecg/service-kit';

/** What downloadToFile records about a failed attempt, in its DOWNLOAD_ERROR's `details`. */
export interface DownloadFailureDetails {
  /** The storage origin's HTTP status. */
  status?: number;
  /** The network error's code (ECONNREFUSED, …), or TRUNCATED for a body cut short. */
  errorCode?: string;
}

/**
 * Network failures that say "the origin is not there right now" (restarting,
 * a proxy without its upstream, a DNS answer that comes later). ENOTFOUND is
 * among them because Docker's DNS answers it for a container that is being
 * restarted; the host is allow-listed (ML_ALLOWED_ORIGINS), so a name that
 * truly does not exist is a configuration fault that costs one retry period.
 */
const TRANSIENT_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'TRUNCATED',
]);

/**
 * 502/503/504: the backend is restarting or its proxy has no upstream yet.
 * 429 and 408: storage asked us to slow down or took too long. 500: S3 and
 * compatible stores document their InternalError as "try again". Every other
 * status (403 an expired URL, 404 a removed file) will answer the same again.
 */
const TRANSIENT_STATUSES = new Set([408, 429, 500, 502, 503, 504]);

/**
 * Why `err` is worth another download attempt ("ECONNREFUSED", "HTTP 503"),
 * or null when it is final: any other code (URL_NOT_ALLOWED, FILE_TOO_LARGE),
 * an HTTP answer that will not change, the overall time limit, a cancel.
 */
export function transientDownloadFailure(err: unknown): string | null {
  if (!isServiceError(err) || err.code !== 'DOWNLOAD_ERROR') return null;
  const details = (err.details ?? {}) as DownloadFailureDetails;
  if (typeof details.status === 'number') return TRANSIENT_STATUSES.has(details.status) ? `HTTP ${details.status}` : null;
  if (typeof details.errorCode === 'string' && TRANSIENT_CODES.has(details.errorCode)) return details.errorCode;
  return null;
}
