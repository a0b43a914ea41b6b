/** Sizes in the person's locale ("12.3 MB", "12,3 MB"); decimal units, as file managers show. */
export function formatBytes(bytes: number, locale: string): string {
  const units = ['byte', 'kilobyte', 'megabyte', 'gigabyte', 'terabyte'] as const;
  let value = Math.max(0, bytes);
  let i = 0;
  while (value >= 1000 && i < units.length - 1) {
    value /= 1000;
    i++;
  }
  return new Intl.NumberFormat(locale, {
    style: 'unit',
    unit: units[i],
    unitDisplay: 'short',
    maximumFractionDigits: value < 10 && i > 0 ? 1 : 0,
  }).format(value);
}

/** One amount of one unit in the locale's short words: "3 min", "3분". */
function unitIn(locale: string, value: number, u: 'hour' | 'minute' | 'second'): string {
  return new Intl.NumberFormat(locale, { style: 'unit', unit: u, unitDisplay: 'short' }).format(value);
}

/** A span of time for people: "45 sec", "3 min", "1 hr 5 min" in the locale's words. */
export function formatSpan(seconds: number, locale: string): string {
  const s = Math.max(0, Math.round(seconds));
  const unit = (value: number, u: 'hour' | 'minute' | 'second'): string => unitIn(locale, value, u);
  if (s < 60) return unit(s, 'second');
  if (s < 3600) return unit(Math.round(s / 60), 'minute');
  const h = Math.floor(s / 3600);
  const m = Math.round((s % 3600) / 60);
  return m === 0 ? unit(h, 'hour') : `${unit(h, 'hour')} ${unit(m, 'minute')}`;
}

/**
 * A measured length for people, to the second below an hour: "45 sec",
 * "1 min 12 sec", "1 hr 5 min". Finer than formatSpan (an estimate, where
 * "3 min" is honest): a speaker's talk time of 1 min 12 s read as "1 min"
 * would hide the difference between two speakers.
 */
export function formatDuration(seconds: number, locale: string): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return unitIn(locale, s, 'second');
  if (s >= 3600) return formatSpan(s, locale);
  const m = Math.floor(s / 60);
  const rest = s % 60;
  return rest === 0 ? unitIn(locale, m, 'minute') : `${unitIn(locale, m, 'minute')} ${unitIn(locale, rest, 'second')}`;
}

/** Caption times as editors show them: `m:ss.cc`, or `h:mm:ss.cc` past an hour. */
export function formatClock(seconds: number): string {
  const cs = Math.round(Math.max(0, seconds) * 100);
  const h = Math.floor(cs / 360000);
  const m = Math.floor((cs % 360000) / 6000);
  const s = Math.floor((cs % 6000) / 100);
  const frac = String(cs % 100).padStart(2, '0');
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}.${frac}` : `${m}:${ss}.${frac}`;
}

/** Reads "12.5", "1:02.5" or "1:02:03.25" (a comma works as the decimal mark too); null when unreadable. */
export function parseClock(text: string): number | null {
  const t = text.trim().replace(',', '.');
  if (!/^\d+(?::\d{1,2}){0,2}(?:\.\d*)?$/.test(t)) return null;
  const parts = t.split(':').map(Number);
  if (parts.some((p) => !Number.isFinite(p))) return null;
  if (parts.slice(1).some((p) => p >= 60)) return null;
  return parts.reduce((total, p) => total * 60 + p, 0);
}

/** A number with at most `digits` decimals and no trailing zeros (38, 7.5, 0.08): caption figures, where "38.0" is noise. */
export function formatAmount(value: number, digits = 1): string {
  const f = 10 ** digits;
  const rounded = Math.round(value * f) / f;
  return String(Object.is(rounded, -0) ? 0 : rounded);
}

/** A moment for people, in their locale ("1 Dec 2026, 13:05"); '' for an unreadable one rather than "Invalid Date". */
export function formatDateTime(iso: string, locale: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '' : new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(d);
}

/** A day for people, in their locale ("1 Dec 2026"); '' for an unreadable one. */
export function formatDate(iso: string, locale: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '' : new Intl.DateTimeFormat(locale, { dateStyle: 'medium' }).format(d);
}
