/**
 * C0 control characters other than tab and newline. U+0000 above all:
 * PostgreSQL refuses it in text and jsonb ("unsupported Unicode escape
 * sequence"), so one NUL from a decoder or a tool's stderr would make the
 * backend refuse a whole result; the others are invisible in captions and
 * break SRT/VTT lines. Whisper output and every message the service sends or
 * shows pass through here.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_EXCEPT_TAB_AND_NEWLINE = /[\u0000-\u0008\u000B-\u001F]/g;

export function stripControlChars(text: string): string {
  return text.replace(CONTROL_EXCEPT_TAB_AND_NEWLINE, '');
}

/** A JSON.stringify replacer that applies stripControlChars to every string in the value. */
export function withoutControlChars(_key: string, value: unknown): unknown {
  return typeof value === 'string' ? stripControlChars(value) : value;
}
