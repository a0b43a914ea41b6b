import { test } from 'node:test';
import assert from 'node:assert/strict';
import { signCallback, verifyCallback } from '../src/index.js';

const secret = 'test-secret';
const body = '{"job_id":"x","status":"processing"}';

test('accepts a fresh delivery signed with the shared secret', () => {
  const h = signCallback(secret, body, 1_000_000);
  assert.deepEqual(verifyCallback(secret, body, h['x-ecg-timestamp'], h['x-ecg-signature'], 1_000_010), { ok: true });
});

test('refuses a changed body, a wrong secret and missing headers', () => {
  const h = signCallback(secret, body, 1_000_000);
  assert.equal(verifyCallback(secret, body + ' ', h['x-ecg-timestamp'], h['x-ecg-signature'], 1_000_000).ok, false);
  assert.equal(verifyCallback('other', body, h['x-ecg-timestamp'], h['x-ecg-signature'], 1_000_000).ok, false);
  const missing = verifyCallback(secret, body, undefined, h['x-ecg-signature'], 1_000_000);
  assert.equal(missing.ok === false && missing.code, 'INVALID_SIGNATURE');
});

test('refuses a delivery whose timestamp was changed after signing', () => {
  const h = signCallback(secret, body, 1_000_000);
  const v = verifyCallback(secret, body, '1000100', h['x-ecg-signature'], 1_000_100);
  assert.equal(v.ok === false && v.code, 'INVALID_SIGNATURE');
});

test('refuses a correctly signed delivery older than five minutes', () => {
  const h = signCallback(secret, body, 1_000_000);
  const v = verifyCallback(secret, body, h['x-ecg-timestamp'], h['x-ecg-signature'], 1_000_000 + 301);
  assert.equal(v.ok === false && v.code, 'SIGNATURE_EXPIRED');
});

test('judges a delivery by its headers alone before the body is read', async () => {
  const { checkCallbackHeaders } = await import('../src/index.js');
  const h = signCallback(secret, body, 1_000_000);
  assert.deepEqual(checkCallbackHeaders(h['x-ecg-timestamp'], h['x-ecg-signature'], 1_000_010), { ok: true });
  for (const [ts, sig] of [
    [undefined, h['x-ecg-signature']],
    [h['x-ecg-timestamp'], undefined],
    ['soon', h['x-ecg-signature']],
    [h['x-ecg-timestamp'], 'sha256=nothex'],
    [h['x-ecg-timestamp'], 'md5=' + 'a'.repeat(64)],
  ] as const) {
    const v = checkCallbackHeaders(ts, sig, 1_000_010);
    assert.equal(v.ok === false && v.code, 'INVALID_SIGNATURE', `${ts} ${sig}`);
  }
  const stale = checkCallbackHeaders(h['x-ecg-timestamp'], h['x-ecg-signature'], 1_000_000 + 301);
  assert.equal(stale.ok === false && stale.code, 'SIGNATURE_EXPIRED');
});
