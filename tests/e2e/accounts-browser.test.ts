/**
 * Accounts through a real browser (ECG_AUTH=on): a person signs in, uploads a
 * video that whisper.cpp transcribes, sees only their own jobs (another
 * user's job exists on the same server), and signs out, after which the
 * server no longer lets that browser in.
 *
 * Runs the real backend and ML processes (tests/helpers/stack.ts), the web
 * app built by Vite, and Debian's Chromium through playwright-core.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import type { CreatedApiKey, GenerateUrlResponse, JobListResponse, RequestProcessResponse } from '@ecg/contracts';
import type { Stack } from '../helpers/stack.js';
import { inWindow, launchChromium, waitForText } from '../helpers/browser.js';
import { startTranscribingSession } from '../helpers/transcribing-session.js';

const ADMIN = { email: 'admin@example.test', password: 'admin passphrase' };
const ALICE = { email: 'alice@example.test', password: 'alice passphrase' };
const BOB = { email: 'bob@example.test', password: 'bob passphrase' };
const BOBS_FILE = 'bobs-private-meeting.mp4';
const JOB_PATH = /\/jobs\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let stack: Stack | undefined;
let browser: Browser | undefined;
let work: string;
let videoPath: string;
let bobsJob: string;

/** Signs in with fetch, as a script would, and answers the session cookie. */
async function sessionOf(url: string, who: { email: string; password: string }): Promise<string> {
  const res = await fetch(`${url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(who) });
  assert.equal(res.status, 200, `login of ${who.email}: ${await res.text()}`);
  return res.headers.getSetCookie().find((c) => c.startsWith('ecg_session='))!.split(';')[0]!;
}

async function api<T>(url: string, path: string, init: { method?: string; headers: Record<string, string>; body?: unknown }): Promise<T> {
  const res = await fetch(`${url}${path}`, {
    method: init.method ?? 'GET',
    headers: { ...init.headers, ...(init.body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  const text = await res.text();
  assert.ok(res.ok, `${init.method ?? 'GET'} ${path} answered ${res.status}: ${text}`);
  return JSON.parse(text) as T;
}

before(async () => {
  ({ work, videoPath, stack } = await startTranscribingSession('ecg-accounts-browser-', {
    ECG_AUTH: 'on',
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
  }));
  const url = stack.backendUrl;
  const admin = { cookie: await sessionOf(url, ADMIN), origin: url };
  for (const who of [ALICE, BOB]) await api(url, '/api/admin/users', { method: 'POST', headers: admin, body: { ...who, role: 'user' } });

  // Bob's job, made through the API with his key: it must never show up for Alice.
  const bob = { cookie: await sessionOf(url, BOB), origin: url };
  const key = await api<CreatedApiKey>(url, '/api/auth/api-keys', { method: 'POST', headers: bob, body: { name: 'uploader' } });
  const asBob = { authorization: `Bearer ${key.key}` };
  const grant = await api<GenerateUrlResponse>(url, '/api/upload-video/generate-url', { method: 'POST', headers: asBob, body: { filename: BOBS_FILE, filetype: 'video/mp4' } });
  const put = await fetch(grant.url, { method: grant.method, headers: grant.headers, body: readFileSync(videoPath) });
  assert.ok(put.ok, `Bob's upload: ${put.status}`);
  bobsJob = (await api<RequestProcessResponse>(url, '/api/upload-video/request-process', { method: 'POST', headers: asBob, body: { fileKey: grant.fileKey } })).jobId;
  browser = await launchChromium();
});

after(async () => {
  await browser?.close().catch(() => undefined);
  await stack?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

function inBrowser(name: string, fn: (page: Page, s: Stack) => Promise<void>): Promise<void> {
  assert.ok(stack && browser, 'the stack and browser start in before()');
  const s = stack;
  return inWindow(browser, name, s.logs, (page) => fn(page, s));
}

test('a person signs in, uploads, sees only their own jobs, and signs out', async () => {
  await inBrowser('accounts', async (page, s) => {
    // 1. Signed out, the app asks for a login before anything else.
    await page.goto(`${s.backendUrl}/`);
    await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    await page.getByLabel('Email').fill(ALICE.email);
    await page.getByLabel('Password').fill('not her password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await waitForText(page.getByRole('alert').first(), (t) => t.includes('The email or password is not right'), 'the wrong-password message');
    await page.getByLabel('Password').fill(ALICE.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Turn a video into captions' }).waitFor();
    const menu = page.getByRole('button', { name: `Account: ${ALICE.email}` });
    await menu.waitFor();

    // 2. Upload through the file picker; whisper.cpp transcribes it.
    const chooser = page.waitForEvent('filechooser');
    await page.getByRole('button', { name: /^Choose (a|another) file$/ }).click();
    await (await chooser).setFiles(videoPath);
    await page.getByLabel('Spoken language').selectOption('en');
    await page.getByRole('button', { name: 'Upload and transcribe' }).click();
    await page.waitForURL(JOB_PATH, { timeout: 30_000 });
    const jobId = new URL(page.url()).pathname.split('/').at(-1)!;
    await page.getByRole('region', { name: 'Captions, in time order' }).getByRole('listitem').first().waitFor({ timeout: 90_000 });

    // 3. The recent jobs list holds her job and not Bob's, though both are on this server.
    await page.goto(`${s.backendUrl}/`);
    const recent = page.getByRole('region', { name: 'Recent jobs' });
    await waitForText(recent, (t) => t.includes('jfk-speech.mp4'), 'her job in the recent list');
    assert.ok(!(await recent.innerText()).includes(BOBS_FILE), 'Bob’s job is not listed for Alice');
    const hers = await page.evaluate(`fetch('/api/upload-video/jobs').then((r) => r.json())`) as JobListResponse;
    assert.deepEqual(hers.jobs.map((j) => j.job_id), [jobId], 'the server lists her one job for her session');
    const peek = (await page.evaluate(`fetch('/api/upload-video/result/${bobsJob}').then((r) => r.status)`)) as number;
    assert.equal(peek, 404, 'Bob’s job answers 404 to her session');

    // 4. Sign out from the user menu: back to the login page, and the old session is dead on the server.
    await menu.click();
    await page.getByRole('menuitem', { name: 'Sign out' }).click();
    await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    const status = (await page.evaluate(`fetch('/api/upload-video/jobs').then((r) => r.status)`)) as number;
    assert.equal(status, 401, 'after signing out the browser gets 401');
    await page.goto(`${s.backendUrl}/jobs/${jobId}`);
    await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
  });
});
