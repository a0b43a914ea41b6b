import { ErrorBody, type ErrorCode } from '@ecg/contracts';
import { parseRetryAfter } from '../lib/retry-after.js';

/** Server error codes plus the ones only a browser meets. */
export type ClientErrorCode = ErrorCode | 'NETWORK_ERROR' | 'BAD_RESPONSE' | 'UPLOAD_FAILED';

export class ApiError extends Error {
  constructor(
    readonly code: ClientErrorCode,
    message: string,
    readonly status = 0,
    readonly details?: unknown,
    /** Seconds the server asks the client to wait (a Retry-After header, as on 429 LOGIN_RATE_LIMITED); null when it said none. */
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export function asApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  return new ApiError('NETWORK_ERROR', err instanceof Error ? err.message : String(err));
}

type AuthListener = (err: ApiError) => void;
const authListeners = new Set<AuthListener>();

/**
 * Calls `listener` whenever any request answers 401 AUTHENTICATION_REQUIRED
 * (never signed in, session expired, account disabled): the one place the app
 * learns it must sign in again, so no call site handles it itself. The error
 * is still thrown to the caller. Returns the unsubscribe function.
 */
export function onAuthenticationRequired(listener: AuthListener): () => void {
  authListeners.add(listener);
  return () => authListeners.delete(listener);
}

function failed(err: ApiError): ApiError {
  if (err.code === 'AUTHENTICATION_REQUIRED') for (const listener of authListeners) listener(err);
  return err;
}

/** A 204 carries no body: anything parses. */
export const NO_BODY: Schema<undefined> = { safeParse: () => ({ success: true as const, data: undefined }) };

export interface JsonReply<T> {
  status: number;
  body: T;
}

/**
 * Fetches JSON and checks it against a contract schema. A non-2xx answer
 * becomes an ApiError with the server's stable code (or NOT_FOUND for a
 * route this server lacks), so the UI always has a code to explain.
 */
/** The part of a zod schema this module uses (keeps zod itself out of the app's dependencies). */
export interface Schema<T> {
  safeParse(data: unknown): { success: true; data: T } | { success: false; error: { message: string } };
}

export async function requestJson<T>(
  url: string,
  schema: Schema<T>,
  init: RequestInit & { json?: unknown } = {},
): Promise<JsonReply<T>> {
  const { json, ...rest } = init;
  const headers = new Headers(rest.headers);
  headers.set('accept', 'application/json');
  if (json !== undefined) headers.set('content-type', 'application/json');
  let res: Response;
  try {
    res = await fetch(url, { ...rest, headers, body: json === undefined ? rest.body : JSON.stringify(json) });
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw new ApiError('NETWORK_ERROR', err instanceof Error ? err.message : String(err));
  }
  const text = await res.text();
  const data = parseJson(text);
  if (!res.ok) throw failed(errorFromReply(res.status, data, res.headers));
  const parsed = schema.safeParse(data);
  if (!parsed.success) throw new ApiError('BAD_RESPONSE', parsed.error.message, res.status);
  return { status: res.status, body: parsed.data };
}

function parseJson(text: string): unknown {
  try {
    return text === '' ? undefined : (JSON.parse(text) as unknown);
  } catch {
    return undefined;
  }
}

/** The ApiError for a non-2xx answer: the server's own code, else one guessed from the status. */
export function errorFromReply(status: number, body: unknown, headers?: Headers): ApiError {
  const retryAfter = parseRetryAfter(headers?.get('retry-after') ?? null);
  const parsed = ErrorBody.safeParse(body);
  if (parsed.success) {
    const { code, message, details } = parsed.data.error;
    return new ApiError(code, message, status, details, retryAfter);
  }
  const code: ClientErrorCode = status === 404 ? 'NOT_FOUND' : status === 429 ? 'RATE_LIMITED' : 'INTERNAL_ERROR';
  return new ApiError(code, `HTTP ${status}`, status, undefined, retryAfter);
}

/** The file name a Content-Disposition header gives (RFC 6266: `filename*` wins over `filename`); null when none. */
export function dispositionFileName(header: string | null): string | null {
  if (!header) return null;
  const star = /filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/.exec(header);
  if (star) {
    try {
      return decodeURIComponent(star[1]!.trim());
    } catch {
      // malformed percent-encoding: fall through to the plain name
    }
  }
  const plain = /filename\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s]+))/.exec(header);
  if (!plain) return null;
  return plain[1] !== undefined ? plain[1].replace(/\\(.)/g, '$1') : (plain[2] ?? null);
}

export interface FileReply {
  blob: Blob;
  fileName: string | null;
}

/** Fetches a download: its bytes and the name the server gives it, or an ApiError with the server's code. */
export async function requestFile(url: string, init: RequestInit = {}): Promise<FileReply> {
  let res: Response;
  try {
    res = await fetch(url, { cache: 'no-store', ...init });
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw new ApiError('NETWORK_ERROR', err instanceof Error ? err.message : String(err));
  }
  if (!res.ok) throw failed(errorFromReply(res.status, parseJson(await res.text()), res.headers));
  return { blob: await res.blob(), fileName: dispositionFileName(res.headers.get('content-disposition')) };
}
