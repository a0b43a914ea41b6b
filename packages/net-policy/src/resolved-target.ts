import { isIP } from 'node:net';
import { classifyAddress, type AddressClass } from './address-policy.js';
import { isOriginAllowed, originOf } from './origin-allow-list.js';

/**
 * The policy for URLs a *user* names (a webhook's callback_url), stricter than
 * `isAddressAllowed`, which trusts a loopback or private address the operator
 * wrote into the configuration: here only public addresses may be reached,
 * unless the operator allow-listed the URL's origin. Two checks, both pure:
 * `checkUserUrl` on the literal URL (when the request names it), and
 * `checkResolvedAddresses` on every address its host resolves to, at the time
 * of each connection, so a name that later resolves inward (DNS rebinding)
 * is caught where it matters.
 */
export type UserUrlVerdict = { ok: true; url: URL; allowListed: boolean } | { ok: false; reason: string };

export function checkUserUrl(raw: string, allowedOrigins: readonly string[]): UserUrlVerdict {
  const origin = originOf(raw);
  if (origin === null) return { ok: false, reason: 'the URL must be a plain http(s) URL without credentials' };
  const url = new URL(raw);
  if (isOriginAllowed(url, allowedOrigins)) return { ok: true, url, allowListed: true };
  const host = bareHost(url);
  if (host === 'localhost' || host.endsWith('.localhost')) return { ok: false, reason: `${host} is the local machine` };
  if (isIP(host) !== 0) {
    const cls = classifyAddress(host);
    if (cls !== 'public') return { ok: false, reason: `${host} is a ${cls} address` };
  }
  return { ok: true, url, allowListed: false };
}

export type ResolvedVerdict = { ok: true; address: string; family: number } | { ok: false; reason: string };

/**
 * Picks the address to connect to. Every address must be public (one private
 * answer among public ones is how a rebinding server would try its luck), and
 * the caller connects to the address returned, never resolving again.
 */
export function checkResolvedAddresses(
  host: string,
  addresses: readonly { address: string; family: number }[],
  allowListed: boolean,
): ResolvedVerdict {
  const first = addresses[0];
  if (!first) return { ok: false, reason: `${host} resolves to nothing` };
  if (allowListed) return { ok: true, address: first.address, family: first.family };
  const refused = addresses.map((a) => ({ ...a, cls: classifyAddress(a.address) })).filter((a) => a.cls !== 'public');
  if (refused.length > 0) {
    const seen = refused.map((a) => `${a.address} (${a.cls satisfies AddressClass})`).join(', ');
    return { ok: false, reason: `${host} resolves to ${seen}; such addresses are refused` };
  }
  return { ok: true, address: first.address, family: first.family };
}

/** The URL's host without IPv6 brackets, lower case. */
export function bareHost(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
}
