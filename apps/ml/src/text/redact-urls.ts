import { originOf } from '@ecg/net-policy';

const URL_IN_TEXT = /\bhttps?:\/\/[^\s"'<>()]+/gi;

/**
 * Replaces every http(s) URL in `text` with its origin ("http://backend:8000"),
 * or with "<url>" when it has none worth showing (credentials, unparsable).
 * For text shown without a token: paths name stored files and queries carry
 * signatures, and a message that quotes a delivery or download URL must not
 * hand those out. The origin stays, so "http://backend:8000 unreachable"
 * still says which service is down.
 */
export function redactUrls(text: string): string {
  return text.replace(URL_IN_TEXT, (url) => originOf(url) ?? '<url>');
}
