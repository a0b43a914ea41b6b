import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classifyAddress, isAddressAllowed, parseIPv6 } from '../src/address-policy.js';
import { isOriginAllowed, originOf, parseOriginList } from '../src/origin-allow-list.js';

describe('SSRF address classification', () => {
  const cases: [string, ReturnType<typeof classifyAddress>][] = [
    ['8.8.8.8', 'public'],
    ['127.0.0.1', 'loopback'],
    ['127.8.9.10', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['172.32.0.1', 'public'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'private'],
    ['169.254.169.254', 'link-local'],
    ['0.0.0.0', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fe80::1', 'link-local'],
    ['febf::1', 'link-local'],
    ['fc00::1', 'unique-local'],
    ['fd00:ec2::254', 'unique-local'],
    ['ff02::1', 'multicast'],
    ['2606:4700:4700::1111', 'public'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:169.254.169.254', 'link-local'],
    ['::ffff:a9fe:a9fe', 'link-local'],
    ['::ffff:8.8.8.8', 'public'],
    ['::127.0.0.1', 'loopback'],
    ['64:ff9b::a9fe:a9fe', 'link-local'],
    ['2002:a9fe:a9fe::1', 'link-local'],
    ['[::1]', 'loopback'],
    ['fe80::1%eth0', 'link-local'],
    ['example.com', 'invalid'],
    ['1.2.3', 'invalid'],
  ];
  for (const [address, expected] of cases) {
    it(`classifies ${address} as ${expected}`, () => assert.equal(classifyAddress(address), expected));
  }

  it('parses IPv6 with :: in any position and a dotted tail', () => {
    assert.deepEqual(parseIPv6('::ffff:1.2.3.4'), [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 255, 255, 1, 2, 3, 4]);
    assert.deepEqual(parseIPv6('1::'), [0, 1, ...Array(14).fill(0)]);
    assert.equal(parseIPv6('1:2:3:4:5:6:7:8:9'), null);
    assert.equal(parseIPv6('1::2::3'), null);
  });
});

describe('which addresses a download may connect to', () => {
  it('allows public addresses behind any allow-listed host name', () => {
    assert.equal(isAddressAllowed('93.184.216.34', 'storage.example.com'), true);
  });

  it('refuses link-local and metadata addresses whatever the host', () => {
    assert.equal(isAddressAllowed('169.254.169.254', '169.254.169.254'), false);
    assert.equal(isAddressAllowed('169.254.169.254', 'storage.example.com'), false);
    assert.equal(isAddressAllowed('fe80::1', 'localhost'), false);
    assert.equal(isAddressAllowed('::ffff:169.254.169.254', 'storage.example.com'), false);
  });

  it('refuses a DNS name that resolves to a private or loopback address (rebinding)', () => {
    assert.equal(isAddressAllowed('10.0.0.5', 'storage.example.com'), false);
    assert.equal(isAddressAllowed('127.0.0.1', 'storage.example.com'), false);
    assert.equal(isAddressAllowed('fd12::1', 'storage.example.com'), false);
    assert.equal(isAddressAllowed('::ffff:127.0.0.1', 'storage.example.com'), false);
  });

  it('allows loopback behind localhost (the built-in local store), but not private addresses', () => {
    assert.equal(isAddressAllowed('127.0.0.1', 'localhost'), true);
    assert.equal(isAddressAllowed('::1', 'localhost'), true);
    assert.equal(isAddressAllowed('10.0.0.5', 'localhost'), false);
  });

  it('allows a private address only when the allowed host is that very literal IP', () => {
    assert.equal(isAddressAllowed('10.0.0.5', '10.0.0.5'), true);
    assert.equal(isAddressAllowed('10.0.0.6', '10.0.0.5'), false);
    assert.equal(isAddressAllowed('127.0.0.1', '127.0.0.1'), true);
    assert.equal(isAddressAllowed('::ffff:127.0.0.1', '127.0.0.1'), true);
    assert.equal(isAddressAllowed('::1', '[::1]'), true);
  });
});

describe('origin allow-list', () => {
  const allowed = parseOriginList('http://127.0.0.1:8000, https://Storage.Example.com');

  it('normalises entries to origins', () => {
    assert.deepEqual(allowed, ['http://127.0.0.1:8000', 'https://storage.example.com']);
  });

  it('matches by scheme, host and port, ignoring path and query', () => {
    assert.equal(isOriginAllowed('http://127.0.0.1:8000/storage/x.mp4?sig=1', allowed), true);
    assert.equal(isOriginAllowed('https://storage.example.com:443/a', allowed), true);
    assert.equal(isOriginAllowed('http://127.0.0.1:8001/x', allowed), false);
    assert.equal(isOriginAllowed('http://storage.example.com/x', allowed), false);
    assert.equal(isOriginAllowed('https://storage.example.com.evil.net/x', allowed), false);
  });

  it('refuses URLs with credentials and non-http schemes', () => {
    assert.equal(isOriginAllowed('http://user:pw@127.0.0.1:8000/x', allowed), false);
    assert.equal(originOf('file:///etc/passwd'), null);
    assert.equal(originOf('not a url'), null);
  });

  it('rejects a configured entry that is not an origin', () => {
    assert.throws(() => parseOriginList('ftp://x'), /not an http\(s\) origin/);
  });
});
