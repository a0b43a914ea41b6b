/**
 * Webhooks are signed with their job owner's own secret (GET
 * /api/auth/webhook-secret), so one user's receiver cannot be fooled by
 * another user who knows their own secret; while ECG_AUTH=off the single
 * anonymous user's webhooks are signed with WEBHOOK_SECRET.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CALLBACK_SIGNATURE_HEADER, CALLBACK_TIMESTAMP_HEADER, WebhookEvent, WebhookSecret } from '@ecg/contracts';
import { verifyCallback } from '@ecg/signing';
import type { App } from '../src/app.js';
import { ADMIN, AUTH_ENV, createUser, login, uploadAs, type Credentials } from './helpers/accounts.js';
import { deliverResult } from './helpers/completed-job.js';
import { startTestBackend, type TestBackend } from './helpers/test-backend.js';
import { uploadFile } from './helpers/upload.js';
import { WEBHOOK_TEST_RESULT, WebhookReceiver, type ReceivedWebhook } from './helpers/webhook-receiver.js';

const WEBHOOK_SECRET = 'test-webhook-secret-of-anonymous';

const RESULT = WEBHOOK_TEST_RESULT;



function verifiesWith(secret: string, r: ReceivedWebhook): boolean {
  const verdict = verifyCallback(secret, r.raw, r.headers[CALLBACK_TIMESTAMP_HEADER] as string, r.headers[CALLBACK_SIGNATURE_HEADER] as string);
  return verdict.ok;
}

async function webhookSecretOf(app: App, creds: Credentials): Promise<string> {
  const res = await app.inject({ method: 'GET', url: '/api/auth/webhook-secret', headers: creds });
  assert.equal(res.statusCode, 200, res.body);
  assert.equal(res.headers['cache-control'], 'no-store');
  return WebhookSecret.parse(res.json()).secret;
}

/** Asks for processing of `fileKey` as `creds`' user, with a webhook to `callbackUrl`; returns the job id. */
async function jobWithCallback(app: App, creds: Credentials, fileKey: string, callbackUrl: string): Promise<string> {
  const res = await app.inject({
    method: 'POST',
    url: '/api/upload-video/request-process',
    headers: creds,
    payload: { fileKey, callback_url: callbackUrl },
  });
  assert.equal(res.statusCode, 200, res.body);
  return res.json<{ jobId: string }>().jobId;
}

describe('webhooks with accounts (ECG_AUTH=on)', () => {
  const receiver = new WebhookReceiver();
  let backend: TestBackend;
  let app: App;
  let alice: Credentials;
  let bob: Credentials;

  before(async () => {
    await receiver.listen();
    backend = await startTestBackend({ env: { ...AUTH_ENV, WEBHOOK_SECRET, WEBHOOK_ALLOWED_ORIGINS: receiver.origin } });
    app = backend.app;
    const admin = await login(app, ADMIN.email, ADMIN.password);
    await createUser(app, admin, 'alice@example.test', 'alice password');
    await createUser(app, admin, 'bob@example.test', 'bob password');
    alice = await login(app, 'alice@example.test', 'alice password');
    bob = await login(app, 'bob@example.test', 'bob password');
  });
  after(async () => {
    await backend?.destroy();
    await receiver.close();
  });

  it('gives every user a webhook secret of their own, the same on every read', async () => {
    const a = await webhookSecretOf(app, alice);
    const b = await webhookSecretOf(app, bob);
    assert.notEqual(a, b);
    assert.notEqual(a, WEBHOOK_SECRET, 'a user’s secret is not the anonymous one');
    assert.notEqual(b, WEBHOOK_SECRET);
    assert.ok(a.length >= 32 && b.length >= 32, 'long enough to be a key');
    assert.equal(await webhookSecretOf(app, alice), a);
    const anonymous = await app.inject({ method: 'GET', url: '/api/auth/webhook-secret' });
    assert.equal(anonymous.statusCode, 401, 'no secret without signing in');
  });

  it('signs each user’s webhook with that user’s secret, which the other user’s secret does not verify', async () => {
    const aliceSecret = await webhookSecretOf(app, alice);
    const bobSecret = await webhookSecretOf(app, bob);
    const aliceJob = await jobWithCallback(app, alice, await uploadAs(app, alice, 'alice.mp4'), `${receiver.origin}/hooks/alice`);
    const bobJob = await jobWithCallback(app, bob, await uploadAs(app, bob, 'bob.mp4'), `${receiver.origin}/hooks/bob`);
    await deliverResult(app, aliceJob, RESULT);
    await deliverResult(app, bobJob, RESULT);
    await app.webhookSender.tick();

    const toAlice = await receiver.eventFor(aliceJob);
    const toBob = await receiver.eventFor(bobJob);
    assert.deepEqual(WebhookEvent.parse(JSON.parse(toAlice.raw)), {
      job_id: aliceJob,
      status: 'completed',
      result_url: `${backend.config.publicUrl}/api/upload-video/result/${aliceJob}`,
    });
    assert.equal(verifiesWith(aliceSecret, toAlice), true, 'Alice’s webhook verifies with Alice’s secret');
    assert.equal(verifiesWith(bobSecret, toAlice), false, 'and not with Bob’s');
    assert.equal(verifiesWith(WEBHOOK_SECRET, toAlice), false, 'nor with WEBHOOK_SECRET');
    assert.equal(verifiesWith(bobSecret, toBob), true, 'Bob’s webhook verifies with Bob’s secret');
    assert.equal(verifiesWith(aliceSecret, toBob), false, 'and not with Alice’s');
    assert.equal(verifiesWith(WEBHOOK_SECRET, toBob), false, 'nor with WEBHOOK_SECRET');
  });
});

describe('webhooks without accounts (ECG_AUTH=off)', () => {
  const receiver = new WebhookReceiver();
  let backend: TestBackend;
  let app: App;

  before(async () => {
    await receiver.listen();
    backend = await startTestBackend({ env: { ECG_AUTH: 'off', WEBHOOK_SECRET, WEBHOOK_ALLOWED_ORIGINS: receiver.origin } });
    app = backend.app;
  });
  after(async () => {
    await backend?.destroy();
    await receiver.close();
  });

  it('signs an anonymous job’s webhook with WEBHOOK_SECRET, which GET /api/auth/webhook-secret shows', async () => {
    assert.equal(backend.config.webhooks.secret, WEBHOOK_SECRET);
    assert.equal(await webhookSecretOf(app, {}), WEBHOOK_SECRET);
    const fileKey = await uploadFile(app, 'solo.mp4', 'video/mp4', Buffer.from('video bytes'));
    assert.ok(fileKey.startsWith('videos/anonymous/'), fileKey);
    const job = await jobWithCallback(app, {}, fileKey, `${receiver.origin}/hook`);
    await deliverResult(app, job, RESULT);
    await app.webhookSender.tick();
    const event = await receiver.eventFor(job);
    assert.equal(WebhookEvent.parse(JSON.parse(event.raw)).status, 'completed');
    assert.equal(verifiesWith(WEBHOOK_SECRET, event), true);
    assert.equal(verifiesWith('some-other-secret', event), false);
  });
});
