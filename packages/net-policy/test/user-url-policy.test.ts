import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkResolvedAddresses, checkUserUrl } from '../src/resolved-target.js';

describe('URLs a user names (webhooks)', () => {
  it('refuses loopback, private, link-local, non-http and credentialed URLs', () => {
    for (const url of [
      'http://127.0.0.1/hook',
      'http://10.0.0.1/',
      'http://169.254.169.254/',
      'http://[::1]/',
      'http://[::ffff:10.0.0.1]/',
      'http://localhost:9000/',
      'file:///etc/passwd',
      'http://user:pw@example.com/',
      'not a url',
    ]) {
      assert.equal(checkUserUrl(url, []).ok, false, url);
    }
  });

  it('accepts public addresses and names (names are checked again after DNS)', () => {
    assert.equal(checkUserUrl('https://hooks.example.com/ecg', []).ok, true);
    assert.equal(checkUserUrl('http://93.184.215.14/x', []).ok, true);
  });

  it('accepts a refused address whose origin is allow-listed, and only that origin', () => {
    const verdict = checkUserUrl('http://127.0.0.1:9000/hook', ['http://127.0.0.1:9000']);
    assert.deepEqual(verdict.ok && verdict.allowListed, true);
    assert.equal(checkUserUrl('http://127.0.0.1:9001/hook', ['http://127.0.0.1:9000']).ok, false);
  });

  it('refuses a name when any address it resolves to is not public', () => {
    const mixed = [
      { address: '93.184.215.14', family: 4 },
      { address: '10.1.2.3', family: 4 },
    ];
    assert.equal(checkResolvedAddresses('rebind.example', mixed, false).ok, false);
    assert.equal(checkResolvedAddresses('none.example', [], false).ok, false);
    assert.deepEqual(checkResolvedAddresses('ok.example', [{ address: '93.184.215.14', family: 4 }], false), {
      ok: true,
      address: '93.184.215.14',
      family: 4,
    });
    assert.equal(checkResolvedAddresses('allowed.example', mixed, true).ok, true);
  });
});
