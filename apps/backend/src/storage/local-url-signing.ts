import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Presigned URLs for the local driver, in the spirit of S3's query-string
 * SigV4: the backend signs method, key, content type (uploads), download name
 * (downloads) and expiry with HMAC-SHA256 under STORAGE_SIGNING_SECRET, and
 * later serves the URL only if the same claims reproduce the MAC. Everything a
 * client could change (path, query, Content-Type header, method) is inside the
 * MAC or compared against something that is.
 */

export const LOCAL_URL_PARAMS = {
  method: 'X-ECG-Method',
  expires: 'X-ECG-Expires',
  contentType: 'X-ECG-Content-Type',
  downloadName: 'X-ECG-Download-Name',
  signature: 'X-ECG-Signature',
} as const;

export type SignedMethod = 'PUT' | 'GET';

export interface LocalUrlClaims {
  method: SignedMethod;
  /** The object key, decoded (as the route sees it after URL decoding). */
  key: string;
  /** Unix seconds after which the URL is refused. */
  expires: number;
  /** PUT only: the exact Content-Type the upload must carry. */
  contentType?: string;
  /** GET only: served as `Content-Disposition: attachment` under this name. */
  downloadName?: string;
}

export type LocalUrlErrorCode = 'INVALID_URL_SIGNATURE' | 'URL_EXPIRED' | 'CONTENT_TYPE_MISMATCH';

export type LocalUrlVerdict =
  | { ok: true; claims: LocalUrlClaims }
  | { ok: false; code: LocalUrlErrorCode; message: string };

const SCHEME = 'ECG-HMAC-SHA256-v1';

function mac(secret: string, claims: LocalUrlClaims): Buffer {
  // JSON of an array is an unambiguous encoding: no choice of key or file name
  // can make two different claim sets produce the same string to sign.
  const toSign = JSON.stringify([
    SCHEME,
    claims.method,
    claims.key,
    claims.contentType ?? '',
    claims.expires,
    claims.downloadName ?? '',
  ]);
  return createHmac('sha256', secret).update(toSign, 'utf8').digest();
}

/** The query parameters of a signed URL (values unencoded; URLSearchParams encodes them). */
export function signLocalUrl(secret: string, claims: LocalUrlClaims): Record<string, string> {
  if (!secret) throw new Error('a signing secret is required');
  if (!Number.isSafeInteger(claims.expires)) throw new Error('expires must be whole unix seconds');
  const params: Record<string, string> = {
    [LOCAL_URL_PARAMS.method]: claims.method,
    [LOCAL_URL_PARAMS.expires]: String(claims.expires),
  };
  if (claims.contentType !== undefined) params[LOCAL_URL_PARAMS.contentType] = claims.contentType;
  if (claims.downloadName !== undefined) params[LOCAL_URL_PARAMS.downloadName] = claims.downloadName;
  params[LOCAL_URL_PARAMS.signature] = mac(secret, claims).toString('hex');
  return params;
}

export interface LocalUrlRequest {
  /** The HTTP method used; HEAD is checked as GET so players may probe a download URL. */
  method: string;
  key: string;
  query: Readonly<Record<string, string | string[] | undefined>>;
  /** The request's Content-Type header (PUT only). */
  contentType?: string | undefined;
  nowSeconds?: number;
}

function single(v: string | string[] | undefined): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/**
 * Checks a request against its URL's signature. The MAC is checked first, so
 * nothing about expiry or content type is revealed for a forged URL; the
 * content type comes last because only a validly signed, live URL may learn
 * which type it was signed for.
 */
export function verifyLocalUrl(secret: string, req: LocalUrlRequest): LocalUrlVerdict {
  const usedMethod: SignedMethod | undefined =
    req.method === 'PUT' ? 'PUT' : req.method === 'GET' || req.method === 'HEAD' ? 'GET' : undefined;
  const signedMethod = single(req.query[LOCAL_URL_PARAMS.method]);
  const expiresText = single(req.query[LOCAL_URL_PARAMS.expires]);
  const signature = single(req.query[LOCAL_URL_PARAMS.signature]);
  const contentType = single(req.query[LOCAL_URL_PARAMS.contentType]);
  const downloadName = single(req.query[LOCAL_URL_PARAMS.downloadName]);

  if (!usedMethod || !signedMethod || !expiresText || !signature) {
    return { ok: false, code: 'INVALID_URL_SIGNATURE', message: 'the URL is not a signed storage URL' };
  }
  if (signedMethod !== usedMethod) {
    return { ok: false, code: 'INVALID_URL_SIGNATURE', message: `the URL was signed for ${signedMethod}, not ${req.method}` };
  }
  if (!/^\d{1,12}$/.test(expiresText) || !/^[0-9a-f]{64}$/i.test(signature)) {
    return { ok: false, code: 'INVALID_URL_SIGNATURE', message: 'the URL signature is malformed' };
  }
  const claims: LocalUrlClaims = { method: usedMethod, key: req.key, expires: Number(expiresText) };
  if (contentType !== undefined) claims.contentType = contentType;
  if (downloadName !== undefined) claims.downloadName = downloadName;

  const expected = mac(secret, claims);
  const given = Buffer.from(signature, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, code: 'INVALID_URL_SIGNATURE', message: 'the URL signature does not match; request a new URL' };
  }
  const now = req.nowSeconds ?? Math.floor(Date.now() / 1000);
  if (now > claims.expires) {
    return { ok: false, code: 'URL_EXPIRED', message: 'the URL has expired; request a new one' };
  }
  if (usedMethod === 'PUT' && (req.contentType ?? '').trim() !== (claims.contentType ?? '')) {
    return {
      ok: false,
      code: 'CONTENT_TYPE_MISMATCH',
      message: `the upload must be sent with Content-Type: ${claims.contentType ?? '(none)'}`,
    };
  }
  return { ok: true, claims };
}
