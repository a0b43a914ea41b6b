import type { MessageKey } from '../i18n/en.js';
import type { Vars } from '../i18n/translate.js';
import { formatBytes } from './format.js';

type Translate = (key: MessageKey, vars?: Vars) => string;

/**
 * What a job's row and page say about keeping it: "Deleted automatically on
 * 5 Dec 2026" when RETENTION_DAYS applies, "Kept until you delete it"
 * otherwise. An unreadable date reads as kept rather than as a wrong day.
 */
export function expiryLine(expiresAt: string | null | undefined, t: Translate, locale: string): string {
  const d = expiresAt ? new Date(expiresAt) : null;
  if (!d || Number.isNaN(d.getTime())) return t('retention.kept');
  const date = new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'short', year: 'numeric' }).format(d);
  return t('retention.expires', { date });
}

/** "12.3 MB stored"; null when the server could not measure it (nothing is shown then). */
export function storageLine(bytes: number | null | undefined, t: Translate, locale: string): string | null {
  return typeof bytes === 'number' ? t('retention.storage', { size: formatBytes(bytes, locale) }) : null;
}
