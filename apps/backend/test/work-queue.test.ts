import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createWorkQueue, type QueuePolicy, type WorkQueue } from '../src/queue/work-queue.js';
import { TEST_DATABASES, type TestDatabase } from './helpers/test-databases.js';

const POLICY: QueuePolicy = { retryLimit: 2, retryDelaySeconds: 0, retryBackoff: false, expireInSeconds: 1 };

for (const { driver, open } of TEST_DATABASES) {
  describe(`work queue (pg-boss) on ${driver}`, () => {
    let t: TestDatabase;
    let queue: WorkQueue;
    const schema = `ecg_queue_${randomBytes(5).toString('hex')}`;
    before(async () => {
      t = await open();
      queue = createWorkQueue({ db: t.db, schema, maintenanceIntervalSeconds: 1, queues: { 'ml-dispatch': POLICY, render: { ...POLICY, retryDelaySeconds: 60, retryBackoff: true } } });
      await queue.start();
    });
    after(async () => {
      await queue?.stop();
      if (t?.driver === 'postgres') await t.db.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await t?.cleanup();
    });

    it('hands a queued job to one fetcher only, and a completed one to nobody again', async () => {
      await queue.send('ml-dispatch', 'row-a');
      const second = createWorkQueue({ db: t.openSecond(), schema, maintenanceIntervalSeconds: 60, queues: { 'ml-dispatch': POLICY, render: POLICY } });
      const [mine, theirs] = await Promise.all([queue.fetch('ml-dispatch', 5), second.fetch('ml-dispatch', 5)]);
      assert.deepEqual([...mine, ...theirs].map((j) => j.key), ['row-a']);
      const job = [...mine, ...theirs][0]!;
      assert.equal(job.retryCount, 0);
      await queue.complete('ml-dispatch', job.id);
      assert.deepEqual(await queue.fetch('ml-dispatch', 5), []);
    });

    it('retries a failed attempt, and gives up past the retry limit', async () => {
      await queue.send('ml-dispatch', 'row-b');
      for (const expected of [0, 1, 2]) {
        const [job] = await queue.fetch('ml-dispatch', 1);
        assert.equal(job?.key, 'row-b');
        assert.equal(job?.retryCount, expected);
        await queue.fail('ml-dispatch', job.id, 'ML service down');
      }
      assert.deepEqual(await queue.fetch('ml-dispatch', 1), [], 'failed for good after two retries');
    });

    it('takes an active job back once its claim expires unrenewed, but not while it is extended', async () => {
      await queue.send('ml-dispatch', 'row-c');
      const [held] = await queue.fetch('ml-dispatch', 1);
      await queue.send('ml-dispatch', 'row-d');
      const [dead] = await queue.fetch('ml-dispatch', 1);
      assert.equal(held?.key, 'row-c');
      assert.equal(dead?.key, 'row-d');
      const deadline = Date.now() + 15_000;
      let retaken: string | undefined;
      while (!retaken && Date.now() < deadline) {
        assert.equal(await queue.extend('ml-dispatch', held.id), true, 'the live claim is still ours');
        retaken = (await queue.fetch('ml-dispatch', 5)).map((j) => j.key).join(',') || undefined;
        await new Promise((r) => setTimeout(r, 200));
      }
      assert.equal(retaken, 'row-d', 'only the unrenewed claim came back');
      assert.equal(await queue.extend('ml-dispatch', dead.id), true, 'its new holder (same queue job id) may renew it');
    });

    it('makes a job waiting out a retry delay due at once', async () => {
      await queue.send('render', 'row-e');
      const [job] = await queue.fetch('render', 1);
      await queue.fail('render', job!.id, 'busy');
      assert.deepEqual(await queue.fetch('render', 1), [], 'waiting out a 60 s delay');
      assert.equal(await queue.makeWaitingDue('render'), 1);
      assert.equal((await queue.fetch('render', 1))[0]?.key, 'row-e');
    });

    it('reconcile queues work only for rows that have none waiting or active', async () => {
      await queue.send('render', 'row-f');
      const sent: string[] = [];
      await queue.reconcile(
        'render',
        async () => ['row-e', 'row-f', 'row-g'],
        async (keys, tx) => {
          sent.push(...keys);
          for (const key of keys) await queue.send('render', key, { on: tx });
        },
      );
      assert.deepEqual(sent, ['row-g'], 'row-e is active, row-f waits');
      const fetched = (await queue.fetch('render', 5)).map((j) => j.key).sort();
      assert.deepEqual(fetched, ['row-f', 'row-g']);
    });

    // Only PostgreSQL has several processes on one database; PGlite is one connection of one backend.
    if (driver === 'postgres') it('two backends starting at once on a fresh queue schema both start, and share each queue', async () => {
      const fresh = `ecg_queue_${randomBytes(5).toString('hex')}`;
      const both = [t.db, t.openSecond()].map((db) =>
        createWorkQueue({ db, schema: fresh, maintenanceIntervalSeconds: 60, queues: { 'ml-dispatch': POLICY, render: POLICY } }),
      );
      try {
        await Promise.all(both.map((q) => q.start()));
        const queues = await t.db.query<{ name: string }>(`SELECT name FROM ${fresh}.queue ORDER BY name`);
        assert.deepEqual(queues.map((q) => q.name), ['ml-dispatch', 'render']);
        await both[0]!.send('ml-dispatch', 'row-h');
        assert.deepEqual((await both[1]!.fetch('ml-dispatch', 5)).map((j) => j.key), ['row-h']);
      } finally {
        for (const q of both) await q.stop();
        await t.db.query(`DROP SCHEMA IF EXISTS ${fresh} CASCADE`);
      }
    });
  });
}
