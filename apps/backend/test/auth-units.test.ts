/**
 * The pure pieces of accounts, without a server: the login failure window,
 * the Bearer header, the own-page (CSRF) rule, the loopback-only setup rule,
 * upload keys that carry their owner, password hashing, and the
 * configuration rules that keep an open port from running without accounts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { FastifyRequest } from 'fastify';
import { ANONYMOUS_USER_ID } from '@ecg/contracts';
import { bearerKey } from '../src/auth/authenticate.js';
import { FailureWindow } from '../src/auth/login-limiter.js';
import { isLocalRequest } from '../src/auth/loopback-request.js';
import { hashPassword, verifyNothing, verifyPassword } from '../src/auth/passwords.js';
import { ConfigError, loadConfig, type SecretResolver } from '../src/config.js';
import { isOwnPageRequest } from '../src/security/same-origin.js';
import { isUploadKey, makeUploadKey, newUploadKey, uploadKeyOwner } from '../src/storage/keys.js';

/** A clock the test moves by hand. */
function manualClock(start = 1_700_000_000_000): { now: () => number; advance: (ms: number) => void } {
  let t = start;
  return { now: () => t, advance: (ms) => (t += ms) };
}

describe('FailureWindow', () => {
  const WINDOW_MS = 60_000;

  it('allows max-1 failures and refuses at max, until the oldest failure leaves the window', () => {
    const clock = manualClock();
    const w = new FailureWindow(3, WINDOW_MS, clock.now);
    w.recordFailure('a@example.test');
    clock.advance(10_000);
    w.recordFailure('a@example.test');
    assert.equal(w.retryAfterSeconds('a@example.test'), 0, 'two of three failures still let the next try in');
    clock.advance(5_000);
    w.recordFailure('a@example.test');
    // The first failure (15 s ago) leaves the window in 45 s.
    assert.equal(w.retryAfterSeconds('a@example.test'), 45);
    clock.advance(44_500);
    assert.equal(w.retryAfterSeconds('a@example.test'), 1, 'half a second left is still refused, rounded up');
    clock.advance(500);
    assert.equal(w.retryAfterSeconds('a@example.test'), 0, 'the first failure has left: two remain');
    w.recordFailure('a@example.test');
    // Three live again (at 10 s, 15 s, 60 s): the one at 10 s leaves in 10 s.
    assert.equal(w.retryAfterSeconds('a@example.test'), 10);
  });

  it('counts each key on its own', () => {
    const clock = manualClock();
    const w = new FailureWindow(2, WINDOW_MS, clock.now);
    w.recordFailure('a');
    w.recordFailure('a');
    assert.ok(w.retryAfterSeconds('a') > 0);
    assert.equal(w.retryAfterSeconds('b'), 0);
  });

  it('forgets a key on reset', () => {
    const clock = manualClock();
    const w = new FailureWindow(2, WINDOW_MS, clock.now);
    w.recordFailure('a');
    w.recordFailure('a');
    assert.equal(w.retryAfterSeconds('a'), 60);
    w.reset('a');
    assert.equal(w.retryAfterSeconds('a'), 0);
    w.recordFailure('a');
    assert.equal(w.retryAfterSeconds('a'), 0, 'the count starts again from zero');
  });

  it('keeps at most maxKeys keys, dropping the one whose last failure is stalest', () => {
    const clock = manualClock();
    const w = new FailureWindow(1, WINDOW_MS, clock.now, 2);
    w.recordFailure('a');
    clock.advance(1);
    w.recordFailure('b');
    clock.advance(1);
    w.recordFailure('a'); // a is fresh again: b is now the stalest
    clock.advance(1);
    w.recordFailure('c');
    assert.equal(w.retryAfterSeconds('b'), 0, 'b was evicted');
    assert.ok(w.retryAfterSeconds('a') > 0, 'a was kept');
    assert.ok(w.retryAfterSeconds('c') > 0, 'c was kept');
  });

  it('refuses exactly while max failures lie in the window, and retry-after is when that ends (property)', () => {
    const step = fc.oneof(
      fc.record({ kind: fc.constant('fail' as const) }),
      fc.record({ kind: fc.constant('wait' as const), ms: fc.integer({ min: 0, max: 40_000 }) }),
      fc.record({ kind: fc.constant('reset' as const) }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 120 }), fc.array(step, { maxLength: 40 }), (max, windowSeconds, steps) => {
        const windowMs = windowSeconds * 1000;
        const clock = manualClock();
        const w = new FailureWindow(max, windowMs, clock.now);
        let failures: number[] = []; // the model: every failure since the last reset
        for (const s of steps) {
          if (s.kind === 'fail') {
            w.recordFailure('k');
            failures.push(clock.now());
          } else if (s.kind === 'wait') {
            clock.advance(s.ms);
          } else {
            w.reset('k');
            failures = [];
          }
          const live = failures.filter((t) => t > clock.now() - windowMs).length;
          const wait = w.retryAfterSeconds('k');
          assert.equal(wait > 0, live >= max, `live ${live}, max ${max}, retry-after ${wait}`);
          assert.ok(wait <= windowSeconds, 'never longer than the window');
        }
        const wait = w.retryAfterSeconds('k');
        if (wait > 0) {
          clock.advance((wait - 1) * 1000);
          assert.ok(w.retryAfterSeconds('k') > 0, 'still refused a second before retry-after ends');
          clock.advance(1000);
          assert.equal(w.retryAfterSeconds('k'), 0, 'let in once retry-after has passed');
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('bearerKey', () => {
  it('reads the key of a Bearer header, whatever the scheme’s case and the spaces around the key', () => {
    for (const header of ['Bearer ecg_abc', 'bearer ecg_abc', 'BEARER ecg_abc', 'Bearer    ecg_abc', 'Bearer\tecg_abc', 'Bearer ecg_abc  ']) {
      assert.equal(bearerKey(header), 'ecg_abc', JSON.stringify(header));
    }
  });

  it('answers null without a header, for other schemes and for a header that is not one key', () => {
    for (const header of [undefined, '', 'Bearer', 'Bearer ', 'Basic dXNlcjpwYXNz', 'Token ecg_abc', 'Bearerecg_abc', 'Bearer ecg_abc extra']) {
      assert.equal(bearerKey(header), null, JSON.stringify(header));
    }
  });
});

describe('isOwnPageRequest', () => {
  const HOST = '127.0.0.1:8000';
  const APP_ORIGINS = ['http://127.0.0.1:8000', 'http://localhost:5173'];

  it('accepts an Origin that is the request’s own host or one of the app’s origins', () => {
    assert.equal(isOwnPageRequest('http://127.0.0.1:8000', undefined, HOST, []), true, 'own host, no configured origins');
    assert.equal(isOwnPageRequest('https://127.0.0.1:8000', undefined, HOST, []), true, 'own host behind a TLS proxy');
    assert.equal(isOwnPageRequest('http://localhost:5173', undefined, HOST, APP_ORIGINS), true, 'a WEB_ORIGINS page');
  });

  it('refuses a foreign Origin, and one on the own host name but another port', () => {
    assert.equal(isOwnPageRequest('https://evil.example', undefined, HOST, APP_ORIGINS), false);
    assert.equal(isOwnPageRequest('http://127.0.0.1:9999', undefined, HOST, APP_ORIGINS), false);
  });

  it('falls back to the Referer only when Origin is absent', () => {
    assert.equal(isOwnPageRequest(undefined, 'http://127.0.0.1:8000/jobs/42?tab=captions', HOST, APP_ORIGINS), true);
    assert.equal(isOwnPageRequest(undefined, 'http://localhost:5173/account', HOST, APP_ORIGINS), true);
    assert.equal(isOwnPageRequest(undefined, 'https://evil.example/page', HOST, APP_ORIGINS), false);
    assert.equal(isOwnPageRequest('https://evil.example', 'http://127.0.0.1:8000/', HOST, APP_ORIGINS), false, 'a foreign Origin is not rescued by an own Referer');
  });

  it('refuses a request with neither, a garbage Referer, and the "null" Origin', () => {
    assert.equal(isOwnPageRequest(undefined, undefined, HOST, APP_ORIGINS), false);
    assert.equal(isOwnPageRequest(undefined, 'not a url', HOST, APP_ORIGINS), false);
    assert.equal(isOwnPageRequest('', undefined, HOST, APP_ORIGINS), false);
    assert.equal(isOwnPageRequest('null', undefined, HOST, APP_ORIGINS), false);
    assert.equal(isOwnPageRequest('null', 'http://127.0.0.1:8000/', HOST, APP_ORIGINS), false, 'a sandboxed frame with our Referer');
  });
});

describe('isLocalRequest', () => {
  /** Only the fields isLocalRequest reads; a real FastifyRequest has them too. */
  function fakeRequest(remoteAddress: string | undefined, headers: Record<string, string>): FastifyRequest {
    return { headers, socket: { remoteAddress } } as unknown as FastifyRequest;
  }

  it('accepts a loopback peer asking for a loopback Host', () => {
    assert.equal(isLocalRequest(fakeRequest('127.0.0.1', { host: '127.0.0.1:8000' })), true);
    assert.equal(isLocalRequest(fakeRequest('127.0.0.1', { host: 'localhost:8000' })), true);
    assert.equal(isLocalRequest(fakeRequest('::1', { host: '[::1]:8000' })), true);
    assert.equal(isLocalRequest(fakeRequest('::ffff:127.0.0.1', { host: 'localhost' })), true, 'an IPv4-mapped loopback peer');
  });

  it('refuses a request that passed through a proxy, whatever the peer', () => {
    for (const header of ['x-forwarded-for', 'forwarded', 'x-real-ip']) {
      assert.equal(isLocalRequest(fakeRequest('127.0.0.1', { host: '127.0.0.1:8000', [header]: '127.0.0.1' })), false, header);
    }
  });

  it('refuses a Host that is not a loopback name, and a peer that is not loopback', () => {
    assert.equal(isLocalRequest(fakeRequest('127.0.0.1', { host: 'ecg.example.org' })), false);
    assert.equal(isLocalRequest(fakeRequest('127.0.0.1', { host: '192.168.1.5:8000' })), false);
    assert.equal(isLocalRequest(fakeRequest('127.0.0.1', {})), false, 'no Host at all');
    assert.equal(isLocalRequest(fakeRequest('192.168.1.20', { host: '127.0.0.1:8000' })), false);
    assert.equal(isLocalRequest(fakeRequest('::ffff:10.0.0.3', { host: 'localhost' })), false);
    assert.equal(isLocalRequest(fakeRequest(undefined, { host: 'localhost' })), false, 'a closed socket has no address');
  });
});

describe('upload keys with their owner', () => {
  const USER_ID = '0b6f4c2e-8a1d-4f3b-9c7e-2d5a6b8c9e01';

  it('puts the owner in a new key, which isUploadKey accepts and uploadKeyOwner reads back', () => {
    for (const owner of [USER_ID, ANONYMOUS_USER_ID]) {
      const key = newUploadKey('회의 녹화.mp4', owner);
      assert.ok(key.startsWith(`videos/${owner}/`), key);
      assert.ok(key.endsWith('_회의_녹화.mp4'), key);
      assert.equal(isUploadKey(key), true, key);
      assert.equal(uploadKeyOwner(key), owner);
    }
  });

  it('will not make a key for an owner that is neither anonymous nor a user id', () => {
    for (const owner of ['admin', '..', '../x', 'anonymous/..', USER_ID.toUpperCase(), '']) {
      assert.throws(() => newUploadKey('a.mp4', owner), /owner/, JSON.stringify(owner));
    }
  });

  it('refuses keys under any other owner segment, and reads no owner from them', () => {
    const tail = '20250911_143020_abc12345_x.mp4';
    for (const key of [
      'videos/../x',
      `videos/../${tail}`,
      `videos/admin/${tail}`,
      `videos/${USER_ID.toUpperCase()}/${tail}`,
      `videos/${USER_ID}x/${tail}`,
      `videos/${tail}`,
      `videos/${USER_ID}/../anonymous/${tail}`,
      `derived/${USER_ID}/${tail}`,
    ]) {
      assert.equal(isUploadKey(key), false, key);
      assert.equal(uploadKeyOwner(key), null, key);
    }
    // The same tail under a real owner is a key, so the refusals above are about the owner.
    assert.equal(uploadKeyOwner(`videos/${USER_ID}/${tail}`), USER_ID);
    assert.equal(makeUploadKey('x.mp4', new Date(Date.UTC(2025, 8, 11, 14, 30, 20)), () => 'abc12345', USER_ID), `videos/${USER_ID}/${tail}`);
  });
});

describe('passwords', () => {
  it('hashes with argon2id, salted, and verifies only the right password', async () => {
    const a = await hashPassword('correct horse battery');
    const b = await hashPassword('correct horse battery');
    assert.match(a, /^\$argon2id\$/);
    assert.notEqual(a, b, 'each hash has its own salt');
    assert.equal(await verifyPassword(a, 'correct horse battery'), true);
    assert.equal(await verifyPassword(b, 'correct horse battery'), true);
    assert.equal(await verifyPassword(a, 'correct horse batterY'), false);
    assert.equal(await verifyPassword(a, ''), false);
  });

  it('lets no one in against a malformed stored hash', async () => {
    for (const stored of ['', 'not a hash', '$argon2id$v=19$garbage', 'correct horse battery']) {
      assert.equal(await verifyPassword(stored, 'correct horse battery'), false, JSON.stringify(stored));
    }
  });

  it('verifyNothing always answers false', async () => {
    assert.equal(await verifyNothing('no account has this password: it only spends the time'), false);
    assert.equal(await verifyNothing('anything'), false);
  });
});

describe('loadConfig and accounts', () => {
  const secrets: SecretResolver = (name) => `test-${name}`;
  const load = (env: Record<string, string>) => loadConfig({ DATA_DIR: '/tmp/ecg-auth-units-never-written', ...env }, secrets);
  const configError = (pattern: RegExp) => (e: unknown) => e instanceof ConfigError && pattern.test(e.message);

  it('refuses a HOST beyond loopback unless ECG_AUTH=on, naming ECG_AUTH', () => {
    assert.throws(() => load({ HOST: '0.0.0.0' }), configError(/ECG_AUTH/));
    assert.throws(() => load({ HOST: '0.0.0.0', ECG_AUTH: 'off' }), configError(/ECG_AUTH/));
    assert.throws(() => load({ HOST: '192.168.1.5', ECG_AUTH: 'off' }), configError(/ECG_AUTH/));
    assert.equal(load({ HOST: '0.0.0.0', ECG_AUTH: 'on' }).auth.enabled, true);
    const local = load({ HOST: 'localhost' });
    assert.equal(local.auth.enabled, false, 'off by default on a loopback HOST');
  });

  it('takes the first admin from ADMIN_EMAIL and ADMIN_PASSWORD, both or neither', () => {
    const c = load({ ECG_AUTH: 'on', ADMIN_EMAIL: ' Admin@Example.test ', ADMIN_PASSWORD: 'long enough' });
    assert.deepEqual(c.auth.admin, { email: 'admin@example.test', password: 'long enough' });
    assert.equal(load({ ECG_AUTH: 'on' }).auth.admin, null);
    assert.throws(() => load({ ECG_AUTH: 'on', ADMIN_EMAIL: 'admin@example.test' }), configError(/ADMIN_PASSWORD/));
    assert.throws(() => load({ ECG_AUTH: 'on', ADMIN_PASSWORD: 'long enough' }), configError(/ADMIN_EMAIL/));
  });

  it('refuses an ADMIN_PASSWORD under 8 characters and an ADMIN_EMAIL that is not an address', () => {
    assert.throws(() => load({ ECG_AUTH: 'on', ADMIN_EMAIL: 'admin@example.test', ADMIN_PASSWORD: 'short12' }), configError(/ADMIN_PASSWORD/));
    assert.throws(() => load({ ECG_AUTH: 'on', ADMIN_EMAIL: 'not-an-address', ADMIN_PASSWORD: 'long enough' }), configError(/ADMIN_EMAIL/));
  });

  it('turns SESSION_TTL_HOURS into seconds, a week by default', () => {
    assert.equal(load({}).auth.sessionTtlSeconds, 168 * 3600);
    assert.equal(load({ SESSION_TTL_HOURS: '2' }).auth.sessionTtlSeconds, 7200);
    assert.throws(() => load({ SESSION_TTL_HOURS: '0' }), configError(/SESSION_TTL_HOURS/));
  });

  it('reads the login failure limits', () => {
    assert.deepEqual(load({}).auth.loginFailures, { perAccount: 10, perAddress: 100, windowSeconds: 900 });
    const c = load({ LOGIN_MAX_FAILURES_PER_ACCOUNT: '3', LOGIN_MAX_FAILURES_PER_ADDRESS: '30', LOGIN_FAILURE_WINDOW_SECONDS: '60' });
    assert.deepEqual(c.auth.loginFailures, { perAccount: 3, perAddress: 30, windowSeconds: 60 });
  });
});
