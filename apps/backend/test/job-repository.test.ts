import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { JobRepository } from '../src/jobs/job-repository.js';
import { TEST_DATABASES, useMigratedDatabase, type TestDatabase } from './helpers/test-databases.js';

const RESULT = { text: 'hello', language: 'en', segments: [{ id: 0, start: 0, end: 1, text: 'hello' }] };
let n = 0;
const key = () => `videos/anonymous/20250101_000000_0000000${n++ % 10}_clip-${n}.mp4`;

for (const { driver, open } of TEST_DATABASES) {
  describe(`job repository on ${driver}`, () => {
    let t: TestDatabase;
    let jobs: JobRepository;
    useMigratedDatabase(open, {
      clear: ['jobs'],
      onOpen: (opened) => {
        t = opened;
        jobs = new JobRepository(t.db);
      },
    });

    it('creates a queued job with a random uuid and reads it back', async () => {
      const fileKey = key();
      const { job, created } = await jobs.createOrGetLive(fileKey, { language: 'ko' });
      assert.equal(created, true);
      assert.match(job.id, /^[0-9a-f-]{36}$/);
      assert.equal(job.status, 'queued');
      assert.equal(job.stage, 'queued');
      assert.equal(job.progress, 0);
      assert.ok(job.createdAt instanceof Date);
      const again = await jobs.get(job.id);
      assert.equal(again?.fileKey, fileKey);
      assert.equal(again?.language, 'ko');
    });

    it('answers null, not an error, for an id that is not a uuid', async () => {
      assert.equal(await jobs.get('../../etc/passwd'), null);
      assert.equal(await jobs.get('00000000-0000-4000-8000-000000000000'), null);
    });

    it('keeps at most one live job per file key, even when requests race', async () => {
      const fileKey = key();
      const results = await Promise.all(Array.from({ length: 6 }, () => jobs.createOrGetLive(fileKey)));
      assert.equal(new Set(results.map((r) => r.job.id)).size, 1);
      assert.equal(results.filter((r) => r.created).length, 1);
      assert.equal(await jobs.count(), 1);
    });

    it('refuses a second live row for a key at the database level', async () => {
      const fileKey = key();
      await jobs.createOrGetLive(fileKey);
      await assert.rejects(
        t.db.query(`INSERT INTO jobs (id, file_key) VALUES (gen_random_uuid(), $1)`, [fileKey]),
        /duplicate key|unique/i,
      );
    });

    it('answers the completed job for its key instead of creating a second one (one upload, one job)', async () => {
      const fileKey = key();
      const first = await jobs.createOrGetLive(fileKey);
      await jobs.complete(first.job.id, RESULT, null);
      const second = await jobs.createOrGetLive(fileKey, { language: 'ko' });
      assert.equal(second.created, false);
      assert.equal(second.job.id, first.job.id);
      assert.equal(second.job.status, 'completed');
      assert.equal(second.job.language, null, 'the existing job is answered as it is, not changed');
      assert.equal(await jobs.count(), 1);
    });

    it('answers the failed job for its key too; a new attempt needs a new upload', async () => {
      const fileKey = key();
      const first = await jobs.createOrGetLive(fileKey);
      await jobs.fail(first.job.id, 'NO_AUDIO_TRACK', 'the file has no audio');
      const second = await jobs.createOrGetLive(fileKey);
      assert.equal(second.created, false);
      assert.equal(second.job.id, first.job.id);
      assert.equal(second.job.status, 'failed');
      assert.equal(await jobs.count(), 1);
    });

    it('answers the finished job to concurrent requests for its key, creating none', async () => {
      const fileKey = key();
      const first = await jobs.createOrGetLive(fileKey);
      await jobs.complete(first.job.id, RESULT, null);
      const repoB = new JobRepository(t.openSecond());
      const results = await Promise.all(
        Array.from({ length: 6 }, (_, i) => (i % 2 === 0 ? jobs : repoB).createOrGetLive(fileKey)),
      );
      assert.deepEqual(new Set(results.map((r) => r.job.id)), new Set([first.job.id]));
      assert.equal(results.filter((r) => r.created).length, 0);
      assert.equal(await jobs.count(), 1);
    });

    it('lists the queued jobs that need a delivery, oldest first, and no other', async () => {
      const a = (await jobs.createOrGetLive(key())).job;
      const b = (await jobs.createOrGetLive(key())).job;
      const done = (await jobs.createOrGetLive(key())).job;
      await jobs.complete(done.id, RESULT, null);
      const ids = await jobs.queuedIds(100);
      assert.ok(ids.indexOf(a.id) < ids.indexOf(b.id) && ids.indexOf(a.id) >= 0);
      assert.equal(ids.includes(done.id), false);
    });

    it('counts a delivery attempt only for a job still queued', async () => {
      const { job } = await jobs.createOrGetLive(key());
      assert.equal((await jobs.beginDispatchAttempt(job.id))?.dispatchAttempts, 1);
      await jobs.noteDispatchWait(job.id, 'waiting');
      const second = await jobs.beginDispatchAttempt(job.id);
      assert.equal(second?.dispatchAttempts, 2);
      assert.equal(second?.message, 'waiting');
      await jobs.markDispatched(job.id, 'queued');
      assert.equal(await jobs.beginDispatchAttempt(job.id), null, 'a delivered job is not sent again');
    });

    it('moves an accepted job to processing, but not one a callback already finished', async () => {
      const a = (await jobs.createOrGetLive(key())).job;
      assert.equal(await jobs.markDispatched(a.id, 'downloading'), true);
      const got = await jobs.get(a.id);
      assert.equal(got?.status, 'processing');
      assert.equal(got?.stage, 'downloading');
      assert.ok(got?.dispatchedAt);

      const b = (await jobs.createOrGetLive(key())).job;
      await jobs.complete(b.id, RESULT, null);
      assert.equal(await jobs.markDispatched(b.id, 'queued'), false);
      assert.equal((await jobs.get(b.id))?.status, 'completed');
    });

    it('never lets progress go backwards, and ignores the stage of an out-of-order report', async () => {
      const { job } = await jobs.createOrGetLive(key());
      await jobs.recordProgress(job.id, { progress: 40, stage: 'transcribing', message: 'at 40' });
      const after = await jobs.recordProgress(job.id, { progress: 20, stage: 'downloading', message: 'late report' });
      assert.equal(after?.status, 'processing');
      assert.equal(after?.progress, 40);
      assert.equal(after?.stage, 'transcribing');
      assert.equal(after?.message, 'at 40');
      const on = await jobs.recordProgress(job.id, { progress: 55.5, stage: 'analyzing' });
      assert.equal(on?.progress, 55.5);
      assert.equal(on?.stage, 'analyzing');
    });

    it('completes once: the result and progress 100 are stored, and a terminal job does not change again', async () => {
      const { job } = await jobs.createOrGetLive(key());
      const done = await jobs.complete(job.id, RESULT, null);
      assert.equal(done?.status, 'completed');
      assert.equal(done?.progress, 100);
      assert.deepEqual(done?.result, RESULT);
      assert.ok(done?.completedAt);
      assert.equal(await jobs.complete(job.id, { ...RESULT, text: 'other' }, null), null);
      assert.equal(await jobs.fail(job.id, 'TRANSCRIPTION_ERROR', 'x'), null);
      assert.equal(await jobs.recordProgress(job.id, { progress: 10 }), null);
      assert.deepEqual((await jobs.get(job.id))?.result, RESULT);
    });

    it('records a failure with its code and message', async () => {
      const { job } = await jobs.createOrGetLive(key());
      const failed = await jobs.fail(job.id, 'NO_AUDIO_TRACK', 'the file has no audio');
      assert.equal(failed?.status, 'failed');
      assert.equal(failed?.errorCode, 'NO_AUDIO_TRACK');
      assert.equal(failed?.errorMessage, 'the file has no audio');
    });

    it('claims a processing job that has been silent too long, once per period, and requeues it', async () => {
      const { job } = await jobs.createOrGetLive(key());
      await jobs.markDispatched(job.id, 'queued');
      assert.deepEqual(await jobs.claimStaleProcessing(600, 10), [], 'a fresh job is not stale');
      await t.db.query(`UPDATE jobs SET last_event_at = now() - interval '1 hour' WHERE id = $1`, [job.id]);
      const stale = await jobs.claimStaleProcessing(600, 10);
      assert.deepEqual(stale.map((j) => j.id), [job.id]);
      assert.deepEqual(await jobs.claimStaleProcessing(600, 10), [], 'checked at most once per period');
      assert.equal(await jobs.requeue(job.id, 'lost'), true);
      const requeued = await jobs.get(job.id);
      assert.equal(requeued?.status, 'queued');
      assert.ok((await jobs.queuedIds(100)).includes(job.id), 'it needs a delivery again');
    });

    it('fails live jobs older than the timeout with PROCESSING_TIMEOUT and leaves younger ones', async () => {
      const old = (await jobs.createOrGetLive(key())).job;
      const young = (await jobs.createOrGetLive(key())).job;
      await t.db.query(`UPDATE jobs SET created_at = now() - interval '7 hours' WHERE id = $1`, [old.id]);
      const failed = await jobs.failTimedOut(6 * 3600, 'too slow');
      assert.deepEqual(failed.map((j) => j.id), [old.id]);
      assert.equal((await jobs.get(old.id))?.errorCode, 'PROCESSING_TIMEOUT');
      assert.equal((await jobs.get(young.id))?.status, 'queued');
    });
  });
}

// Only PGlite counts changes (db.ts): its background loops skip their probes while the count stands still.
describe('job repository on pglite: the writes that wake the background loops', () => {
  let t: TestDatabase;
  let jobs: JobRepository;
  useMigratedDatabase(TEST_DATABASES.find((d) => d.driver === 'pglite')!.open, {
    clear: ['jobs'],
    onOpen: (opened) => {
      t = opened;
      jobs = new JobRepository(t.db);
    },
  });

  it('counts a progress report as a change when it starts a queued job, not while the job runs', async () => {
    const changes = () => t.db.changes!();
    const { job } = await jobs.createOrGetLive(key());
    const queued = changes();
    await jobs.recordProgress(job.id, { progress: 5, stage: 'downloading', message: 'downloading' });
    assert.equal(changes(), queued + 1, 'a job that became processing is news to the stale check');
    assert.equal((await jobs.get(job.id))?.status, 'processing');

    const running = changes();
    const on = await jobs.recordProgress(job.id, { progress: 40, stage: 'transcribing', message: 'at 40' });
    await jobs.touch(job.id);
    assert.equal(changes(), running, "a running job's reports only move its liveness time on");
    assert.equal(on?.progress, 40);
    const got = await jobs.get(job.id);
    assert.equal(got?.stage, 'transcribing');
    assert.equal(got?.message, 'at 40');

    await jobs.complete(job.id, RESULT, null);
    assert.equal(changes(), running + 1);
    assert.equal(await jobs.recordProgress(job.id, { progress: 50 }), null, 'a finished job takes no report');
  });
});
