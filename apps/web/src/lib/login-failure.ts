import type { ClientErrorCode } from '../api/http.js';
import type { MessageKey } from '../i18n/en.js';
import type { Vars } from '../i18n/translate.js';
import { waitSpan } from './retry-after.js';

type Translate = (key: MessageKey, vars?: Vars) => string;

/**
 * What the login page says when signing in fails for a reason of the
 * person's own: wrong email or password (one message for both, as the
 * server answers), or too many failures with the wait the server named.
 * Null for any other failure, which the general error notice explains.
 */
export function loginFailureLine(
  err: { code: ClientErrorCode; retryAfterSeconds: number | null },
  t: Translate,
  locale: string,
): string | null {
  if (err.code === 'INVALID_CREDENTIALS') return t('login.invalid');
  if (err.code === 'LOGIN_RATE_LIMITED' || err.code === 'RATE_LIMITED') {
    const s = err.retryAfterSeconds;
    return s !== null && s > 0 ? t('login.rateLimitedFor', { time: waitSpan(s, locale) }) : t('login.rateLimited');
  }
  return null;
}
