import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * True when the Authorization header is `Bearer <token>`. Both sides are
 * hashed first so the comparison takes the same time whatever the length or
 * content of the guess.
 */
export function hasBearerToken(header: string | undefined, token: string): boolean {
  const match = /^Bearer\s+(.+)$/i.exec(header?.trim() ?? '');
  if (!match?.[1] || token === '') return false;
  const a = createHash('sha256').update(match[1]).digest();
  const b = createHash('sha256').update(token).digest();
  return timingSafeEqual(a, b);
}
