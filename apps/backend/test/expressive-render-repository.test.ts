import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { JobRepository } from '../src/jobs/job-repository.js';
import { RenderRepository } from '../src/renders/render-repository.js';
import { TEST_DATABASES, useMigratedDatabase, type TestDatabase } from './helpers/test-databases.js';

const RESULT = { text: 'hello', language: 'en', segments: [{ id: 0, start: 0, end: 1, text: 'hello' }] };
let n = 0;
const key = () => `videos/anonymous/20250101_000000_${String(n++ % 1e8).padStart(8, '0')}_render-${n}.mp4`;
const OPTIONS = { expressive: true, strength: 1, captionVersion: 0 };
const NO_LIMITS = { maxLive: 1000, maxLivePerRequester: 1000 };

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

    async function queue(jobId: string, options: typeof OPTIONS, by = '192.0.2.1') {
      const queued = await renders.queueForJob(jobId, options, by, NO_LIMITS);
      if (queued.outcome === 'full') throw new Error('unexpectedly full');
      return { render: queued.render, created: queued.outcome === 'created', outcome: queued.outcome };
    }

    async function completedJobId(): Promise<string> {
      const { job } = await jobs.createOrGetLive(key());
      await jobs.complete(job.id, RESULT, null);
      return job.id;
    }

    it('keeps one live render per job, options and captions version, even when requests race', async () => {
      const jobId = await completedJobId();
      const results = await Promise.all(Array.from({ length: 5 }, () => queue(jobId, OPTIONS)));
      assert.equal(new Set(results.map((r) => r.render.id)).size, 1);
      assert.equal(results.filter((r) => r.created).length, 1);
    });

    it('keeps at most one render waiting per job: other options take over the waiting one', async () => {
      const jobId = await completedJobId();
      const first = await queue(jobId, OPTIONS);
      // The probe's flood: the same job with strength nudged on every request.
      const nudged = await Promise.all([1.01, 1.02, 1.03, 1.04].map((strength) => queue(jobId, { ...OPTIONS, strength })));
      assert.ok(nudged.every((r) => r.render.id === first.render.id && r.outcome === 'replaced'));
      assert.equal(await renders.countLive(), 1);
      const waiting = await renders.get(first.render.id);
      assert.ok([1.01, 1.02, 1.03, 1.04].includes(waiting?.strength ?? 0), 'the waiting render carries one of the new options');

      // Once it runs, one more may wait beside it; the running one keeps its options.
      const running = await renders.claim(first.render.id, 'worker');
      const next = await queue(jobId, { ...OPTIONS, captionVersion: 1 });
      assert.equal(next.created, true, 'edited captions queue beside the running render');
      const again = await queue(jobId, { ...OPTIONS, strength: 0 });
      assert.equal(again.render.id, next.render.id, 'and take over the waiting one afterwards');
      assert.equal((await renders.get(running!.id))?.strength, waiting?.strength);
      assert.equal(await renders.countLive(), 2);
    });

    it('refuses a new render past the per-client and instance caps, but still joins and replaces', async () => {
      const [a, b, c] = [await completedJobId(), await completedJobId(), await completedJobId()];
      const limits = { maxLive: 3, maxLivePerRequester: 2 };
      assert.equal((await renders.queueForJob(a, OPTIONS, 'client-1', limits)).outcome, 'created');
      assert.equal((await renders.queueForJob(b, OPTIONS, 'client-1', limits)).outcome, 'created');
      assert.deepEqual(await renders.queueForJob(c, OPTIONS, 'client-1', limits), { outcome: 'full', scope: 'client' });
      assert.equal((await renders.queueForJob(a, OPTIONS, 'client-1', limits)).outcome, 'joined');
      assert.equal((await renders.queueForJob(a, { ...OPTIONS, strength: 2 }, 'client-1', limits)).outcome, 'replaced');
      assert.equal((await renders.queueForJob(c, OPTIONS, 'client-2', limits)).outcome, 'created');
      const d = await completedJobId();
      assert.deepEqual(await renders.queueForJob(d, OPTIONS, 'client-3', limits), { outcome: 'full', scope: 'instance' });
    });

    it('lets only the attempt that claimed a render last write to it', async () => {
      const jobId = await completedJobId();
      const { render } = await queue(jobId, OPTIONS);
      const first = await renders.claim(render.id, 'attempt-1');
      assert.equal(first?.status, 'processing');
      assert.equal(first?.attempts, 1);
      // The first attempt's claim ran out and the work queue handed the render to another.
      const second = await renders.claim(render.id, 'attempt-2');
      assert.equal(second?.attempts, 2);
      assert.equal(await renders.renew(render.id, 'attempt-1', 50), false);
      assert.equal(await renders.complete(render.id, 'attempt-1', 'renders/x.mp4'), null);
      assert.equal(await renders.fail(render.id, 'attempt-1', 'INTERNAL_ERROR', 'late'), null);
      assert.equal(await renders.release(render.id, 'attempt-1'), false);
      assert.equal((await renders.complete(render.id, 'attempt-2', 'renders/y.mp4'))?.outputKey, 'renders/y.mp4');
      assert.equal(await renders.claim(render.id, 'attempt-3'), null, 'an ended render is not claimed again');
    });

    it('settles renders left without queued work: queued again, or failed after too many tries', async () => {
      const [a, b, c] = [await completedJobId(), await completedJobId(), await completedJobId()];
      const once = (await queue(a, OPTIONS)).render;
      const often = (await queue(b, OPTIONS)).render;
      const waiting = (await queue(c, OPTIONS)).render;
      await renders.claim(once.id, 'dead-1');
      await renders.renew(once.id, 'dead-1', 40);
      for (const owner of ['dead-a', 'dead-b']) await renders.claim(often.id, owner);
      const { queued, failed } = await renders.settleOrphans([once.id, often.id, waiting.id], 2);
      assert.deepEqual(failed.map((r) => r.id), [often.id]);
      assert.deepEqual(queued.map((r) => r.id).sort(), [once.id, waiting.id].sort());
      const requeued = await renders.get(once.id);
      assert.equal(requeued?.status, 'queued');
      assert.equal(requeued?.progress, 0);
      assert.equal(requeued?.leaseOwner, null);
      assert.equal(await renders.renew(once.id, 'dead-1', 50), false, 'the dead attempt can no longer touch it');
      const gaveUp = await renders.get(often.id);
      assert.equal(gaveUp?.status, 'failed');
      assert.equal(gaveUp?.errorCode, 'INTERNAL_ERROR');
      assert.match(gaveUp?.errorMessage ?? '', /interrupted 2 times/);
    });

    it('lists every live render and settles none it is not given', async () => {
      const jobId = await completedJobId();
      const { render } = await queue(jobId, OPTIONS);
      await renders.claim(render.id, 'live-worker');
      assert.ok((await renders.liveIds()).includes(render.id));
      assert.deepEqual(await renders.settleOrphans([], 3), { queued: [], failed: [] });
      assert.equal((await renders.get(render.id))?.status, 'processing');
    });

    it('records progress without going backwards, completes and releases only for the lease owner', async () => {
      const jobId = await completedJobId();
      const { render } = await queue(jobId, OPTIONS);
      await renders.claim(render.id, 'owner');
      assert.equal(await renders.renew(render.id, 'owner', 30), true);
      assert.equal(await renders.renew(render.id, 'owner', 10), true);
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
      const { render } = await queue(jobId, OPTIONS);
      await renders.claim(render.id, 'owner');
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
