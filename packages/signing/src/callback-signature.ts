import { createHmac, timingSafeEqual } from 'node:crypto';
import {
  CALLBACK_MAX_SKEW_SECONDS,
  CALLBACK_SIGNATURE_HEADER,
  CALLBACK_TIMESTAMP_HEADER,
} from '@ecg/contracts';

/**
 * ML → backend deliveries are signed like Stripe's webhooks: HMAC-SHA256 with
 * the shared CALLBACK_SECRET over `"<unix seconds>.<raw body>"`, sent as
 *   x-ecg-timestamp: 1767225600
 *   x-ecg-signature: sha256=<hex>
 * The timestamp is inside the MAC so a captured delivery cannot be replayed
 * later than CALLBACK_MAX_SKEW_SECONDS; within that window a replay is harmless
 * because deliveries are idempotent.
 */
export function signCallback(secret: string, rawBody: string, nowSeconds = Math.floor(Date.now() / 1000)) {
  const timestamp = String(nowSeconds);
  const mac = createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest('hex');
  return {
    [CALLBACK_TIMESTAMP_HEADER]: timestamp,
    [CALLBACK_SIGNATURE_HEADER]: `sha256=${mac}`,
  } as Record<string, string>;
}

export type CallbackVerdict =
  | { ok: true }
  | { ok: false; code: 'INVALID_SIGNATURE' | 'SIGNATURE_EXPIRED'; message: string };

/**
 * What can be judged from the headers alone, before a byte of the body is
 * read: both present, well formed, and the timestamp inside the window. A
 * delivery failing this is refused without reading (or buffering) its body;
 * one passing it still has its MAC checked over the body by verifyCallback.
 * Revealing staleness before the MAC tells an attacker nothing about the secret.
 */
export function checkCallbackHeaders(
  timestampHeader: string | undefined,
  signatureHeader: string | undefined,
  nowSeconds = Math.floor(Date.now() / 1000),
  maxSkewSeconds = CALLBACK_MAX_SKEW_SECONDS,
): CallbackVerdict {
  if (!timestampHeader || !signatureHeader) {
    return { ok: false, code: 'INVALID_SIGNATURE', message: `missing ${CALLBACK_TIMESTAMP_HEADER} or ${CALLBACK_SIGNATURE_HEADER} header` };
  }
  if (!/^\d{1,12}$/.test(timestampHeader)) {
    return { ok: false, code: 'INVALID_SIGNATURE', message: `${CALLBACK_TIMESTAMP_HEADER} must be unix seconds` };
  }
  if (!SIGNATURE.test(signatureHeader.trim())) {
    return { ok: false, code: 'INVALID_SIGNATURE', message: `${CALLBACK_SIGNATURE_HEADER} must be "sha256=<64 hex>"` };
  }
  if (Math.abs(nowSeconds - Number(timestampHeader)) > maxSkewSeconds) {
    return { ok: false, code: 'SIGNATURE_EXPIRED', message: `delivery is older than ${maxSkewSeconds} s` };
  }
  return { ok: true };
}

const SIGNATURE = /^sha256=([0-9a-f]{64})$/i;

export function verifyCallback(
  secret: string,
  rawBody: string,
  timestampHeader: string | undefined,
  signatureHeader: string | undefined,
  nowSeconds = Math.floor(Date.now() / 1000),
  maxSkewSeconds = CALLBACK_MAX_SKEW_SECONDS,
): CallbackVerdict {
  const headers = checkCallbackHeaders(timestampHeader, signatureHeader, nowSeconds, maxSkewSeconds);
  if (!headers.ok) return headers;
  const match = SIGNATURE.exec(signatureHeader!.trim());
  const expected = createHmac('sha256', secret).update(`${timestampHeader}.${rawBody}`).digest();
  const given = Buffer.from(match![1]!, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, code: 'INVALID_SIGNATURE', message: 'signature does not match the body' };
  }
  return { ok: true };
}
