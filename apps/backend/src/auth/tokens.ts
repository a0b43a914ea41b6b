import { createHash, randomBytes } from 'node:crypto';
import { API_KEY_PREFIX } from '@ecg/contracts';

/** 32 random bytes: far past guessing, so a plain SHA-256 is enough to store them (no salt, no stretching). */
const TOKEN_BYTES = 32;

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/** A session cookie's value. */
export function newSessionToken(): string {
  return randomBytes(TOKEN_BYTES).toString('base64url');
}

/** `ecg_<43 base64url characters>`: recognisable in a leak, URL- and header-safe. */
export function newApiKey(): string {
  return `${API_KEY_PREFIX}${randomBytes(TOKEN_BYTES).toString('base64url')}`;
}

/** What lists show of a key: enough to tell keys apart, far too little to use. */
export function apiKeyPrefix(key: string): string {
  return key.slice(0, API_KEY_PREFIX.length + 6);
}

/** A user's webhook signing secret. */
export function newWebhookSecret(): string {
  return randomBytes(TOKEN_BYTES).toString('hex');
}
