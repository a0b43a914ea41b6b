import { isIP } from 'node:net';

/**
 * Which `Host` headers the backend answers: the defence against DNS
 * rebinding, where a page on attacker.example re-points its own name at
 * 127.0.0.1 and then reads a loopback install as if it were same-origin. Such
 * a request always carries the attacker's name in `Host`, so a name is only
 * accepted when it was configured (PUBLIC_URL, ALLOWED_HOSTS) or is a loopback
 * name; an IP literal is always accepted, since no rebinding can put one in
 * `Host` (the same rule as webpack-dev-server's `allowedHosts: 'auto'`).
 */
export interface HostPolicy {
  /** `ALLOWED_HOSTS=*`: any Host (a proxy in front checks it). */
  any: boolean;
  /** Lower-case host names without port. */
  names: ReadonlySet<string>;
}

const LOOPBACK_NAMES = ['localhost'];

/** Builds the policy from the public URL and the ALLOWED_HOSTS list (names, `.example.com` for subdomains, or `*`). */
export function hostPolicy(publicUrl: string, allowedHosts: readonly string[]): HostPolicy {
  const names = new Set<string>(LOOPBACK_NAMES);
  names.add(new URL(publicUrl).hostname.toLowerCase().replace(/^\[|\]$/g, ''));
  let any = false;
  for (const entry of allowedHosts) {
    const name = entry.trim().toLowerCase();
    if (name === '*') any = true;
    else if (name !== '') names.add(stripPort(name));
  }
  return { any, names };
}

/** The host name of a Host header, without port or IPv6 brackets; null when it cannot be one. */
export function hostNameOf(hostHeader: string): string | null {
  const value = hostHeader.trim().toLowerCase();
  if (value === '' || /[\s/\\@?#]/.test(value)) return null;
  return stripPort(value);
}

function stripPort(host: string): string {
  if (host.startsWith('[')) {
    const end = host.indexOf(']');
    return end === -1 ? host : host.slice(1, end);
  }
  const colon = host.lastIndexOf(':');
  // More than one colon without brackets: a bare IPv6 address, which has no port.
  if (colon !== -1 && host.indexOf(':') === colon) return host.slice(0, colon);
  return host;
}

/**
 * True when a request with this Host may be answered. A request without Host
 * (HTTP/1.0 tools) is answered: browsers always send one, so rebinding cannot
 * take that path.
 */
export function isAllowedHost(hostHeader: string | undefined, policy: HostPolicy): boolean {
  if (policy.any || hostHeader === undefined) return true;
  const name = hostNameOf(hostHeader);
  if (name === null) return false;
  if (isIP(name) !== 0) return true;
  if (name.endsWith('.localhost')) return true; // RFC 6761: always loopback
  if (policy.names.has(name)) return true;
  for (const allowed of policy.names) {
    if (allowed.startsWith('.') && (name.endsWith(allowed) || name === allowed.slice(1))) return true;
  }
  return false;
}
