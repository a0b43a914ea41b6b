import { isIP } from 'node:net';

/**
 * True when HOST binds loopback only. Anything else exposes the backend to
 * the network, and until accounts exist (issue 11) anyone who reaches it can
 * read and change every job: main.ts warns loudly then.
 */
export function isLoopbackBind(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[|\]$/g, '');
  if (h === 'localhost' || h === '::1') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  return false;
}

export function exposedBindWarning(host: string, port: number): string {
  return (
    `HOST=${host}: the backend listens beyond this machine on port ${port}. ECG has no accounts yet, so ` +
    'anyone who can reach this port can upload, read and edit every job. Put it behind a proxy with ' +
    'authentication, or bind HOST=127.0.0.1.'
  );
}
