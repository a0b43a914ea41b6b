import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import type { AuthSession } from '@ecg/contracts';
import { ApiError, errorFromReply, NO_BODY, onAuthenticationRequired, requestJson } from '../src/api/http.js';
import { en, type MessageKey } from '../src/i18n/en.js';
import { ko } from '../src/i18n/ko.js';
import { format, type Vars } from '../src/i18n/translate.js';
import { loginProblems, newAccountProblems, PASSWORD_MIN } from '../src/lib/account-fields.js';
import { formatDate, formatDateTime } from '../src/lib/format.js';
import { loginFailureLine } from '../src/lib/login-failure.js';
import { parseRetryAfter, waitSpan } from '../src/lib/retry-after.js';
import { loginPath, returnPathFrom, safeReturnPath } from '../src/lib/return-path.js';
import { matchRoute } from '../src/lib/routes.js';
import { screenFor, sessionReducer, SINGLE_USER_SESSION, type SessionState } from '../src/lib/session-state.js';

const tIn = (messages: typeof en | typeof ko) => (key: MessageKey, vars?: Vars) => format(messages[key], vars);

const alice: AuthSession = {
  auth_enabled: true,
  user: { id: 'u1', email: 'alice@example.com', role: 'user' },
  via: 'session',
  storage_bytes: 1234,
  job_count: 3,
};
const signedIn: SessionState = { status: 'signed-in', session: alice };
const signedOut: SessionState = { status: 'signed-out', setupAvailable: false, expired: false };
const setupOpen: SessionState = { status: 'signed-out', setupAvailable: true, expired: false };

describe('session state', () => {
  test('a session from /api/auth/me, or from login, signs in', () => {
    assert.deepEqual(sessionReducer({ status: 'loading' }, { type: 'me', session: alice }), signedIn);
    assert.deepEqual(sessionReducer(signedOut, { type: 'signed-in', session: alice }), signedIn);
  });

  test('a backend from before accounts (404 on /api/auth/me) is single-user mode, not an error', () => {
    const s = sessionReducer({ status: 'loading' }, { type: 'me-failed', code: 'NOT_FOUND' });
    assert.deepEqual(s, { status: 'signed-in', session: SINGLE_USER_SESSION });
    assert.equal(SINGLE_USER_SESSION.auth_enabled, false);
  });

  test('an unreachable backend is shown as such, and retrying starts over', () => {
    const s = sessionReducer({ status: 'loading' }, { type: 'me-failed', code: 'NETWORK_ERROR' });
    assert.deepEqual(s, { status: 'unreachable', code: 'NETWORK_ERROR' });
    assert.deepEqual(sessionReducer(s, { type: 'retry' }), { status: 'loading' });
  });

  test('a later 401 ends the session and says it expired; signing out does not', () => {
    assert.deepEqual(sessionReducer(signedIn, { type: 'auth-required' }), { status: 'signed-out', setupAvailable: false, expired: true });
    assert.deepEqual(sessionReducer(signedIn, { type: 'signed-out' }), signedOut);
  });

  test('a 401 while not signed in changes nothing (the start-up check and the login page handle their own)', () => {
    for (const s of [{ status: 'loading' } as const, signedOut, setupOpen]) assert.equal(sessionReducer(s, { type: 'auth-required' }), s);
  });

  test('no session leads to setup while the first admin can be created, else to login', () => {
    assert.deepEqual(sessionReducer({ status: 'loading' }, { type: 'me-unauthenticated', setupAvailable: true }), setupOpen);
    assert.deepEqual(sessionReducer({ status: 'loading' }, { type: 'me-unauthenticated', setupAvailable: false }), signedOut);
  });
});

describe('which screen to show', () => {
  const at = (state: SessionState, url: string) => {
    const u = new URL(url, 'http://x');
    return screenFor(state, matchRoute(u.pathname), u.pathname, u.search);
  };

  test('signed out, any page goes to the login page, which remembers it', () => {
    assert.deepEqual(at(signedOut, '/jobs/abc?x=1'), { screen: 'login', redirect: '/login?next=%2Fjobs%2Fabc%3Fx%3D1' });
    assert.deepEqual(at(signedOut, '/account'), { screen: 'login', redirect: '/login?next=%2Faccount' });
    assert.deepEqual(at(signedOut, '/'), { screen: 'login', redirect: '/login' });
    assert.deepEqual(at(signedOut, '/login?next=%2Faccount'), { screen: 'login' });
    assert.deepEqual(at(signedOut, '/setup'), { screen: 'login', redirect: '/login' });
  });

  test('while setup is available every page leads to setup, login included', () => {
    assert.deepEqual(at(setupOpen, '/jobs/abc'), { screen: 'setup', redirect: '/setup' });
    assert.deepEqual(at(setupOpen, '/login'), { screen: 'setup', redirect: '/setup' });
    assert.deepEqual(at(setupOpen, '/setup'), { screen: 'setup' });
  });

  test('signed in, the login page returns to the remembered page, and setup to the start page', () => {
    assert.deepEqual(at(signedIn, '/login?next=%2Fjobs%2Fabc%3Fx%3D1'), { screen: 'app', redirect: '/jobs/abc?x=1' });
    assert.deepEqual(at(signedIn, '/login'), { screen: 'app', redirect: '/' });
    assert.deepEqual(at(signedIn, '/setup'), { screen: 'app', redirect: '/' });
    assert.deepEqual(at(signedIn, '/jobs/abc'), { screen: 'app' });
  });

  test('single-user mode never shows a sign-in page', () => {
    const single: SessionState = { status: 'signed-in', session: SINGLE_USER_SESSION };
    assert.deepEqual(at(single, '/'), { screen: 'app' });
    assert.deepEqual(at(single, '/login'), { screen: 'app', redirect: '/' });
  });

  test('loading and unreachable show themselves wherever the person is', () => {
    assert.deepEqual(at({ status: 'loading' }, '/jobs/abc'), { screen: 'loading' });
    assert.deepEqual(at({ status: 'unreachable', code: 'NETWORK_ERROR' }, '/account'), { screen: 'unreachable' });
  });
});

describe('return path after signing in', () => {
  test('keeps a path on this site with its query and fragment', () => {
    assert.equal(safeReturnPath('/jobs/abc?tab=2#c5'), '/jobs/abc?tab=2#c5');
    assert.equal(returnPathFrom('?next=%2Faccount'), '/account');
    assert.equal(loginPath('/admin/users'), '/login?next=%2Fadmin%2Fusers');
  });

  test('refuses addresses that would leave the site', () => {
    for (const next of ['https://evil.example/', '//evil.example/x', '/\\evil.example', '/\t/evil.example', 'javascript:alert(1)', 'jobs/abc', '']) {
      assert.equal(safeReturnPath(next), '/', next);
    }
    assert.equal(safeReturnPath(null), '/');
    assert.equal(returnPathFrom('?next=https%3A%2F%2Fevil.example'), '/');
  });

  test('never returns to the sign-in pages themselves, and drops the start page from the login address', () => {
    assert.equal(safeReturnPath('/login?next=%2Flogin'), '/');
    assert.equal(safeReturnPath('/setup/'), '/');
    assert.equal(loginPath('/'), '/login');
    assert.equal(loginPath('/login?next=%2Fx'), '/login');
  });
});

describe('routes for accounts', () => {
  test('maps the sign-in, account and users pages, with or without a trailing slash', () => {
    assert.deepEqual(matchRoute('/login'), { page: 'login' });
    assert.deepEqual(matchRoute('/setup'), { page: 'setup' });
    assert.deepEqual(matchRoute('/account/'), { page: 'account' });
    assert.deepEqual(matchRoute('/admin/users'), { page: 'admin-users' });
    assert.deepEqual(matchRoute('/admin'), { page: 'missing' });
    assert.deepEqual(matchRoute('/admin/users/u1'), { page: 'missing' });
  });
});

describe('Retry-After and the wait a person is told', () => {
  const now = Date.parse('2026-12-01T12:00:00Z');

  test('reads delay-seconds and HTTP-dates, and nothing else', () => {
    assert.equal(parseRetryAfter('120', now), 120);
    assert.equal(parseRetryAfter(' 0 ', now), 0);
    assert.equal(parseRetryAfter('Tue, 01 Dec 2026 12:01:30 GMT', now), 90);
    assert.equal(parseRetryAfter('Tue, 01 Dec 2026 11:00:00 GMT', now), 0);
    assert.equal(parseRetryAfter(null, now), null);
    assert.equal(parseRetryAfter('soon', now), null);
    assert.equal(parseRetryAfter('-5', now), null);
    assert.equal(parseRetryAfter('1.5', now), null);
  });

  test('rounds the wait up, so the person never tries too early', () => {
    assert.equal(waitSpan(45, 'en'), '45 sec');
    assert.equal(waitSpan(0.2, 'en'), '1 sec');
    assert.equal(waitSpan(61, 'en'), '2 min');
    assert.equal(waitSpan(900, 'en'), '15 min');
    assert.equal(waitSpan(3601, 'en'), '1 hr 1 min');
  });

  test('an error reply carries the wait from its Retry-After header', () => {
    const body = { error: { code: 'LOGIN_RATE_LIMITED', message: 'too many' } };
    const err = errorFromReply(429, body, new Headers({ 'retry-after': '300' }));
    assert.equal(err.code, 'LOGIN_RATE_LIMITED');
    assert.equal(err.retryAfterSeconds, 300);
    assert.equal(errorFromReply(401, { error: { code: 'INVALID_CREDENTIALS', message: 'no' } }).retryAfterSeconds, null);
  });
});

describe('login failures in words', () => {
  test('one message for a wrong email or password', () => {
    assert.equal(loginFailureLine({ code: 'INVALID_CREDENTIALS', retryAfterSeconds: null }, tIn(en), 'en'), en['login.invalid']);
  });

  test('names the wait the server asked for, in the interface language', () => {
    assert.equal(
      loginFailureLine({ code: 'LOGIN_RATE_LIMITED', retryAfterSeconds: 300 }, tIn(en), 'en'),
      'Too many failed sign-ins. Try again in 5 min.',
    );
    assert.equal(loginFailureLine({ code: 'LOGIN_RATE_LIMITED', retryAfterSeconds: 300 }, tIn(ko), 'ko'), '로그인에 너무 여러 번 실패했습니다. 5분 뒤에 다시 시도하세요.');
    assert.equal(loginFailureLine({ code: 'LOGIN_RATE_LIMITED', retryAfterSeconds: null }, tIn(en), 'en'), en['login.rateLimited']);
  });

  test('leaves other failures to the general error notice', () => {
    assert.equal(loginFailureLine({ code: 'NETWORK_ERROR', retryAfterSeconds: null }, tIn(en), 'en'), null);
  });
});

describe('account forms', () => {
  test('a new account needs a real address and a long enough password, typed the same twice', () => {
    assert.deepEqual(newAccountProblems({ email: 'a@example.com', password: 'correct horse', confirm: 'correct horse' }), []);
    assert.deepEqual(newAccountProblems({ email: ' A@Example.com ', password: 'x'.repeat(PASSWORD_MIN) }), []);
    assert.deepEqual(
      newAccountProblems({ email: 'not-an-address', password: 'short', confirm: 'short' }).map(([field, p]) => [field, p.key, p.vars]),
      [
        ['email', 'field.emailInvalid', undefined],
        ['password', 'field.passwordShort', { min: 8 }],
      ],
    );
    assert.deepEqual(
      newAccountProblems({ email: '', password: 'correct horse', confirm: 'correct hose' }).map(([field, p]) => [field, p.key]),
      [
        ['email', 'field.emailMissing'],
        ['confirm', 'field.passwordMismatch'],
      ],
    );
    assert.equal(newAccountProblems({ email: 'a@example.com', password: 'x'.repeat(257) })[0]?.[1].key, 'field.passwordLong');
  });

  test('the login form asks only that both fields are filled', () => {
    assert.deepEqual(loginProblems({ email: 'not-an-address', password: 'x' }), []);
    assert.deepEqual(
      loginProblems({ email: '  ', password: '' }).map(([field]) => field),
      ['email', 'password'],
    );
  });
});

describe('a 401 from any request', () => {
  const realFetch = globalThis.fetch;
  afterEach(() => {
    globalThis.fetch = realFetch;
  });
  const answer = (status: number, body: unknown) => {
    globalThis.fetch = () => Promise.resolve(new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } }));
  };

  test('tells the session listeners once, and still rejects the call with the code', async () => {
    const heard: string[] = [];
    const stop = onAuthenticationRequired((err) => heard.push(err.code));
    answer(401, { error: { code: 'AUTHENTICATION_REQUIRED', message: 'sign in' } });
    await assert.rejects(requestJson('/api/upload-video/jobs', NO_BODY), (err) => err instanceof ApiError && err.code === 'AUTHENTICATION_REQUIRED');
    assert.deepEqual(heard, ['AUTHENTICATION_REQUIRED']);
    stop();
    await assert.rejects(requestJson('/api/upload-video/jobs', NO_BODY));
    assert.equal(heard.length, 1, 'an unsubscribed listener hears nothing');
  });

  test('other failures, a wrong password included, do not end the session', async () => {
    let heard = 0;
    const stop = onAuthenticationRequired(() => heard++);
    answer(401, { error: { code: 'INVALID_CREDENTIALS', message: 'no' } });
    await assert.rejects(requestJson('/api/auth/login', NO_BODY, { method: 'POST', json: {} }));
    answer(403, { error: { code: 'FORBIDDEN', message: 'admins only' } });
    await assert.rejects(requestJson('/api/admin/users', NO_BODY));
    stop();
    assert.equal(heard, 0);
  });
});

describe('dates on the account pages', () => {
  test('shows a day, or a day and time, in the locale, and nothing for an unreadable one', () => {
    // Local noon, so the day and hour are the same in whatever zone the tests run.
    const noon = new Date(2026, 10, 20, 12, 0).toISOString();
    assert.equal(formatDate(noon, 'en-US'), 'Nov 20, 2026');
    assert.equal(formatDate(noon, 'ko'), '2026. 11. 20.');
    assert.match(formatDateTime(noon, 'en-US'), /^Nov 20, 2026, 12:00\s?PM$/);
    assert.equal(formatDate('yesterday', 'en'), '');
    assert.equal(formatDateTime('', 'en'), '');
  });
});
