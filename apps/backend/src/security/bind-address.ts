import { isIP } from 'node:net';

/**
 * True when HOST binds loopback only. Anything else exposes the backend to
 * the network, which config.ts allows only with ECG_AUTH=on.
 */
export function isLoopbackBind(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[|\]$/g, '');
  if (h === 'localhost' || h === '::1') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  return false;
}
