import { ErrorBody, type ErrorCode } from '@ecg/contracts';

/** Server error codes plus the ones only a browser meets. */
export type ClientErrorCode = ErrorCode | 'NETWORK_ERROR' | 'BAD_RESPONSE' | 'UPLOAD_FAILED';

export class ApiError extends Error {
  constructor(
    readonly code: ClientErrorCode,
    message: string,
    readonly status = 0,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export function asApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  return new ApiError('NETWORK_ERROR', err instanceof Error ? err.message : String(err));
}

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
  let data: unknown = undefined;
  try {
    data = text === '' ? undefined : JSON.parse(text);
  } catch {
    data = undefined;
  }
  if (!res.ok) {
    const parsed = ErrorBody.safeParse(data);
    if (parsed.success) {
      const { code, message, details } = parsed.data.error;
      throw new ApiError(code, message, res.status, details);
    }
    const code: ClientErrorCode = res.status === 404 ? 'NOT_FOUND' : res.status === 429 ? 'RATE_LIMITED' : 'INTERNAL_ERROR';
    throw new ApiError(code, `HTTP ${res.status}`, res.status);
  }
  const parsed = schema.safeParse(data);
  if (!parsed.success) throw new ApiError('BAD_RESPONSE', parsed.error.message, res.status);
  return { status: res.status, body: parsed.data };
}
