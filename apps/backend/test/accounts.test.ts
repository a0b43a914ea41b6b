/**
 * Accounts on a real backend (PGlite, local storage, the real app, ECG_AUTH=on):
 * which routes need credentials, that users only ever see their own jobs,
 * the session cookie's rules, login's answers and limits, API keys, the
 * admin's users API and the one-time setup.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { SESSION_COOKIE, type AuthSession, type JobListResponse, type RenderJob, type SetupStatus, type TranscriptResult, type User } from '@ecg/contracts';
import { verifyPassword } from '../src/auth/passwords.js';
import { sha256Hex } from '../src/auth/tokens.js';
import { ADMIN, AUTH_ENV, OWN_ORIGIN, bearer, completedJobAs, createApiKey, createUser, listApiKeys, login, me, queuedJobAs, sessionCookieOf, uploadAs, type Credentials } from './helpers/accounts.js';
import { queuedJob } from './helpers/completed-job.js';
import { startTestBackend, type TestBackend } from './helpers/test-backend.js';

const RESULT: TranscriptResult = { text: 'hello there', language: 'en', segments: [{ id: 0, start: 0, end: 1, text: 'hello there' }] };
const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

/** The only API routes a request without credentials may reach: signing in and out, the first-admin setup, and the ML service's signed callback. */
const OPEN_API_ROUTES = ['GET /api/auth/setup', 'POST /api/auth/login', 'POST /api/auth/logout', 'POST /api/auth/setup', 'POST /api/upload-video/result'];

describe('accounts', () => {
  let b: TestBackend;
  let admin: Credentials;
  let alice: Credentials;
  let bob: Credentials;
  let aliceUser: User;

  before(async () => {
    b = await startTestBackend({ env: { ...AUTH_ENV, LOGIN_MAX_FAILURES_PER_ACCOUNT: '3', LOGIN_MAX_FAILURES_PER_ADDRESS: '1000' } });
    admin = await login(b.app, ADMIN.email, ADMIN.password);
    aliceUser = await createUser(b.app, admin, 'alice@example.test', 'alice password');
    await createUser(b.app, admin, 'bob@example.test', 'bob password');
    alice = await login(b.app, 'alice@example.test', 'alice password');
    bob = await login(b.app, 'bob@example.test', 'bob password');
  });
  after(async () => {
    await b?.destroy();
  });

  it('answers 401 without credentials on every API route but login, logout, setup and the signed ML callback', async () => {
    const spec = b.app.swagger() as { paths: Record<string, Partial<Record<(typeof METHODS)[number], unknown>>> };
    const open: string[] = [];
    const checked: string[] = [];
    for (const [path, ops] of Object.entries(spec.paths)) {
      if (!path.startsWith('/api/') && !path.startsWith('/v1/')) continue;
      for (const method of METHODS) {
        if (!ops[method]) continue;
        const url = path.replace(/\{[^}]+\}/g, randomUUID());
        const res = await b.app.inject({ method: method.toUpperCase() as 'GET', url, ...(method === 'get' || method === 'delete' ? {} : { payload: {} }) });
        const route = `${method.toUpperCase()} ${path}`;
        checked.push(route);
        // The /v1 routes answer in OpenAI's envelope, which carries ECG's code too.
        const code = res.statusCode === 401 ? res.json<{ error?: { code?: string } }>().error?.code : undefined;
        if (res.statusCode === 401 && code === 'AUTHENTICATION_REQUIRED') continue;
        open.push(route);
      }
    }
    assert.deepEqual(open.sort(), [...OPEN_API_ROUTES].sort());
    for (const route of ['GET /api/upload-video/jobs', 'POST /api/upload-video/generate-url', 'GET /api/upload-video/result/{jobId}/media', 'POST /v1/audio/transcriptions', 'GET /v1/models', 'GET /api/admin/users', 'GET /api/auth/me', 'GET /api/config']) {
      assert.ok(checked.includes(route), `${route} was among the routes checked`);
    }
    for (const url of ['/health', '/docs/json']) assert.equal((await b.app.inject({ method: 'GET', url })).statusCode, 200, `${url} needs no login`);
    const callback = await b.app.inject({ method: 'POST', url: '/api/upload-video/result', payload: {} });
    assert.equal(callback.json<{ error: { code: string } }>().error.code, 'INVALID_SIGNATURE', 'the ML callback is judged by its signature, not by a login');
  });

  it('keys uploads under the owner and shows each user only their own jobs; another user gets 404 for all of it', async () => {
    const fileKey = await uploadAs(b.app, alice, 'alice.mp4');
    assert.ok(fileKey.startsWith(`videos/${aliceUser.id}/`), fileKey);
    const stolen = await b.app.inject({ method: 'POST', url: '/api/upload-video/request-process', headers: bob, payload: { fileKey } });
    assert.equal(stolen.statusCode, 404, 'bob cannot start a job on alice’s upload');

    const jobId = await completedJobAs(b.app, alice, 'alice-done.mp4', RESULT);
    const render = await b.app.inject({ method: 'POST', url: `/api/upload-video/result/${jobId}/render`, headers: alice, payload: {} });
    assert.equal(render.statusCode, 202, render.body);
    const renderId = render.json<RenderJob>().render_id;
    const aliceReads = [
      `/api/upload-video/result/${jobId}`,
      `/api/upload-video/status/${jobId}`,
      `/api/upload-video/jobs/${jobId}`,
      `/api/upload-video/result/${jobId}/captions`,
      `/api/upload-video/result/${jobId}/export?format=srt`,
      `/api/upload-video/result/${jobId}/media`,
      `/api/upload-video/result/${jobId}/render/${renderId}`,
    ];
    for (const url of aliceReads) {
      assert.equal((await b.app.inject({ method: 'GET', url, headers: alice })).statusCode, 200, `alice reads ${url}`);
    }
    const bobTries = [
      ...aliceReads.map((url) => ({ method: 'GET' as const, url })),
      { method: 'GET' as const, url: `/api/upload-video/result/${jobId}/waveform` },
      { method: 'GET' as const, url: `/api/upload-video/result/${jobId}/thumbnails` },
      { method: 'POST' as const, url: `/api/upload-video/result/${jobId}/render`, payload: {} },
      { method: 'PUT' as const, url: `/api/upload-video/result/${jobId}`, payload: { base_version: 0, captions: [] } },
      { method: 'POST' as const, url: `/api/upload-video/result/${jobId}/restore`, payload: { base_version: 0 } },
      { method: 'DELETE' as const, url: `/api/upload-video/jobs/${jobId}` },
    ];
    for (const t of bobTries) {
      const res = await b.app.inject({ ...t, headers: bob });
      assert.equal(res.statusCode, 404, `bob ${t.method} ${t.url}: ${res.body}`);
    }
    // Bob's delete changed nothing: alice still has her job.
    assert.equal((await b.app.inject({ method: 'GET', url: `/api/upload-video/jobs/${jobId}`, headers: alice })).statusCode, 200);

    const bobJob = await queuedJobAs(b.app, bob, 'bob.mp4');
    const list = async (who: Credentials) =>
      (await b.app.inject({ method: 'GET', url: '/api/upload-video/jobs?limit=100', headers: who })).json<JobListResponse>().jobs.map((j) => j.job_id);
    const [aliceList, bobList] = [await list(alice), await list(bob)];
    assert.ok(aliceList.includes(jobId) && !aliceList.includes(bobJob), 'alice lists her jobs only');
    assert.deepEqual(bobList, [bobJob], 'bob lists his job only');
    assert.equal((await me(b.app, alice)).job_count, 1);
    assert.ok(((await me(b.app, alice)).storage_bytes ?? 0) > 0, 'alice’s storage used counts her upload');
  });

  it('sets the session cookie HttpOnly, SameSite=Lax, path /, and a new one at every login', async () => {
    const first = await b.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: 'alice@example.test', password: 'alice password' } });
    const cookie = sessionCookieOf(first.headers['set-cookie']);
    assert.match(cookie, /HttpOnly/i);
    assert.match(cookie, /SameSite=Lax/i);
    assert.match(cookie, /Path=\//);
    const firstValue = cookie.split(';')[0]!;
    const again = await b.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      headers: { cookie: firstValue, origin: OWN_ORIGIN },
      payload: { email: 'alice@example.test', password: 'alice password' },
    });
    const secondValue = sessionCookieOf(again.headers['set-cookie']).split(';')[0]!;
    assert.notEqual(secondValue, firstValue, 'a login rotates the session');
    const old = await b.app.inject({ method: 'GET', url: '/api/auth/me', headers: { cookie: firstValue } });
    assert.equal(old.statusCode, 401, 'the session a browser arrived with is ended at login');
    assert.equal((await b.app.inject({ method: 'GET', url: '/api/auth/me', headers: { cookie: secondValue } })).statusCode, 200);
  });

  it('refuses a cross-site state change made with a session cookie, and one with no Origin or Referer; a Bearer key needs neither', async () => {
    const cookie = alice.cookie!;
    const generate = (headers: Record<string, string>) =>
      b.app.inject({ method: 'POST', url: '/api/upload-video/generate-url', headers: { cookie, ...headers }, payload: { filename: 'a.mp4', filetype: 'video/mp4' } });
    const crossSite = await generate({ origin: 'https://evil.example' });
    assert.equal(crossSite.statusCode, 403);
    assert.equal(crossSite.json<{ error: { code: string } }>().error.code, 'ORIGIN_NOT_ALLOWED');
    const noOrigin = await generate({});
    assert.equal(noOrigin.statusCode, 403, 'a cookie request without Origin or Referer is refused');
    assert.equal((await generate({ referer: 'https://evil.example/page' })).statusCode, 403, 'a foreign Referer is refused');
    assert.equal((await generate({ referer: `${OWN_ORIGIN}/jobs/x` })).statusCode, 200, 'the app’s own Referer is accepted');
    assert.equal((await generate({ origin: OWN_ORIGIN })).statusCode, 200, 'the app’s own Origin is accepted');
    // A GET with the cookie and no Origin is fine: it changes nothing.
    assert.equal((await b.app.inject({ method: 'GET', url: '/api/upload-video/jobs', headers: { cookie } })).statusCode, 200);

    const key = await createApiKey(b.app, alice, 'cli');
    const byKey = await b.app.inject({
      method: 'POST',
      url: '/api/upload-video/generate-url',
      headers: bearer(key.key),
      payload: { filename: 'a.mp4', filetype: 'video/mp4' },
    });
    assert.equal(byKey.statusCode, 200, 'an API key request needs no Origin');
  });

  it('answers a wrong email and a wrong password alike, and limits failed logins per account', async () => {
    const attempt = (email: string, password: string) => b.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email, password } });
    const noSuchUser = await attempt('nobody@example.test', 'whatever password');
    const wrongPassword = await attempt('bob@example.test', 'not bob password');
    assert.equal(noSuchUser.statusCode, 401);
    assert.equal(wrongPassword.statusCode, 401);
    assert.deepEqual(noSuchUser.json(), wrongPassword.json(), 'the same body: nothing says whether the account exists');
    assert.equal(noSuchUser.json<{ error: { code: string } }>().error.code, 'INVALID_CREDENTIALS');

    // LOGIN_MAX_FAILURES_PER_ACCOUNT=3: bob has one failure; two more and even his right password waits.
    await attempt('bob@example.test', 'wrong again');
    await attempt('BOB@example.test', 'and again');
    const locked = await attempt('bob@example.test', 'bob password');
    assert.equal(locked.statusCode, 429, locked.body);
    assert.equal(locked.json<{ error: { code: string } }>().error.code, 'LOGIN_RATE_LIMITED');
    assert.ok(Number(locked.headers['retry-after']) > 0, 'retry-after says how long');
    assert.equal((await attempt('alice@example.test', 'alice password')).statusCode, 200, 'other accounts are not locked');
    // Bob's existing session is untouched by the lock-out.
    assert.equal((await b.app.inject({ method: 'GET', url: '/api/auth/me', headers: bob })).statusCode, 200);
  });

  it('stores passwords as argon2id and API keys only as hashes; shows a key once; a revoked key stops at once', async () => {
    const [row] = await b.db.query<{ password_hash: string }>(`SELECT password_hash FROM users WHERE email = 'alice@example.test'`);
    assert.match(row!.password_hash, /^\$argon2id\$/);
    assert.ok(await verifyPassword(row!.password_hash, 'alice password'));

    const made = await createApiKey(b.app, alice, 'to revoke');
    assert.match(made.key, /^ecg_[A-Za-z0-9_-]{43}$/);
    const listed = await listApiKeys(b.app, alice);
    assert.ok(listed.keys.some((k) => k.id === made.id && k.prefix === made.key.slice(0, k.prefix.length)));
    assert.ok(!JSON.stringify(listed).includes(made.key), 'the list never shows a key');
    const stored = await b.db.query<{ key_hash: string }>('SELECT key_hash FROM api_keys WHERE id = $1', [made.id]);
    assert.ok(stored[0] && !stored[0].key_hash.includes(made.key), 'the key itself is not stored');

    const jobs = () => b.app.inject({ method: 'GET', url: '/api/upload-video/jobs', headers: bearer(made.key) });
    assert.equal((await jobs()).statusCode, 200);
    assert.equal((await b.app.inject({ method: 'DELETE', url: `/api/auth/api-keys/${made.id}`, headers: bob })).statusCode, 404, 'bob cannot revoke alice’s key');
    assert.equal((await b.app.inject({ method: 'DELETE', url: `/api/auth/api-keys/${made.id}`, headers: alice })).statusCode, 204);
    const afterRevoke = await jobs();
    assert.equal(afterRevoke.statusCode, 401);
    assert.equal(afterRevoke.json<{ error: { code: string } }>().error.code, 'INVALID_API_KEY');
    assert.equal((await b.app.inject({ method: 'GET', url: '/api/upload-video/jobs', headers: bearer('ecg_made-up') })).statusCode, 401);
  });

  it('lets only admins manage users; disabling a user ends their session and stops their keys', async () => {
    const carolAuth = async () => login(b.app, 'carol@example.test', 'carol password');
    const refused = await b.app.inject({ method: 'POST', url: '/api/admin/users', headers: alice, payload: { email: 'x@example.test', password: 'x password 1' } });
    assert.equal(refused.statusCode, 403);
    assert.equal((await b.app.inject({ method: 'GET', url: '/api/admin/users', headers: alice })).statusCode, 403);
    const carol = await createUser(b.app, admin, 'Carol@Example.test', 'carol password');
    assert.equal(carol.email, 'carol@example.test', 'emails are kept lower-cased');
    const dup = await b.app.inject({ method: 'POST', url: '/api/admin/users', headers: admin, payload: { email: 'CAROL@example.test', password: 'another password' } });
    assert.equal(dup.statusCode, 409);
    assert.equal(dup.json<{ error: { code: string } }>().error.code, 'EMAIL_TAKEN');
    const weak = await b.app.inject({ method: 'POST', url: '/api/admin/users', headers: admin, payload: { email: 'dan@example.test', password: 'short' } });
    assert.equal(weak.statusCode, 400);

    const session = await carolAuth();
    const key = await createApiKey(b.app, session, 'carol key');
    const disabled = await b.app.inject({ method: 'PATCH', url: `/api/admin/users/${carol.id}`, headers: admin, payload: { disabled: true } });
    assert.equal(disabled.statusCode, 200);
    assert.equal(disabled.json<User>().disabled, true);
    assert.equal((await b.app.inject({ method: 'GET', url: '/api/auth/me', headers: session })).statusCode, 401, 'her session ended');
    assert.equal((await b.app.inject({ method: 'GET', url: '/api/auth/me', headers: bearer(key.key) })).statusCode, 401, 'her key stopped');
    await assert.rejects(carolAuth(), /401/, 'and she cannot log in');
    const selfDisable = await b.app.inject({ method: 'PATCH', url: `/api/admin/users/${(await me(b.app, admin)).user.id}`, headers: admin, payload: { disabled: true } });
    assert.equal(selfDisable.statusCode, 400, 'an admin cannot lock themselves out');

    await b.app.inject({ method: 'PATCH', url: `/api/admin/users/${carol.id}`, headers: admin, payload: { disabled: false } });
    assert.equal((await carolAuth()).cookie !== undefined, true, 'enabled again, she can log in');
    const users = (await b.app.inject({ method: 'GET', url: '/api/admin/users', headers: admin })).json<{ users: User[] }>().users;
    assert.deepEqual(users.map((u) => u.email).sort(), ['admin@example.test', 'alice@example.test', 'bob@example.test', 'carol@example.test']);
  });

  it('ends a session left unused past SESSION_TTL_HOURS, and the sweep removes it', async () => {
    const session = await login(b.app, 'alice@example.test', 'alice password');
    const count = async () => (await b.db.query<{ n: number }>('SELECT count(*)::int AS n FROM sessions'))[0]?.n ?? 0;
    const before = await count();
    // As if the session had last been used longer ago than its idle lifetime.
    const token = session.cookie!.split('=')[1]!;
    await b.db.query(`UPDATE sessions SET expires_at = now() - interval '1 second' WHERE token_hash = $1`, [sha256Hex(token)]);
    assert.equal((await b.app.inject({ method: 'GET', url: '/api/auth/me', headers: session })).statusCode, 401);
    await b.app.retentionSweep.tick();
    assert.equal(await count(), before - 1, 'the expired session’s row is gone');
  });

  it('signs out: the session is ended on the server, not only in the browser', async () => {
    const session = await login(b.app, 'alice@example.test', 'alice password');
    const out = await b.app.inject({ method: 'POST', url: '/api/auth/logout', headers: session });
    assert.equal(out.statusCode, 204);
    assert.match(String(out.headers['set-cookie']), new RegExp(`${SESSION_COOKIE}=;`));
    assert.equal((await b.app.inject({ method: 'GET', url: '/api/auth/me', headers: session })).statusCode, 401);
  });
});

describe('the session cookie behind https', () => {
  it('is Secure when PUBLIC_URL is https', async () => {
    const b = await startTestBackend({ env: { ...AUTH_ENV, PUBLIC_URL: 'https://ecg.example.com' } });
    try {
      const res = await b.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        headers: { host: 'ecg.example.com' },
        payload: { email: ADMIN.email, password: ADMIN.password },
      });
      assert.equal(res.statusCode, 200, res.body);
      assert.match(sessionCookieOf(res.headers['set-cookie']), /;\s*Secure/i);
    } finally {
      await b.destroy();
    }
  });
});

describe('the first admin from the setup page', () => {
  let b: TestBackend;
  before(async () => {
    b = await startTestBackend({ env: { ECG_AUTH: 'off' } });
  });
  after(async () => {
    await b?.destroy();
  });

  it('is offered once, only to a local browser, and takes over the jobs made before accounts', async () => {
    // Jobs from the single-user days (ECG_AUTH=off) belong to `anonymous`.
    const oldJob = await queuedJob(b.app, 'before-accounts.mp4');
    await b.stop();
    const withAuth = await startTestBackend({ dataDir: b.dataDir, env: { ECG_AUTH: 'on', ALLOWED_HOSTS: 'ecg.example.com' } });
    b = withAuth;
    const status = async (headers: Record<string, string> = {}) =>
      (await b.app.inject({ method: 'GET', url: '/api/auth/setup', headers })).json<SetupStatus>();
    assert.deepEqual(await status(), { auth_enabled: true, setup_available: true });
    assert.equal((await status({ 'x-forwarded-for': '203.0.113.9' })).setup_available, false, 'not through a proxy');
    assert.equal((await status({ host: 'ecg.example.com' })).setup_available, false, 'not under a public name');
    const remote = await b.app.inject({
      method: 'POST',
      url: '/api/auth/setup',
      headers: { 'x-forwarded-for': '203.0.113.9' },
      payload: { email: 'first@example.test', password: 'first admin password' },
    });
    assert.equal(remote.statusCode, 409);

    const made = await b.app.inject({ method: 'POST', url: '/api/auth/setup', payload: { email: 'first@example.test', password: 'first admin password' } });
    assert.equal(made.statusCode, 200, made.body);
    const session = made.json<AuthSession>();
    assert.equal(session.user.role, 'admin');
    const cookie = sessionCookieOf(made.headers['set-cookie']).split(';')[0]!;
    const listed = (await b.app.inject({ method: 'GET', url: '/api/upload-video/jobs', headers: { cookie } })).json<JobListResponse>();
    assert.deepEqual(listed.jobs.map((j) => j.job_id), [oldJob], 'the first admin owns the jobs from before');
    assert.equal((await status()).setup_available, false, 'setup is done once');
    const second = await b.app.inject({ method: 'POST', url: '/api/auth/setup', payload: { email: 'second@example.test', password: 'second admin password' } });
    assert.equal(second.statusCode, 409);
    assert.equal(second.json<{ error: { code: string } }>().error.code, 'SETUP_NOT_AVAILABLE');
  });

  it('with ECG_AUTH=off needs no login anywhere and says so', async () => {
    const off = await startTestBackend({ env: { ECG_AUTH: 'off' } });
    try {
      const who = await off.app.inject({ method: 'GET', url: '/api/auth/me' });
      assert.equal(who.statusCode, 200);
      assert.deepEqual(who.json<AuthSession>().user, { id: 'anonymous', email: null, role: 'admin' });
      assert.equal(who.json<AuthSession>().auth_enabled, false);
      assert.equal((await off.app.inject({ method: 'GET', url: '/api/upload-video/jobs' })).statusCode, 200);
      const key = await uploadAs(off.app, {}, 'single-user.mp4');
      assert.ok(key.startsWith('videos/anonymous/'), key);
      assert.equal((await off.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: 'a@b.c', password: 'x' } })).statusCode, 409);
    } finally {
      await off.destroy();
    }
  });
});
