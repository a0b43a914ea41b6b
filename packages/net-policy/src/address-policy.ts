import { isIP } from 'node:net';

/**
 * What kind of address a download would connect to. The downloader resolves
 * DNS itself and asks `isAddressAllowed` about every address before it
 * connects, so a storage host cannot point us at the metadata service or the
 * machine's own admin ports, neither directly nor by DNS rebinding.
 */
export type AddressClass =
  | 'public'
  | 'loopback'
  | 'private'
  | 'unique-local'
  | 'link-local'
  | 'unspecified'
  | 'multicast'
  | 'reserved'
  | 'invalid';

function parseIPv4(text: string): number[] | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  const bytes = parts.map((p) => (/^\d{1,3}$/.test(p) ? Number(p) : NaN));
  return bytes.every((b) => b >= 0 && b <= 255) ? bytes : null;
}

/** 16 bytes of an IPv6 address (with `::` and a dotted IPv4 tail), or null. */
export function parseIPv6(text: string): number[] | null {
  let s = text.trim().toLowerCase();
  if (s.startsWith('[') && s.endsWith(']')) s = s.slice(1, -1);
  const zone = s.indexOf('%');
  if (zone >= 0) s = s.slice(0, zone);
  if (isIP(s) !== 6) return null;
  const lastColon = s.lastIndexOf(':');
  const tailText = s.slice(lastColon + 1);
  if (tailText.includes('.')) {
    // A dotted IPv4 tail ("::ffff:10.0.0.1") is two 16-bit groups written differently.
    const v4 = parseIPv4(tailText);
    if (!v4) return null;
    const hex = (hi: number, lo: number) => ((hi << 8) | lo).toString(16);
    s = `${s.slice(0, lastColon + 1)}${hex(v4[0]!, v4[1]!)}:${hex(v4[2]!, v4[3]!)}`;
  }
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const headGroups = halves[0] ? halves[0].split(':') : [];
  const restGroups = halves[1] ? halves[1].split(':') : [];
  const fill = halves.length === 2 ? 8 - headGroups.length - restGroups.length : 0;
  if (fill < 0) return null;
  const groups = [...headGroups, ...Array<string>(fill).fill('0'), ...restGroups];
  if (groups.length !== 8) return null;
  const bytes: number[] = [];
  for (const g of groups) {
    const v = parseInt(g, 16);
    if (!/^[0-9a-f]{1,4}$/.test(g) || Number.isNaN(v)) return null;
    bytes.push(v >> 8, v & 0xff);
  }
  return bytes;
}

function classifyIPv4(b: number[]): AddressClass {
  const [a = 0, c = 0] = b;
  if (a === 0) return 'unspecified'; // 0.0.0.0/8: Linux connects 0.0.0.0 to the local host
  if (a === 127) return 'loopback';
  if (a === 10) return 'private';
  if (a === 172 && c >= 16 && c <= 31) return 'private';
  if (a === 192 && c === 168) return 'private';
  if (a === 100 && c >= 64 && c <= 127) return 'private'; // carrier-grade NAT, often the cloud's internal net
  if (a === 169 && c === 254) return 'link-local'; // includes 169.254.169.254, cloud metadata
  if (a === 192 && c === 0 && b[2] === 0) return 'reserved'; // IETF protocol assignments
  if (a === 198 && (c === 18 || c === 19)) return 'reserved'; // benchmarking
  if (a >= 224 && a <= 239) return 'multicast';
  if (a >= 240) return 'reserved'; // includes 255.255.255.255
  return 'public';
}

function classifyIPv6(b: number[]): AddressClass {
  const isZero = (from: number, to: number) => b.slice(from, to).every((x) => x === 0);
  const v4At = (i: number) => classifyIPv4(b.slice(i, i + 4));
  if (isZero(0, 16)) return 'unspecified';
  if (isZero(0, 15) && b[15] === 1) return 'loopback';
  // ::ffff:a.b.c.d (mapped) and ::a.b.c.d (deprecated compatible) reach the IPv4 address.
  if (isZero(0, 10) && b[10] === 0xff && b[11] === 0xff) return v4At(12);
  if (isZero(0, 12)) return v4At(12);
  // 64:ff9b::/96 (NAT64) and 2002::/16 (6to4) embed an IPv4 address a gateway would reach.
  if (b[0] === 0x00 && b[1] === 0x64 && b[2] === 0xff && b[3] === 0x9b && isZero(4, 12)) return v4At(12);
  if (b[0] === 0x20 && b[1] === 0x02) return v4At(2);
  const first = b[0] ?? 0;
  const second = b[1] ?? 0;
  if (first === 0xfe && (second & 0xc0) === 0x80) return 'link-local'; // fe80::/10
  if (first === 0xfe && (second & 0xc0) === 0xc0) return 'private'; // fec0::/10, deprecated site-local
  if ((first & 0xfe) === 0xfc) return 'unique-local'; // fc00::/7, includes fd00:ec2::254 metadata
  if (first === 0xff) return 'multicast';
  if (first === 0x20 && second === 0x01 && b[2] === 0x0d && b[3] === 0xb8) return 'reserved'; // documentation
  return 'public';
}

export function classifyAddress(address: string): AddressClass {
  const family = isIP(address.replace(/^\[|\]$/g, '').replace(/%.*$/, ''));
  if (family === 4) {
    const b = parseIPv4(address);
    return b ? classifyIPv4(b) : 'invalid';
  }
  if (family === 6) {
    const b = parseIPv6(address);
    return b ? classifyIPv6(b) : 'invalid';
  }
  return 'invalid';
}

/**
 * Whether a download may connect to `address`, reached through a URL whose host
 * is `urlHost` (already known to be in the allow-list).
 * - public addresses: yes;
 * - link-local (cloud metadata), multicast, unspecified, reserved: never;
 * - loopback, private, unique-local: only when the operator configured that
 *   very address as the storage host (`http://127.0.0.1:8000`,
 *   `http://10.0.0.5:9000`), or loopback behind `localhost` (the built-in
 *   local store). A DNS name that resolves into the private range is refused:
 *   that is what a rebinding attack looks like.
 */
export function isAddressAllowed(address: string, urlHost: string): boolean {
  const cls = classifyAddress(address);
  if (cls === 'public') return true;
  if (cls !== 'loopback' && cls !== 'private' && cls !== 'unique-local') return false;
  const host = urlHost.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return cls === 'loopback';
  return isIP(host) !== 0 && sameAddress(host, address);
}

function sameAddress(a: string, b: string): boolean {
  const pa = isIP(a) === 4 ? mapV4(a) : parseIPv6(a);
  const pb = isIP(b) === 4 ? mapV4(b) : parseIPv6(b.replace(/%.*$/, ''));
  return pa !== null && pb !== null && pa.every((x, i) => x === pb[i]);
}

function mapV4(a: string): number[] | null {
  const v4 = parseIPv4(a);
  return v4 ? [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, ...v4] : null;
}
