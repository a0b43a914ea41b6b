/**
 * `HH:MM:SS<sep>mmm` for SRT (`,`) and WebVTT (`.`). Hours grow past two
 * digits rather than wrapping; milliseconds are rounded, so 3725.5 s is
 * `01:02:05,500`. Negative or non-finite input is written as zero.
 */
export function formatTimestamp(seconds: number, separator: ',' | '.'): string {
  const totalMs = Number.isFinite(seconds) && seconds > 0 ? Math.round(seconds * 1000) : 0;
  const ms = totalMs % 1000;
  const totalS = Math.floor(totalMs / 1000);
  const s = totalS % 60;
  const m = Math.floor(totalS / 60) % 60;
  const h = Math.floor(totalS / 3600);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${two(h)}:${two(m)}:${two(s)}${separator}${String(ms).padStart(3, '0')}`;
}
