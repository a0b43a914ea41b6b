/**
 * Origin allow-lists, for the URLs the service is told to download from and
 * deliver to. An origin is scheme + host + port, compared after URL
 * normalisation, so `http://Example.com:80/x` matches `http://example.com`.
 * Paths, credentials and anything but http(s) never match.
 */

/** Normalised origin of `url`, or null when it is not an http(s) URL without credentials. */
export function originOf(url: string | URL): string | null {
  let u: URL;
  try {
    u = typeof url === 'string' ? new URL(url) : url;
  } catch {
    return null;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
  // user:pass@host URLs are a classic allow-list bypass in naive string checks; refuse them outright.
  if (u.username !== '' || u.password !== '') return null;
  return u.origin;
}

/** Parses a comma separated list of origins; throws on an entry that is not one. */
export function parseOriginList(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.split(',')) {
    const entry = raw.trim();
    if (entry === '') continue;
    const origin = originOf(entry);
    if (origin === null) throw new Error(`"${entry}" is not an http(s) origin`);
    if (!out.includes(origin)) out.push(origin);
  }
  return out;
}

export function isOriginAllowed(url: string | URL, allowedOrigins: readonly string[]): boolean {
  const origin = originOf(url);
  return origin !== null && allowedOrigins.includes(origin);
}

/**
 * A compat `fastapi_base_url` names where a backend lives, and the result is
 * POSTed to `<base>/api/upload-video/result` (callbackUrl). Only a bare
 * allow-listed origin is accepted (no path but "/", no query, no fragment):
 * a path would let the caller aim our signed deliveries at any route of
 * that origin, not just its result route.
 */
export function isCallbackBaseAllowed(url: string, allowedOrigins: readonly string[]): boolean {
  if (!isOriginAllowed(url, allowedOrigins)) return false;
  const u = new URL(url);
  return u.pathname === '/' && u.search === '' && u.hash === '' && !url.includes('?') && !url.includes('#');
}
