/**
 * The Deliveries contract (queue/delivery-outbox.ts), run against both
 * implementations: the file outbox (embedded default) and BullDeliveries
 * (BullMQ on the suite's Redis, a key prefix of this run's own). Deliveries
 * go to a real local HTTP "backend" as real signed POSTs; a "restart" is a
 * new instance on the same directory or prefix.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, describe, it } from 'node:test';
import { CALLBACK_SIGNATURE_HEADER, CALLBACK_TIMESTAMP_HEADER } from '@ecg/contracts';
import { verifyCallback } from '@ecg/signing';
import { postSignedJson } from '../src/pipeline/deliver-result.js';
import { BullDeliveries } from '../src/queue/bull-deliveries.js';
import { DeliveryOutbox, type Deliveries, type OutboxEntry, type OutboxSettlement } from '../src/queue/delivery-outbox.js';
import { deletePrefix, redisClient, uniquePrefix } from './support/redis.js';

const SECRET = 'deliveries-secret';

/** A "backend" answering with `status()` at each delivery (changeable while the test runs). */
async function backend(initial: number) {
  let status = initial;
  const seen: { jobId: string; ok: boolean }[] = [];
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      const v = verifyCallback(SECRET, raw, req.headers[CALLBACK_TIMESTAMP_HEADER] as string, req.headers[CALLBACK_SIGNATURE_HEADER] as string);
      seen.push({ jobId: (JSON.parse(raw) as { job_id: string }).job_id, ok: v.ok });
      res.writeHead(status).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/upload-video/result`;
  return {
    url,
    seen,
    answer: (s: number) => (status = s),
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

async function until(pred: () => boolean): Promise<void> {
  while (!pred()) await new Promise((r) => setTimeout(r, 10));
}

interface Events {
  settled: { jobId: string; how: OutboxSettlement }[];
  retries: number[];
  /** Every attempt number the backoff formula was asked for. */
  backoffAsked: number[];
}

interface Implementation {
  name: string;
  instance(events: Events): Deliveries;
  close(): Promise<void>;
}

function callbacks(events: Events) {
  return {
    send: (e: OutboxEntry) => postSignedJson(e.url, e.body, SECRET),
    onSettled: async (e: OutboxEntry, how: OutboxSettlement) => void events.settled.push({ jobId: e.job_id, how }),
    onRetry: async (e: OutboxEntry) => void events.retries.push(e.attempts),
    backoff: (n: number) => {
      events.backoffAsked.push(n);
      return 100 * n;
    },
  };
}

function fileOutbox(): Implementation {
  let dir: string | null = null;
  const dirFor = () => (dir ??= join(tmpdir(), `ecg-ml-deliveries-${randomUUID()}`));
  return {
    name: 'file outbox',
    instance: (events) => new DeliveryOutbox({ dir: dirFor(), ...callbacks(events) }),
    close: async () => {
      if (dir) await rm(dir, { recursive: true, force: true });
    },
  };
}

function bullDeliveries(): Implementation {
  const prefix = uniquePrefix();
  const clients: ReturnType<typeof redisClient>[] = [];
  return {
    name: 'BullMQ deliveries',
    instance(events) {
      const connection = redisClient();
      clients.push(connection);
      return new BullDeliveries({ connection, prefix, ...callbacks(events) });
    },
    async close() {
      for (const c of clients) c.disconnect();
      await deletePrefix(prefix);
    },
  };
}

const newEvents = (): Events => ({ settled: [], retries: [], backoffAsked: [] });

for (const make of [fileOutbox, bullDeliveries]) {
  const impl = make();
  describe(`${impl.name} (Deliveries contract)`, () => {
    const open: Deliveries[] = [];
    const start = async (events: Events) => {
      const d = impl.instance(events);
      open.push(d);
      await d.start();
      return d;
    };
    afterEach(async () => {
      for (const d of open.splice(0)) await d.stop();
    });
    after(() => impl.close());

    it('retries with the backoff formula until the backend takes it, then settles it once as delivered', async () => {
      const b = await backend(503);
      const events = newEvents();
      const d = await start(events);
      const jobId = randomUUID();
      await d.add({ job_id: jobId, kind: 'result', url: b.url, body: JSON.stringify({ job_id: jobId }) });
      await until(() => events.retries.length >= 2);
      b.answer(200);
      await until(() => events.settled.length > 0);
      assert.deepEqual(events.settled, [{ jobId, how: 'delivered' }]);
      assert.deepEqual(events.retries.slice(0, 2), [1, 2]);
      assert.deepEqual(events.backoffAsked.slice(0, 2), [1, 2]);
      assert.ok(b.seen.every((s) => s.ok), 'every attempt is signed');
      assert.equal(b.seen.at(-1)?.jobId, jobId);
      await b.close();
    });

    it('drops a delivery the backend answers 404 for, settled as gone, without retrying', async () => {
      const b = await backend(404);
      const events = newEvents();
      const d = await start(events);
      const jobId = randomUUID();
      await d.add({ job_id: jobId, kind: 'failure', url: b.url, body: JSON.stringify({ job_id: jobId }) });
      await until(() => events.settled.length > 0);
      assert.deepEqual(events.settled, [{ jobId, how: 'gone' }]);
      assert.deepEqual(events.retries, []);
      assert.equal(b.seen.length, 1);
      await b.close();
    });

    it('keeps a delivery that is being retried across a restart; the next instance delivers it', async () => {
      const b = await backend(503);
      const firstEvents = newEvents();
      const first = await start(firstEvents);
      const jobId = randomUUID();
      await first.add({ job_id: jobId, kind: 'result', url: b.url, body: JSON.stringify({ job_id: jobId }) });
      await until(() => firstEvents.retries.length >= 1);
      await first.stop();
      open.splice(open.indexOf(first), 1);
      const triedBefore = b.seen.length;

      b.answer(200);
      const secondEvents = newEvents();
      await start(secondEvents);
      await until(() => secondEvents.settled.length > 0);
      assert.deepEqual(secondEvents.settled, [{ jobId, how: 'delivered' }]);
      assert.deepEqual(firstEvents.settled, []);
      assert.equal(b.seen.length, triedBefore + 1, 'delivered by the second instance, once');
      await b.close();
    });
  });
}

describe('BullMQ deliveries on an api-only instance', () => {
  it('are queued there and sent by a worker instance', async () => {
    const b = await backend(200);
    const apiEvents = newEvents();
    const workerEvents = newEvents();
    const prefix = uniquePrefix();
    const clients = [redisClient(), redisClient()] as const;
    const api = new BullDeliveries({ connection: clients[0], prefix, ...callbacks(apiEvents), send: null });
    const worker = new BullDeliveries({ connection: clients[1], prefix, ...callbacks(workerEvents) });
    try {
      await api.start();
      const jobId = randomUUID();
      await api.add({ job_id: jobId, kind: 'failure', url: b.url, body: JSON.stringify({ job_id: jobId }) });
      assert.equal(await api.has(jobId), true);
      await worker.start();
      await until(() => workerEvents.settled.length > 0);
      assert.deepEqual(workerEvents.settled, [{ jobId, how: 'delivered' }]);
      assert.equal(b.seen.length, 1);
    } finally {
      await api.stop();
      await worker.stop();
      await b.close();
      for (const c of clients) c.disconnect();
      await deletePrefix(prefix);
    }
  });
});
