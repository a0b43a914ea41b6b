import { checkUserUrl } from '@ecg/net-policy';
import { ServiceError } from '@ecg/service-kit';

/**
 * request-process's check of a callback_url: http(s), no credentials, and not
 * a loopback, private or link-local literal unless its origin is in
 * WEBHOOK_ALLOWED_ORIGINS. A name's addresses are checked when sending (the
 * answer then is the one that counts). Returns the normalised URL.
 */
export function checkCallbackUrl(raw: string, allowedOrigins: readonly string[]): string {
  const verdict = checkUserUrl(raw, allowedOrigins);
  if (!verdict.ok) {
    throw new ServiceError('URL_NOT_ALLOWED', `callback_url is refused: ${verdict.reason} (see WEBHOOK_ALLOWED_ORIGINS)`);
  }
  return verdict.url.toString();
}
