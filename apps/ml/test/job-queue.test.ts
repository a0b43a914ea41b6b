/**
 * The JobQueue contract (queue/job-queue.ts), run against both queues: the
 * embedded one (WorkerPool over the file store) and the shared one (BullMQ
 * and the Redis store, a key prefix of this run's own on the suite's Redis).
 * The pipeline is replaced by fakeRunner, a unit-test stand-in.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, describe, it } from 'node:test';
import type { RedisQueueConfig } from '../src/config.js';
import { BullJobQueue } from '../src/queue/bull-job-queue.js';
import { FileJobStore } from '../src/queue/file-job-store.js';
import { embeddedJobQueue, type JobQueue } from '../src/queue/job-queue.js';
import { newJobRecord, type JobStore } from '../src/queue/job-store.js';
import { RedisJobStore } from '../src/queue/redis-job-store.js';
import { WorkerPool } from '../src/queue/worker-pool.js';
import { deletePrefix, redisClient, uniquePrefix } from './support/redis.js';
import { fakeRunner, until } from './support/fake-runner.js';


interface Instance {
  store: JobStore;
  queue: JobQueue;
  fake: ReturnType<typeof fakeRunner>;
}

interface Implementation {
  name: string;
  /** A new instance (a restarted process) on the same stored state. */
  instance(concurrency: number): Promise<Instance>;
  close(): Promise<void>;
}

function embedded(): Implementation {
  let dir = '';
  return {
    name: 'embedded queue (worker pool, file store)',
    async instance(concurrency) {
      dir ||= await mkdtemp(join(tmpdir(), 'ecg-ml-queue-contract-'));
      const store = await new FileJobStore(dir).init();
      const fake = fakeRunner(store);
      const queue = embeddedJobQueue(new WorkerPool({ store, runner: fake.runner, concurrency }), () => false);
      return { store, queue, fake };
    },
    close: () => rm(dir, { recursive: true, force: true }),
  };
}

function bull(): Implementation {
  const prefix = uniquePrefix();
  const clients: ReturnType<typeof redisClient>[] = [];
  const settings: RedisQueueConfig = { url: '', prefix, lockDurationMs: 5000, stalledIntervalMs: 5000, maxStalledCount: 1 };
  return {
    name: 'shared queue (BullMQ, redis store)',
    async instance(concurrency) {
      const connection = redisClient();
      clients.push(connection);
      const store = new RedisJobStore(connection, prefix);
      const fake = fakeRunner(store);
      const queue = new BullJobQueue({ connection, settings, store, runner: fake.runner, concurrency, deliveryPending: async () => false, cancelWaitMs: 2000 });
      return { store, queue, fake };
    },
    async close() {
      for (const c of clients) c.disconnect();
      await deletePrefix(prefix);
    },
  };
}

for (const make of [embedded, bull]) {
  const impl = make();
  describe(`${impl.name} (JobQueue contract)`, () => {
    const open: Instance[] = [];
    const start = async (concurrency = 1) => {
      const i = await impl.instance(concurrency);
      open.push(i);
      await i.queue.start();
      return i;
    };
    const add = async (i: Instance) => {
      const job = newJobRecord({ job_id: randomUUID(), video_url: 'http://x/v.mp4', language: 'auto', callback_url: 'http://x/r' });
      await i.store.create(job);
      return job.job_id;
    };
    const statusOf = async (i: Instance, id: string) => (await i.store.get(id))?.status;
    // Instances of the shared queue all take its jobs: each test's go before the next test starts.
    afterEach(async () => {
      for (const i of open.splice(0)) await i.queue.stop().catch(() => undefined);
    });
    after(() => impl.close());

    it('runs a submitted job once: submitting it again is a no-op', async () => {
      const i = await start();
      const id = await add(i);
      await i.queue.submit(id);
      await i.queue.submit(id);
      await until(() => i.fake.started.includes(id));
      await i.queue.submit(id);
      i.fake.release(id);
      await until(async () => (await statusOf(i, id)) === 'completed');
      await i.queue.idle();
      assert.deepEqual(i.fake.started.filter((s) => s === id), [id]);
    });

    it('cancels a queued job without running it, and a running one by aborting it', async () => {
      const i = await start(1);
      const running = await add(i);
      const waiting = await add(i);
      await i.queue.submit(running);
      await until(() => i.fake.started.includes(running));
      await i.queue.submit(waiting);
      const w = await i.queue.cancel(waiting);
      assert.equal(w?.status, 'failed');
      assert.equal(w?.error_code, 'CANCELLED');
      const r = await i.queue.cancel(running);
      assert.equal(r?.status, 'failed');
      assert.equal(r?.error_code, 'CANCELLED');
      assert.equal(await i.queue.cancel(randomUUID()), null);
      await i.queue.idle();
      assert.equal(i.fake.started.includes(waiting), false, 'the cancelled queued job never ran');
    });

    it('on stop puts a running job back to queued, and the next instance runs it', async () => {
      const first = await start();
      const id = await add(first);
      await first.queue.submit(id);
      await until(() => first.fake.started.includes(id));
      await first.queue.stop();
      assert.equal(first.queue.isAccepting(), false);
      assert.equal(await statusOf(first, id), 'queued');

      const second = await start();
      await until(() => second.fake.started.includes(id));
      second.fake.release(id);
      await until(async () => (await statusOf(second, id)) === 'completed');
    });
  });
}

describe('shared queue across instances', () => {
  const impl = bull();
  const open: Instance[] = [];
  after(async () => {
    for (const i of open) await i.queue.stop().catch(() => undefined);
    await impl.close();
  });

  it('an api-only instance queues a job, a worker instance runs it, and a cancel on the api instance stops it there', async () => {
    const api = await impl.instance(0);
    const worker = await impl.instance(1);
    open.push(api, worker);
    await api.queue.start();
    await worker.queue.start();
    const job = newJobRecord({ job_id: randomUUID(), video_url: 'u', language: 'auto', callback_url: 'c' });
    await api.store.create(job);
    assert.equal(await api.queue.submit(job.job_id), 'queued');
    await until(() => worker.fake.started.includes(job.job_id));
    assert.deepEqual(await api.queue.stats(), { waiting: 0, running: 0, concurrency: 0 });
    assert.equal((await worker.queue.stats()).running, 1);
    const cancelled = await api.queue.cancel(job.job_id);
    assert.equal(cancelled?.status, 'failed');
    assert.equal(cancelled?.error_code, 'CANCELLED');
    assert.deepEqual(api.fake.started, [], 'the api-only instance ran nothing');
  });
});
