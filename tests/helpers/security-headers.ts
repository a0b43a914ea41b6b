import assert from 'node:assert/strict';

/**
 * What every ECG response must carry (issue "Hardening", item 8): a CSP that
 * allows no inline or eval'd script and no framing, nosniff, no referrer
 * (storage URLs carry their signature), and X-Frame-Options for old browsers.
 */
export function assertSecurityHeaders(headers: Record<string, string | string[] | number | undefined>, where: string): void {
  const csp = String(headers['content-security-policy'] ?? '');
  assert.match(csp, /frame-ancestors 'none'/, `${where}: ${csp}`);
  assert.match(csp, /script-src 'self'(;|$)/, where);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/, where);
  assert.equal(headers['x-content-type-options'], 'nosniff', where);
  assert.equal(headers['referrer-policy'], 'no-referrer', where);
  assert.equal(headers['x-frame-options'], 'DENY', where);
}
