// Characters Windows, macOS or HTTP headers refuse in a file name, and controls.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f<>:"/\\|?*]+/g;
const MAX_BASE_CHARS = 120;

/**
 * A download name from the uploaded video's name: `interview.mp4` + `srt` →
 * `interview.srt`. Keeps Korean and other letters, replaces characters file
 * systems refuse, drops any folder part, and falls back to `captions`.
 */
export function safeDownloadName(videoName: string | null | undefined, ext: string): string {
  const base = (videoName ?? '').split(/[\\/]/).pop() ?? '';
  const dot = base.lastIndexOf('.');
  const stem = (dot > 0 ? base.slice(0, dot) : base)
    .normalize('NFC')
    .replace(UNSAFE, '_')
    .replace(/\s+/g, ' ')
    .replace(/^[\s.]+|[\s.]+$/g, '');
  const short = Array.from(stem).slice(0, MAX_BASE_CHARS).join('');
  return `${short === '' ? 'captions' : short}.${ext}`;
}

/**
 * `Content-Disposition` for a download: an ASCII fallback plus the UTF-8 name
 * (RFC 6266 / 5987), so a Korean file name survives every browser.
 */
export function attachmentDisposition(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  const encoded = encodeURIComponent(fileName).replace(/['()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}
