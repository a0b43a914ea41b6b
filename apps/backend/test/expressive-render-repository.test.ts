import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { JobRepository } from '../src/jobs/job-repository.js';
import { RenderRepository } from '../src/renders/render-repository.js';
import { TEST_DATABASES, useMigratedDatabase, type TestDatabase } from './helpers/test-databases.js';

const RESULT = { text: 'hello', language: 'en', segments: [{ id: 0, start: 0, end: 1, text: 'hello' }] };
let n = 0;
const key = () => `videos/anonymous/20250101_000000_${String(n++ % 1e8).padStart(8, '0')}_render-${n}.mp4`;
const OPTIONS = { expressive: true, strength: 1, captionVersion: 0 };

for (const { driver, open } of TEST_DATABASES) {
  describe(`render repository on ${driver}`, () => {
    let t: TestDatabase;
    let jobs: JobRepository;
    let renders: RenderRepository;
    useMigratedDatabase(open, {
      clear: ['renders'],
      onOpen: (opened) => {
        t = opened;
        jobs = new JobRepository(t.db);
        renders = new RenderRepository(t.db);
      },
    });

    async function completedJobId(): Promise<string> {
      const { job } = await jobs.createOrGetLive(key(), null);
      await jobs.complete(job.id, RESULT, null);
      return job.id;
    }

    it('keeps one live render per job, options and captions version, even when requests race', async () => {
      const jobId = await completedJobId();
      const results = await Promise.all(Array.from({ length: 5 }, () => renders.createOrGetLive(jobId, OPTIONS)));
      assert.equal(new Set(results.map((r) => r.render.id)).size, 1);
      assert.equal(results.filter((r) => r.created).length, 1);
      const other = await renders.createOrGetLive(jobId, { ...OPTIONS, strength: 2 });
      assert.equal(other.created, true, 'other options are another render');
      const newer = await renders.createOrGetLive(jobId, { ...OPTIONS, captionVersion: 1 });
      assert.equal(newer.created, true, 'edited captions are another render');
      assert.equal(await renders.countLive(), 3);
    });

    it('hands each queued render to one claimer only, oldest first, up to the limit', async () => {
      const jobId = await completedJobId();
      for (const strength of [0, 0.5, 1, 1.5, 2]) await renders.createOrGetLive(jobId, { ...OPTIONS, strength });
      const second = new RenderRepository(t.openSecond());
      const [a, b] = await Promise.all([renders.claimQueued(3, 'worker-a', 60), second.claimQueued(3, 'worker-b', 60)]);
      const ids = [...a, ...b].map((r) => r.id);
      assert.equal(ids.length, 5);
      assert.equal(new Set(ids).size, 5, 'no render claimed twice');
      for (const r of [...a, ...b]) {
        assert.equal(r.status, 'processing');
        assert.equal(r.attempts, 1);
        assert.ok(r.leaseExpiresAt && r.leaseExpiresAt.getTime() > Date.now());
      }
      assert.deepEqual(await renders.claimQueued(3, 'worker-c', 60), []);
    });

    it('queues a render again when its lease runs out, and fails it after too many tries', async () => {
      const jobId = await completedJobId();
      const { render } = await renders.createOrGetLive(jobId, OPTIONS);
      // A zero-second lease has run out by the next statement: the claimer "died".
      const [claimed] = await renders.claimQueued(1, 'dead-worker', 0);
      assert.equal(claimed?.id, render.id);
      assert.equal(await renders.renew(render.id, 'dead-worker', 0, 40), true);

      const first = await renders.recoverExpired(2);
      assert.deepEqual(first.requeued.map((r) => r.id), [render.id]);
      const requeued = await renders.get(render.id);
      assert.equal(requeued?.status, 'queued');
      assert.equal(requeued?.progress, 0);
      assert.equal(requeued?.leaseOwner, null);
      // The dead worker, should it wake up, can no longer touch it.
      assert.equal(await renders.renew(render.id, 'dead-worker', 60, 50), false);
      assert.equal(await renders.complete(render.id, 'dead-worker', 'renders/x.mp4'), null);

      await renders.claimQueued(1, 'dead-again', 0);
      const second = await renders.recoverExpired(2);
      assert.deepEqual(second.failed.map((r) => r.id), [render.id]);
      const failed = await renders.get(render.id);
      assert.equal(failed?.status, 'failed');
      assert.equal(failed?.errorCode, 'INTERNAL_ERROR');
      assert.match(failed?.errorMessage ?? '', /interrupted 2 times/);
    });

    it('leaves a render whose lease still runs alone', async () => {
      const jobId = await completedJobId();
      const { render } = await renders.createOrGetLive(jobId, OPTIONS);
      await renders.claimQueued(1, 'live-worker', 60);
      const recovered = await renders.recoverExpired(3);
      assert.deepEqual(recovered, { requeued: [], failed: [] });
      assert.equal((await renders.get(render.id))?.status, 'processing');
    });

    it('records progress without going backwards, completes and releases only for the lease owner', async () => {
      const jobId = await completedJobId();
      const { render } = await renders.createOrGetLive(jobId, OPTIONS);
      await renders.claimQueued(1, 'owner', 60);
      assert.equal(await renders.renew(render.id, 'owner', 60, 30), true);
      assert.equal(await renders.renew(render.id, 'owner', 60, 10), true);
      assert.equal((await renders.get(render.id))?.progress, 30);
      assert.equal(await renders.release(render.id, 'someone-else'), false);
      assert.equal(await renders.complete(render.id, 'someone-else', 'renders/x.mp4'), null);
      const done = await renders.complete(render.id, 'owner', `renders/${jobId}/${render.id}.mp4`);
      assert.equal(done?.status, 'completed');
      assert.equal(done?.progress, 100);
      assert.equal(done?.outputKey, `renders/${jobId}/${render.id}.mp4`);
      assert.equal(await renders.fail(render.id, 'owner', 'INTERNAL_ERROR', 'too late'), null, 'a finished render stays finished');
    });

    it('hands a released render back to the queue without counting the interrupted try', async () => {
      const jobId = await completedJobId();
      const { render } = await renders.createOrGetLive(jobId, OPTIONS);
      await renders.claimQueued(1, 'owner', 60);
      assert.equal(await renders.release(render.id, 'owner'), true);
      const back = await renders.get(render.id);
      assert.equal(back?.status, 'queued');
      assert.equal(back?.attempts, 0);
    });

    it('answers null, not an error, for an id that is not a uuid', async () => {
      assert.equal(await renders.get('../etc'), null);
      assert.equal(await renders.get('00000000-0000-4000-8000-000000000000'), null);
    });
  });
}
