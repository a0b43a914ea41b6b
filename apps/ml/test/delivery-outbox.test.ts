import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CALLBACK_SIGNATURE_HEADER, CALLBACK_TIMESTAMP_HEADER } from '@ecg/contracts';
import { verifyCallback } from '@ecg/signing';
import { postSignedJson, ProgressDelivery, resultBody } from '../src/pipeline/deliver-result.js';
import { DeliveryOutbox, type OutboxEntry, type OutboxSettlement } from '../src/queue/delivery-outbox.js';

const SECRET = 'outbox-secret';

/** A "backend" answering each delivery with the next status from `statuses` (then the last one). */
async function backend(statuses: number[]) {
  const seen: { raw: string; ok: boolean }[] = [];
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      const v = verifyCallback(SECRET, raw, req.headers[CALLBACK_TIMESTAMP_HEADER] as string, req.headers[CALLBACK_SIGNATURE_HEADER] as string);
      seen.push({ raw, ok: v.ok });
      res.writeHead(statuses[Math.min(seen.length - 1, statuses.length - 1)] ?? 200).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/upload-video/result`;
  return { url, seen, close: () => new Promise<void>((r) => server.close(() => r())) };
}

async function until(pred: () => boolean): Promise<void> {
  while (!pred()) await new Promise((r) => setTimeout(r, 10));
}

describe('signed delivery', () => {
  it('sends the exact body with a signature verifyCallback accepts', async () => {
    const b = await backend([200]);
    const body = resultBody(randomUUID(), { text: 'hi', language: 'en', segments: [] });
    assert.deepEqual(await postSignedJson(b.url, body, SECRET), { kind: 'delivered', status: 200 });
    assert.equal(b.seen[0]?.raw, body);
    assert.equal(b.seen[0]?.ok, true);
    await b.close();
  });

  it('treats 404 as "job unknown there", 5xx and refused connections as retryable', async () => {
    const b = await backend([404, 503]);
    assert.equal((await postSignedJson(b.url, '{}', SECRET)).kind, 'gone');
    assert.equal((await postSignedJson(b.url, '{}', SECRET)).kind, 'retry');
    await b.close();
    assert.equal((await postSignedJson(b.url, '{}', SECRET)).kind, 'retry');
  });
});

describe('delivery outbox', () => {
  let dir: string;
  before(async () => (dir = await mkdtemp(join(tmpdir(), 'ecg-ml-outbox-'))));
  after(() => rm(dir, { recursive: true, force: true }));

  function outbox(sub: string, url: string, settled: [OutboxEntry, OutboxSettlement][]) {
    return new DeliveryOutbox({
      dir: join(dir, sub),
      send: (e) => postSignedJson(e.url, e.body, SECRET),
      onSettled: async (e, how) => void settled.push([e, how]),
      backoff: () => 30,
    });
  }

  it('retries with backoff until the backend takes the delivery, then forgets it', async () => {
    const b = await backend([500, 502, 200]);
    const settled: [OutboxEntry, OutboxSettlement][] = [];
    const o = outbox('retry', b.url, settled);
    await o.start();
    const jobId = randomUUID();
    await o.add({ job_id: jobId, kind: 'result', url: b.url, body: '{"job_id":"x"}' });
    await until(() => settled.length === 1);
    assert.equal(b.seen.length, 3);
    assert.ok(b.seen.every((s) => s.ok && s.raw === '{"job_id":"x"}'));
    assert.equal(settled[0]?.[1], 'delivered');
    assert.equal(o.has(jobId), false);
    assert.deepEqual(await readdir(join(dir, 'retry')), []);
    await o.stop();
    await b.close();
  });

  it('drops a delivery the backend answers 404 for, and says so', async () => {
    const b = await backend([404]);
    const settled: [OutboxEntry, OutboxSettlement][] = [];
    const o = outbox('gone', b.url, settled);
    await o.start();
    await o.add({ job_id: randomUUID(), kind: 'failure', url: b.url, body: '{}' });
    await until(() => settled.length === 1);
    assert.equal(settled[0]?.[1], 'gone');
    assert.equal(b.seen.length, 1);
    await o.stop();
    await b.close();
  });

  it('keeps an undelivered entry on disk across a restart and delivers it from the new process', async () => {
    const down = await backend([503]);
    const settled: [OutboxEntry, OutboxSettlement][] = [];
    const first = outbox('restart', down.url, settled);
    await first.start();
    const jobId = randomUUID();
    await first.add({ job_id: jobId, kind: 'result', url: down.url, body: '{"n":1}' });
    await until(() => down.seen.length >= 1);
    await first.stop();
    await down.close();
    assert.equal((await readdir(join(dir, 'restart'))).length, 1);

    const up = await backend([200]);
    const second = new DeliveryOutbox({
      dir: join(dir, 'restart'),
      // The backend moved (new port); the stored URL is rewritten here only because the test's port changed.
      send: (e) => postSignedJson(up.url, e.body, SECRET),
      onSettled: async (e, how) => void settled.push([e, how]),
      backoff: () => 30,
    });
    assert.equal(await second.start(), 1);
    await until(() => settled.length === 1);
    assert.equal(settled[0]?.[0].job_id, jobId);
    assert.equal(up.seen[0]?.raw, '{"n":1}');
    await second.stop();
    await up.close();
  });
});

describe('delivery outbox: a backend that comes back', () => {
  let dir: string;
  before(async () => (dir = await mkdtemp(join(tmpdir(), 'ecg-ml-outbox-back-'))));
  after(() => rm(dir, { recursive: true, force: true }));

  it('retries every other waiting delivery to the same backend at once when one gets through', async () => {
    // Down for the first two deliveries, then up.
    const b = await backend([503, 503, 200]);
    const settled: string[] = [];
    const o = new DeliveryOutbox({
      dir: join(dir, 'flush'),
      send: (e) => postSignedJson(e.url, e.body, SECRET),
      onSettled: async (e) => void settled.push(e.job_id),
      // A grown backoff: without the flush these two would wait a minute.
      backoff: () => 60_000,
    });
    await o.start();
    const [first, second, third] = [randomUUID(), randomUUID(), randomUUID()];
    await o.add({ job_id: first, kind: 'result', url: b.url, body: '{"n":1}' });
    await o.add({ job_id: second, kind: 'failure', url: b.url, body: '{"n":2}' });
    await until(() => o.get(first, 'result')?.attempts === 1 && o.get(second, 'failure')?.attempts === 1);

    await o.add({ job_id: third, kind: 'result', url: b.url, body: '{"n":3}' });
    const deadline = Date.now() + 10_000;
    await until(() => settled.length === 3 || Date.now() > deadline);
    assert.deepEqual([...settled].sort(), [first, second, third].sort(), 'the waiting deliveries went out after the third got through');
    assert.equal(o.pending(), 0);
    await o.stop();
    await b.close();
  });

  it('leaves deliveries to another backend on their schedule', async () => {
    const up = await backend([200]);
    const down = await backend([503]);
    const o = new DeliveryOutbox({ dir: join(dir, 'other'), send: (e) => postSignedJson(e.url, e.body, SECRET), backoff: () => 60_000 });
    await o.start();
    const elsewhere = randomUUID();
    await o.add({ job_id: elsewhere, kind: 'result', url: down.url, body: '{}' });
    await until(() => down.seen.length === 1);
    await o.add({ job_id: randomUUID(), kind: 'result', url: up.url, body: '{}' });
    await until(() => up.seen.length === 1);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(down.seen.length, 1, 'not retried early');
    assert.equal(o.has(elsewhere), true);
    await o.stop();
    await up.close();
    await down.close();
  });

  it('retries waiting deliveries to a backend at once when told it is back (a progress post got through)', async () => {
    const b = await backend([503, 200]);
    const settled: string[] = [];
    const o = new DeliveryOutbox({
      dir: join(dir, 'told'),
      send: (e) => postSignedJson(e.url, e.body, SECRET),
      onSettled: async (e) => void settled.push(e.job_id),
      backoff: () => 60_000,
    });
    await o.start();
    const jobId = randomUUID();
    await o.add({ job_id: jobId, kind: 'result', url: b.url, body: '{}' });
    await until(() => o.get(jobId, 'result')?.attempts === 1);
    o.retryNow(b.url);
    const deadline = Date.now() + 10_000;
    await until(() => settled.length === 1 || Date.now() > deadline);
    assert.deepEqual(settled, [jobId]);
    await o.stop();
    await b.close();
  });
});

describe('progress deliveries', () => {
  it('sends a new stage once it has lasted settleMs, throttles within a stage, and stops at close', async () => {
    const sent: string[] = [];
    let now = 0;
    const p = new ProgressDelivery({
      jobId: 'j',
      minIntervalMs: 1000,
      settleMs: 0,
      now: () => now,
      send: async (body) => void sent.push(body),
    });
    p.report('downloading', 1, 'a');
    await new Promise((r) => setImmediate(r));
    p.report('downloading', 2, 'b'); // within the interval: held
    await new Promise((r) => setImmediate(r));
    assert.equal(sent.length, 1);
    p.report('extracting', 10, 'c'); // new stage, settled (settleMs 0): sent at once, whatever the interval
    await new Promise((r) => setImmediate(r));
    assert.equal(sent.length, 2);
    const last = JSON.parse(sent[1]!) as Record<string, unknown>;
    assert.deepEqual(last, { job_id: 'j', status: 'processing', stage: 'extracting', progress: 10, message: 'c' });
    now = 5000;
    p.report('extracting', 15, 'd');
    await new Promise((r) => setImmediate(r));
    assert.equal(sent.length, 3);
    await p.close();
    p.report('transcribing', 30, 'after close');
    await new Promise((r) => setImmediate(r));
    assert.equal(sent.length, 3);
  });

  it('never posts a stage that ended within settleMs, and posts one that lasted when its time comes', async () => {
    const sent: { stage: string; progress: number }[] = [];
    let now = 0;
    const p = new ProgressDelivery({
      jobId: 'j',
      minIntervalMs: 1000,
      settleMs: 40,
      now: () => now,
      send: async (body) => void sent.push(JSON.parse(body) as { stage: string; progress: number }),
    });
    p.report('downloading', 1, 'a');
    now = 10;
    p.report('extracting', 10, 'b'); // downloading lasted 10 ms: superseded, never sent
    await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(sent, []);
    now = 30;
    p.report('transcribing', 20, 'c'); // extracting lasted 20 ms
    // The timer set for transcribing (due at 70 on the test's clock, 40 ms of real time from now) sends it.
    now = 70;
    await until(() => sent.length > 0);
    assert.deepEqual(sent, [{ job_id: 'j', status: 'processing', stage: 'transcribing', progress: 20, message: 'c' }]);
    now = 80;
    p.report('analyzing', 85, 'd'); // the last stages of a job: pending when the job ends
    await p.close();
    await new Promise((r) => setTimeout(r, 60));
    assert.equal(sent.length, 1, 'close() drops a stage that has not lasted settleMs');
  });
});
