import { randomBytes } from 'node:crypto';
import { ANONYMOUS_USER_ID } from '@ecg/contracts';

/**
 * Object keys for uploads: `videos/<owner>/<YYYYMMDD_HHMMSS UTC>_<8 hex>_<safe name>`,
 * as the original ECG backend named them, with the owner's user id where it
 * said `anonymous` (which stays while ECG_AUTH=off). The person's file name stays readable
 * in the key (Korean included) but can never carry a path, a control character
 * or anything that needs care in a URL, an S3 key or a shell.
 */

/** Where `ownerId`'s uploads go. */
export function uploadKeyPrefix(ownerId: string): string {
  return `videos/${ownerId}/`;
}
/** Counted in code points, so a Korean name is not cut three times shorter than a Latin one. */
export const MAX_SAFE_NAME_LENGTH = 100;
const MAX_EXTENSION_LENGTH = 16;
const FALLBACK_NAME = 'file';

// Letters and marks of every script, digits, and the three punctuation marks that
// need no escaping anywhere (S3's own "safe characters" minus the ones that
// confuse shells and URL templates). Marks stay so that scripts whose NFC form
// keeps combining signs (Devanagari, Thai, ...) are not shredded.
const UNSAFE_RUN = /[^\p{L}\p{M}\p{N}._-]+/gu;
const EXTENSION = /^[\p{L}\p{N}]+$/u;
const EDGE_PUNCTUATION = /^[._-]+|[._-]+$/gu;

function truncateCodePoints(s: string, max: number): string {
  const points = Array.from(s);
  return points.length <= max ? s : points.slice(0, max).join('');
}

/**
 * Turns whatever name a browser sent into one safe inside a key. The result is
 * NFC, non-empty, at most MAX_SAFE_NAME_LENGTH code points, has no `/`, `\`,
 * `..`, control or whitespace characters, does not start with a dot or dash,
 * keeps a short alphanumeric extension, and is a fixed point:
 * `safeFileName(safeFileName(x)) === safeFileName(x)` (isUploadKey relies on it).
 */
export function safeFileName(name: string): string {
  // One pass is a fixed point except when truncation exposes a new extension
  // (the cut lands just after a dot); the second pass then trims the stem once
  // more. Passes only ever remove characters, so this settles within a few.
  let current = sanitiseOnce(name);
  for (let i = 0; i < 8; i++) {
    const next = sanitiseOnce(current);
    if (next === current) return current;
    current = next;
  }
  return current;
}

function sanitiseOnce(name: string): string {
  const cleaned = name
    .normalize('NFC')
    .replace(UNSAFE_RUN, '_')
    .replace(/_{2,}/g, '_')
    // "..", "..." become "." so no segment or name can mean "parent".
    .replace(/\.{2,}/g, '.')
    // Only the end is trimmed here: ".mp4" keeps its extension and becomes "file.mp4".
    .replace(/[._-]+$/u, '');

  const dot = cleaned.lastIndexOf('.');
  const tail = dot >= 0 ? cleaned.slice(dot + 1) : '';
  const hasExtension = dot >= 0 && Array.from(tail).length <= MAX_EXTENSION_LENGTH && EXTENSION.test(tail);
  const extension = hasExtension ? tail : '';
  const stemSource = hasExtension ? cleaned.slice(0, dot) : cleaned;
  const room = hasExtension ? MAX_SAFE_NAME_LENGTH - Array.from(extension).length - 1 : MAX_SAFE_NAME_LENGTH;
  const stem = truncateCodePoints(stemSource.replace(EDGE_PUNCTUATION, ''), room).replace(EDGE_PUNCTUATION, '') || FALLBACK_NAME;
  return hasExtension ? `${stem}.${extension}` : stem;
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** `YYYYMMDD_HHMMSS` in UTC, so keys sort by upload time whatever the server's zone. */
export function formatKeyTimestamp(now: Date): string {
  return (
    `${pad(now.getUTCFullYear(), 4)}${pad(now.getUTCMonth() + 1)}${pad(now.getUTCDate())}_` +
    `${pad(now.getUTCHours())}${pad(now.getUTCMinutes())}${pad(now.getUTCSeconds())}`
  );
}

const defaultRandomHex8 = (): string => randomBytes(4).toString('hex');

/** `videos/anonymous/20250911_143020_abc12345_회의_녹화.mp4`, or `videos/<user id>/…` for a user's upload. */
export function makeUploadKey(
  filename: string,
  now: Date = new Date(),
  randomHex8: () => string = defaultRandomHex8,
  ownerId: string = ANONYMOUS_USER_ID,
): string {
  const random = randomHex8();
  if (!/^[0-9a-f]{8}$/.test(random)) throw new Error(`randomHex8 must return 8 lower-case hex digits, got "${random}"`);
  if (!OWNER.test(ownerId)) throw new Error(`an upload's owner is "anonymous" or a user id (a UUID), not "${ownerId}"`);
  return `${uploadKeyPrefix(ownerId)}${formatKeyTimestamp(now)}_${random}_${safeFileName(filename)}`;
}

/** A fresh key for an upload by `ownerId`, named now. */
export function newUploadKey(filename: string, ownerId: string): string {
  return makeUploadKey(filename, new Date(), defaultRandomHex8, ownerId);
}

const OWNER = /^(?:anonymous|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;
const UPLOAD_KEY =
  /^videos\/(anonymous|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\/(\d{4})(\d{2})(\d{2})_(\d{2})(\d{2})(\d{2})_[0-9a-f]{8}_(.+)$/su;

/**
 * True only for keys makeUploadKey could have produced: request-process uses it
 * to refuse keys pointing at other objects (derived files, another prefix, a
 * crafted path) before it asks storage anything.
 */
export function isUploadKey(key: string): boolean {
  const m = UPLOAD_KEY.exec(key);
  if (!m) return false;
  const [, , y, mo, d, h, mi, s, name] = m;
  const date = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)));
  if (Number.isNaN(date.getTime()) || formatKeyTimestamp(date) !== `${y}${mo}${d}_${h}${mi}${s}`) return false;
  if (name === undefined || name.includes('/') || name.includes('..')) return false;
  return safeFileName(name) === name;
}

/**
 * The safe file name inside an upload key (`회의_녹화.mp4` from
 * `videos/anonymous/20250911_143020_abc12345_회의_녹화.mp4`), or null for a key
 * makeUploadKey could not have produced. Jobs keep it for listings and
 * download names.
 */
export function uploadFileName(key: string): string | null {
  if (!isUploadKey(key)) return null;
  return UPLOAD_KEY.exec(key)?.[8] ?? null;
}

/**
 * Whose upload a key is (`anonymous` or a user id), or null for a key
 * makeUploadKey could not have produced. request-process starts a job only
 * on the requester's own uploads.
 */
export function uploadKeyOwner(key: string): string | null {
  if (!isUploadKey(key)) return null;
  return UPLOAD_KEY.exec(key)?.[1] ?? null;
}

/** S3's limit on a key, in UTF-8 bytes. */
export const MAX_KEY_BYTES = 1024;

/**
 * Any key a driver will store, upload or derived: relative, `/`-separated,
 * no empty, `.` or `..` segment, no backslash or control character. The local
 * driver maps keys to paths, so this is what keeps a key inside its root;
 * the S3 driver applies it too so both drivers accept the same keys.
 */
export function isSafeObjectKey(key: string): boolean {
  if (key.length === 0 || Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES) return false;
  if (/[\p{Cc}\\]/u.test(key)) return false;
  return key.split('/').every((segment) => segment !== '' && segment !== '.' && segment !== '..');
}
