import { formatSpan } from './format.js';

/**
 * Seconds to wait from a Retry-After header, which RFC 9110 §10.2.3 allows
 * as delay-seconds or as an HTTP-date; null when absent or unreadable (the
 * person is then told to wait a while, without a figure).
 */
export function parseRetryAfter(header: string | null, now = Date.now()): number | null {
  if (header === null) return null;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text);
  // Date.parse would read "10.5" or "-3" as dates in some engines: only a real IMF-fixdate-like string counts.
  if (!/[a-z]/i.test(text)) return null;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return null;
  return Math.max(0, Math.ceil((at - now) / 1000));
}

/**
 * The wait a person is told, rounded up so "try again in 2 min" is never too
 * early: to the second below a minute, else to the whole minute.
 */
export function waitSpan(seconds: number, locale: string): string {
  const s = Math.max(1, Math.ceil(seconds));
  return formatSpan(s < 60 ? s : Math.ceil(s / 60) * 60, locale);
}
