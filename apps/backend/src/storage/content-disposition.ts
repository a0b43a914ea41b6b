/**
 * `Content-Disposition: attachment` for a download name that may be Korean:
 * RFC 6266 `filename*` carries the UTF-8 name, `filename` an ASCII fallback for
 * old clients. Both drivers use it (S3 through ResponseContentDisposition) so a
 * download is named the same whichever store serves it.
 */
export function attachmentDisposition(name: string): string {
  const clean = name.normalize('NFC').replace(/[\p{C}"\\/]+/gu, '_') || 'download';
  const ascii = clean.replace(/[^\x20-\x7e]+/g, '_');
  // encodeURIComponent leaves ' ( ) * ! unescaped; RFC 5987 attr-char does not allow ' ( ) *.
  const encoded = encodeURIComponent(clean).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}
