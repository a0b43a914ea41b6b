import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { CALLBACK_SIGNATURE_HEADER, CALLBACK_TIMESTAMP_HEADER, WebhookEvent } from '@ecg/contracts';
import { verifyCallback } from '@ecg/signing';
import { buildApp, type App } from '../src/app.js';
import { runMigrations } from '../src/db/migrate.js';
import type { Db } from '../src/db/db.js';
import { JobRepository } from '../src/jobs/job-repository.js';
import type { ResolveHost } from '../src/webhooks/post-webhook.js';
import { deliverFailure, deliverResult } from './helpers/completed-job.js';
import { startTestBackend, type TestBackend } from './helpers/test-backend.js';
import { TEST_DATABASES, type TestDatabase } from './helpers/test-databases.js';
import { uploadFile } from './helpers/upload.js';
import { WEBHOOK_TEST_RESULT, WebhookReceiver } from './helpers/webhook-receiver.js';

const WEBHOOK_SECRET = 'test-webhook-secret';

const RESULT = WEBHOOK_TEST_RESULT;



interface Delivery {
  attempts: number;
  delivered_at: Date | null;
  given_up_at: Date | null;
  last_error: string | null;
}

async function deliveryOf(db: Db, jobId: string): Promise<Delivery | undefined> {
  const rows = await db.query<Delivery>('SELECT attempts, delivered_at, given_up_at, last_error FROM webhook_deliveries WHERE job_id = $1', [jobId]);
  return rows[0];
}

const errorCode = (body: string) => (JSON.parse(body) as { error: { code: string } }).error.code;

for (const { driver, open } of TEST_DATABASES) {
  describe(`webhooks on ${driver}`, () => {
    let pg: TestDatabase | undefined;
    let backend: TestBackend;
    let app: App;
    let db: Db;
    const receiver = new WebhookReceiver();
    // The resolver the sender uses: names map to whatever a test says (a DNS server it controls).
    const dns = new Map<string, string>();
    const resolveHost: ResolveHost = async (host) => {
      const address = dns.get(host);
      if (!address) throw Object.assign(new Error(`no such host ${host}`), { code: 'ENOTFOUND' });
      return [{ address, family: address.includes(':') ? 6 : 4 }];
    };

    before(async () => {
      await receiver.listen();
      if (driver === 'postgres') {
        pg = await open();
        await runMigrations(pg.db);
      }
      backend = await startTestBackend({ env: { WEBHOOK_SECRET, WEBHOOK_ALLOWED_ORIGINS: receiver.origin } });
      db = pg?.db ?? backend.db;
      // The same configuration and storage, with the test's resolver and no backoff (retries are due at once).
      app = await buildApp({ config: backend.config, db, storage: backend.storage, resolveHost, webhookRetryDelayMs: () => 0 });
      await app.ready();
    });
    beforeEach(async () => {
      receiver.received.length = 0;
      receiver.replies = [];
      dns.clear();
      await db.query('DELETE FROM jobs');
    });
    after(async () => {
      await app.close();
      await backend.stop();
      await pg?.cleanup();
      await receiver.close();
    });

    async function jobWithCallback(name: string, callbackUrl: string | undefined): Promise<string> {
      const fileKey = await uploadFile(app, name, 'video/mp4', Buffer.from(`bytes of ${name}`));
      const res = await app.inject({
        method: 'POST',
        url: '/api/upload-video/request-process',
        payload: { fileKey, ...(callbackUrl ? { callback_url: callbackUrl } : {}) },
      });
      assert.equal(res.statusCode, 200, res.body);
      return res.json<{ jobId: string }>().jobId;
    }

    it('sends exactly one signed POST per ended job, verifiable with the secret and matching WebhookEvent', async () => {
      const done = await jobWithCallback('done.mp4', `${receiver.origin}/hooks/ecg?src=test`);
      const failed = await jobWithCallback('bad.mp4', `${receiver.origin}/hooks/ecg`);
      const silent = await jobWithCallback('quiet.mp4', undefined);
      await deliverResult(app, done, RESULT);
      await deliverFailure(app, failed, 'TRANSCRIPTION_ERROR', 'whisper crashed');
      await deliverResult(app, silent, RESULT);
      // A replayed end changes nothing and queues nothing more.
      await deliverResult(app, done, RESULT);

      app.webhookSender.start();
      try {
        for (const id of [done, failed]) {
          const deadline = Date.now() + 15_000;
          while (!(await deliveryOf(db, id))?.delivered_at) {
            if (Date.now() > deadline) throw new Error(`webhook of ${id} not delivered`);
            await new Promise((r) => setTimeout(r, 25));
          }
        }
      } finally {
        await app.webhookSender.stop();
      }
      await app.webhookSender.tick();

      assert.equal(receiver.received.length, 2, 'one POST per ended job with a callback_url, none for the job without');
      assert.equal(await deliveryOf(db, silent), undefined);
      const events = receiver.received.map((r) => {
        const verdict = verifyCallback(
          WEBHOOK_SECRET,
          r.raw,
          r.headers[CALLBACK_TIMESTAMP_HEADER] as string,
          r.headers[CALLBACK_SIGNATURE_HEADER] as string,
        );
        assert.deepEqual(verdict, { ok: true });
        assert.notDeepEqual(verifyCallback('another-secret', r.raw, r.headers[CALLBACK_TIMESTAMP_HEADER] as string, r.headers[CALLBACK_SIGNATURE_HEADER] as string), { ok: true });
        assert.equal(r.headers['content-type'], 'application/json');
        return WebhookEvent.parse(JSON.parse(r.raw));
      });
      const byId = new Map(events.map((e) => [e.job_id, e]));
      assert.deepEqual(byId.get(done), {
        job_id: done,
        status: 'completed',
        result_url: `${backend.config.publicUrl}/api/upload-video/result/${done}`,
      });
      assert.deepEqual(byId.get(failed), {
        job_id: failed,
        status: 'failed',
        result_url: `${backend.config.publicUrl}/api/upload-video/result/${failed}`,
        error_code: 'TRANSCRIPTION_ERROR',
      });
      const result = await app.inject({ method: 'GET', url: new URL(byId.get(done)!.result_url).pathname });
      assert.equal(result.statusCode, 200, 'result_url reads the transcript');
    });

    it('queues the webhook of a job the watchdog fails for taking too long', async () => {
      const id = await jobWithCallback('slow.mp4', `${receiver.origin}/hook`);
      await db.query(`UPDATE jobs SET created_at = now() - interval '2 hours' WHERE id = $1`, [id]);
      const failed = await new JobRepository(db).failTimedOut(3600, 'too long');
      assert.deepEqual(failed.map((j) => j.id), [id]);
      await app.webhookSender.tick();
      assert.equal(receiver.received.length, 1);
      assert.deepEqual(JSON.parse(receiver.received[0]!.raw), {
        job_id: id,
        status: 'failed',
        result_url: `${backend.config.publicUrl}/api/upload-video/result/${id}`,
        error_code: 'PROCESSING_TIMEOUT',
      });
    });

    it('retries a receiver answering 500 until it answers 200, and records the attempts', async () => {
      receiver.replies = [500, 500, 200];
      const id = await jobWithCallback('retry.mp4', `${receiver.origin}/hook`);
      await deliverResult(app, id, RESULT);
      await app.webhookSender.tick();
      assert.equal((await deliveryOf(db, id))?.last_error, 'the receiver answered HTTP 500');
      await app.webhookSender.tick();
      await app.webhookSender.tick();
      await app.webhookSender.tick();
      assert.equal(receiver.received.length, 3, 'delivered on the third attempt, and not again');
      const d = await deliveryOf(db, id);
      assert.equal(d?.attempts, 3);
      assert.ok(d?.delivered_at);
      assert.equal(d.given_up_at, null);
    });

    it('gives up at once on a 410 answer', async () => {
      receiver.replies = [410];
      const id = await jobWithCallback('gone.mp4', `${receiver.origin}/hook`);
      await deliverFailure(app, id, 'INTERNAL_ERROR', 'boom');
      await app.webhookSender.tick();
      await app.webhookSender.tick();
      assert.equal(receiver.received.length, 1);
      const d = await deliveryOf(db, id);
      assert.equal(d?.attempts, 1);
      assert.ok(d?.given_up_at);
      assert.equal(d.delivered_at, null);
      assert.match(d.last_error ?? '', /410/);
    });

    it('gives up after the configured number of attempts', async () => {
      receiver.replies = Array<number>(20).fill(503);
      const id = await jobWithCallback('down.mp4', `${receiver.origin}/hook`);
      await deliverResult(app, id, RESULT);
      for (let i = 0; i < backend.config.webhooks.maxAttempts + 2; i += 1) await app.webhookSender.tick();
      assert.equal(receiver.received.length, backend.config.webhooks.maxAttempts);
      assert.ok((await deliveryOf(db, id))?.given_up_at);
    });

    it('refuses a callback_url that is not a public http(s) URL, unless its origin is allow-listed', async () => {
      const fileKey = await uploadFile(app, 'refuse.mp4', 'video/mp4', Buffer.from('bytes'));
      for (const url of ['http://127.0.0.1/hook', 'http://10.0.0.1/', 'http://169.254.169.254/', 'file:///', 'http://user:pw@example.com/']) {
        const res = await app.inject({ method: 'POST', url: '/api/upload-video/request-process', payload: { fileKey, callback_url: url } });
        assert.equal(res.statusCode, 400, url);
        assert.equal(errorCode(res.body), 'URL_NOT_ALLOWED', url);
      }
      const [count] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM jobs');
      assert.equal(count?.n, 0, 'a refused callback_url makes no job');
      const ok = await app.inject({
        method: 'POST',
        url: '/api/upload-video/request-process',
        payload: { fileKey, callback_url: `${receiver.origin}/hook` },
      });
      assert.equal(ok.statusCode, 200, 'the allow-listed 127.0.0.1 receiver is accepted');
    });

    it('does not contact a name that resolves to a private address when sending', async () => {
      // The name passes request-process (names are judged by what they resolve to, when sending).
      const id = await jobWithCallback('rebind.mp4', `http://hooks.example.test:${receiver.port}/hook`);
      dns.set('hooks.example.test', '127.0.0.1');
      await deliverResult(app, id, RESULT);
      await app.webhookSender.tick();
      await app.webhookSender.tick();
      assert.equal(receiver.received.length, 0, 'nothing reached the loopback receiver');
      const d = await deliveryOf(db, id);
      assert.ok(d?.given_up_at);
      assert.match(d.last_error ?? '', /127\.0\.0\.1 \(loopback\)/);
    });

    it('sends no webhook for a deleted job, and deletion removes its delivery', async () => {
      const id = await jobWithCallback('deleted.mp4', `${receiver.origin}/hook`);
      await deliverResult(app, id, RESULT);
      assert.ok(await deliveryOf(db, id), 'the delivery was queued when the job completed');
      // Marked (the first step of a delete): never sent from then on.
      await db.query('UPDATE jobs SET deleting_at = now() WHERE id = $1', [id]);
      await app.webhookSender.tick();
      assert.equal(receiver.received.length, 0);
      await db.query('UPDATE jobs SET deleting_at = NULL WHERE id = $1', [id]);
      const del = await app.inject({ method: 'DELETE', url: `/api/upload-video/jobs/${id}` });
      assert.ok(del.statusCode < 300, del.body);
      await app.webhookSender.tick();
      assert.equal(receiver.received.length, 0);
      assert.equal(await deliveryOf(db, id), undefined);
    });
  });
}
