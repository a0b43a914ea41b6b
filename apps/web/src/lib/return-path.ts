/** Where the sign-in pages live; `?next=` carries the page to return to. */
export const LOGIN_PATH = '/login';
export const SETUP_PATH = '/setup';

// Any origin would do: it only tells a path on this site from one that leaves it.
const BASE = 'http://ecg.invalid';

/**
 * The page to go to after signing in, from a `next` value: only a path on this
 * site (so a crafted link cannot send the person elsewhere, even with
 * `//host`, `/\host` or a tab hidden in it), never the sign-in pages
 * themselves; anything else is the start page.
 */
export function safeReturnPath(next: string | null | undefined): string {
  if (!next?.startsWith('/')) return '/';
  let url: URL;
  try {
    url = new URL(next, BASE);
  } catch {
    return '/';
  }
  if (url.origin !== BASE) return '/';
  const path = url.pathname.replace(/\/+$/, '') || '/';
  if (path === LOGIN_PATH || path === SETUP_PATH) return '/';
  return `${url.pathname}${url.search}${url.hash}`;
}

/** The login page's address, remembering `returnTo` unless it is the start page. */
export function loginPath(returnTo: string): string {
  const next = safeReturnPath(returnTo);
  return next === '/' ? LOGIN_PATH : `${LOGIN_PATH}?next=${encodeURIComponent(next)}`;
}

/** The page to return to, from the login page's query string (`location.search`). */
export function returnPathFrom(search: string): string {
  return safeReturnPath(new URLSearchParams(search).get('next'));
}
