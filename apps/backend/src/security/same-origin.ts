/**
 * Which pages may change state through the API. Browsers send `Origin` with
 * every cross-site POST, even a bodiless one or a plain HTML form that needs
 * no CORS preflight, so a state-changing request whose Origin is present and
 * neither the app's own nor a configured web origin came from another site's
 * page (CSRF) and is refused. Requests without Origin come from tools and
 * servers (curl, the ML service, the openai client), not from a browser tab
 * on another site, and are left to the other checks.
 */
const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export function isStateChanging(method: string): boolean {
  return STATE_CHANGING.has(method.toUpperCase());
}

/**
 * True when `origin` may make this request: absent, one of `webOrigins`, or
 * the request's own host (same-origin; the Host header was checked against
 * the host policy before this runs). The scheme is not compared for the own
 * host: behind a TLS proxy without TRUST_PROXY the server sees http while
 * the page is https, and a foreign page can never put our host in Origin.
 */
export function isAllowedOrigin(origin: string | undefined, hostHeader: string | undefined, webOrigins: readonly string[]): boolean {
  if (origin === undefined) return true;
  const value = origin.trim();
  if (webOrigins.includes(value.replace(/\/+$/, ''))) return true;
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    return false; // "null" (sandboxed frames, file:) and garbage
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return false;
  return hostHeader !== undefined && parsed.host === hostHeader.trim().toLowerCase();
}

/**
 * For requests a session cookie authenticates: the page that sent a
 * state-changing one must be the app's own, proven by `Origin`, or by
 * `Referer` where a browser left Origin out. Unlike isAllowedOrigin, a
 * request carrying neither is refused: with a cookie attached, "no Origin"
 * is not a tool talking to the API but a browser whose source we cannot see.
 */
export function isOwnPageRequest(
  origin: string | undefined,
  referer: string | undefined,
  hostHeader: string | undefined,
  appOrigins: readonly string[],
): boolean {
  let source = origin?.trim();
  if (source === undefined && referer !== undefined) {
    try {
      source = new URL(referer).origin;
    } catch {
      return false;
    }
  }
  if (source === undefined || source === '') return false;
  return isAllowedOrigin(source, hostHeader, appOrigins);
}
