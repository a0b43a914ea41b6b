import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FileJobStore } from '../src/queue/file-job-store.js';
import { newJobRecord } from '../src/queue/job-store.js';
import { WorkerPool } from '../src/queue/worker-pool.js';
import { fakeRunner, until } from './support/fake-runner.js';


describe('worker pool', () => {
  let dir: string;
  before(async () => (dir = await mkdtemp(join(tmpdir(), 'ecg-ml-pool-'))));
  after(() => rm(dir, { recursive: true, force: true }));

  async function setup(concurrency: number, sub: string) {
    const store = await new FileJobStore(join(dir, sub)).init();
    const fake = fakeRunner(store);
    const pool = new WorkerPool({ store, runner: fake.runner, concurrency });
    let n = 0;
    const add = async () => {
      // Distinct creation times: two jobs made in the same millisecond have no defined order.
      const job = newJobRecord({ job_id: randomUUID(), video_url: 'u', language: 'auto', callback_url: 'c' }, new Date(Date.now() + n++));
      await store.create(job);
      return job.job_id;
    };
    return { store, pool, fake, add };
  }

  it('runs at most `concurrency` jobs and queues the rest, oldest first', async () => {
    const { pool, fake, add, store } = await setup(1, 'a');
    const a = await add();
    const b = await add();
    assert.equal(pool.submit(a), 'processing');
    assert.equal(pool.submit(b), 'queued');
    assert.deepEqual(pool.stats(), { waiting: 1, running: 1, concurrency: 1 });
    await until(() => fake.started.length === 1);
    fake.release(a);
    await until(() => fake.started.length === 2);
    assert.equal(fake.started[1], b);
    fake.release(b);
    await pool.idle();
    assert.equal((await store.get(a))?.status, 'completed');
    assert.equal((await store.get(b))?.status, 'completed');
  });

  it('cancelling a running job frees its worker for the next one and fails it with CANCELLED', async () => {
    const { pool, fake, add, store } = await setup(1, 'b');
    const a = await add();
    const b = await add();
    pool.submit(a);
    pool.submit(b);
    await until(() => fake.started.length === 1);
    const after = await pool.cancel(a);
    assert.equal(after?.status, 'failed');
    assert.equal(after?.error_code, 'CANCELLED');
    await until(() => fake.started.includes(b));
    fake.release(b);
    await pool.idle();
    assert.equal((await store.get(b))?.status, 'completed');
  });

  it('cancelling a queued job fails it without ever running it', async () => {
    const { pool, fake, add, store } = await setup(1, 'c');
    const a = await add();
    const b = await add();
    pool.submit(a);
    pool.submit(b);
    const after = await pool.cancel(b);
    assert.equal(after?.error_code, 'CANCELLED');
    // The runner reads the job from the store before it starts: release only once it has.
    await until(() => fake.started.length === 1);
    fake.release(a);
    await until(async () => (await store.get(a))?.status === 'completed');
    await pool.idle();
    assert.deepEqual(fake.started, [a]);
    assert.equal(await pool.cancel(randomUUID()), null);
  });

  it('on stop puts running jobs back to queued, and a new pool on the same store reruns them', async () => {
    const first = await setup(1, 'd');
    const a = await first.add();
    const b = await first.add();
    first.pool.submit(a);
    first.pool.submit(b);
    await until(() => first.fake.started.length === 1);
    await first.pool.stop();
    assert.equal(first.pool.isAccepting(), false);
    assert.equal((await first.store.get(a))?.status, 'queued');
    assert.equal((await first.store.get(b))?.status, 'queued');

    const store = await new FileJobStore(join(dir, 'd')).init();
    const fake = fakeRunner(store);
    const pool = new WorkerPool({ store, runner: fake.runner, concurrency: 2 });
    assert.equal(await pool.recover(), 2);
    await until(() => fake.started.length === 2);
    // Both run at once (concurrency 2); jobs accepted in the same millisecond have no defined order.
    assert.deepEqual([...fake.started].sort(), [a, b].sort());
    fake.release(a);
    fake.release(b);
    await pool.idle();
  });

  it('recovers a job a crashed process left mid-run, unless the caller says it is already done', async () => {
    const { store, add } = await setup(1, 'e');
    const crashed = await add();
    const delivering = await add();
    await store.update(crashed, { status: 'processing', stage: 'transcribing', progress: 50 });
    await store.update(delivering, { status: 'processing', stage: 'delivering', progress: 95 });
    const fake = fakeRunner(store);
    const pool = new WorkerPool({ store, runner: fake.runner, concurrency: 1 });
    assert.equal(await pool.recover((job) => job.stage === 'delivering'), 1);
    await until(() => fake.started.length === 1);
    assert.deepEqual(fake.started, [crashed]);
    assert.equal((await store.get(delivering))?.stage, 'delivering');
    fake.release(crashed);
    await pool.idle();
  });
});
