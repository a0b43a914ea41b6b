import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { after, before, beforeEach, describe, it } from 'node:test';
import { signCallback } from '@ecg/signing';
import type { JobListResponse, TranscriptResult } from '@ecg/contracts';
import { buildApp, type App } from '../src/app.js';
import type { Db } from '../src/db/db.js';
import { runMigrations } from '../src/db/migrate.js';
import { JobDeletionRepository } from '../src/jobs/job-deletion-repository.js';
import { renderKey, thumbnailsKey, thumbnailsLayoutKey, waveformKey } from '../src/storage/derived-keys.js';
import type { ObjectStorage } from '../src/storage/storage.js';
import { completedJob, queuedJob } from './helpers/completed-job.js';
import { MlStandIn } from './helpers/ml-stand-in.js';
import { freePort, listStoredFiles, startTestBackend, TEST_SECRETS, type TestBackend } from './helpers/test-backend.js';
import { TEST_DATABASES, type TestDatabase } from './helpers/test-databases.js';

const RESULT: TranscriptResult = { text: 'hello there', language: 'en', segments: [{ id: 0, start: 0, end: 1, text: 'hello there' }] };
const VIDEO = Buffer.from('pretend video bytes');

/** A real backend (local storage under a temp DATA_DIR) on PGlite or on a PostgreSQL schema of its own. */
interface Stack {
  app: App;
  db: Db;
  storage: ObjectStorage;
  dataDir: string;
  close(): Promise<void>;
}

async function openStack(pg: TestDatabase | undefined, opts: { dataDir?: string; env?: Record<string, string> } = {}): Promise<Stack> {
  const b: TestBackend = await startTestBackend({ ...(opts.dataDir ? { dataDir: opts.dataDir } : {}), env: opts.env ?? {} });
  if (!pg) return { app: b.app, db: b.db, storage: b.storage, dataDir: b.dataDir, close: () => b.stop() };
  // The same configuration and storage, on PostgreSQL instead of the PGlite startTestBackend opened.
  const app = await buildApp({ config: b.config, db: pg.db, storage: b.storage });
  await app.ready();
  return {
    app,
    db: pg.db,
    storage: b.storage,
    dataDir: b.dataDir,
    async close() {
      await app.close();
      await b.stop();
    },
  };
}

async function rowCounts(db: Db): Promise<{ jobs: number; renders: number }> {
  const [j] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM jobs');
  const [r] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM renders');
  return { jobs: j?.n ?? 0, renders: r?.n ?? 0 };
}

async function fileKeyOf(db: Db, id: string): Promise<string> {
  const [row] = await db.query<{ file_key: string }>('SELECT file_key FROM jobs WHERE id = $1', [id]);
  assert.ok(row, `job ${id} has a row`);
  return row.file_key;
}

/** Gives a completed job everything a job can own: waveform, thumbnail sprite and layout, a finished render. */
async function furnish(s: Stack, id: string): Promise<{ renderId: string; keys: string[] }> {
  const fileKey = await fileKeyOf(s.db, id);
  const renderId = crypto.randomUUID();
  const keys = [waveformKey(fileKey), thumbnailsKey(fileKey), thumbnailsLayoutKey(fileKey), renderKey(id, renderId)];
  for (const key of keys) await s.storage.write(key, Readable.from([Buffer.from(`bytes of ${key}`)]), 'application/octet-stream');
  await s.db.query(
    `INSERT INTO renders (id, job_id, status, progress, expressive, strength, output_key, completed_at)
     VALUES ($1, $2, 'completed', 100, false, 0, $3, now())`,
    [renderId, id, renderKey(id, renderId)],
  );
  return { renderId, keys: [fileKey, ...keys] };
}

function deleteJob(app: App, id: string) {
  return app.inject({ method: 'DELETE', url: `/api/upload-video/jobs/${id}` });
}

function lateDelivery(app: App, body: object) {
  const raw = JSON.stringify(body);
  return app.inject({
    method: 'POST',
    url: '/api/upload-video/result',
    headers: { 'content-type': 'application/json', ...signCallback(TEST_SECRETS.CALLBACK_SECRET, raw) },
    payload: raw,
  });
}

/** The objects local storage holds (each file under objects/; its metadata sits under objects-meta/). */
async function storedObjects(dataDir: string): Promise<string[]> {
  return (await listStoredFiles(dataDir)).filter((p) => p.startsWith('objects/')).map((p) => p.slice('objects/'.length));
}

const errorCode = (body: string) => (JSON.parse(body) as { error: { code: string } }).error.code;

for (const { driver, open } of TEST_DATABASES) {
  describe(`job deletion on ${driver}`, () => {
    let pg: TestDatabase | undefined;
    let ml: MlStandIn;
    let mlUrl: string;
    const stacks: Stack[] = [];
    const stack = async (opts: { dataDir?: string; env?: Record<string, string> } = {}) => {
      const s = await openStack(pg, { ...opts, env: { ML_URL: mlUrl, ...opts.env } });
      stacks.push(s);
      return s;
    };

    before(async () => {
      if (driver === 'postgres') {
        pg = await open();
        await runMigrations(pg.db);
      }
      ml = new MlStandIn();
      const port = await freePort();
      await ml.listen(port);
      mlUrl = `http://127.0.0.1:${port}`;
    });
    beforeEach(async () => {
      ml.requests.length = 0;
      if (pg) await pg.db.query('DELETE FROM jobs');
    });
    after(async () => {
      for (const s of stacks) await s.close();
      await ml.close();
      await pg?.cleanup();
    });

    it('deletes a completed job: no object and no row is left, and its id answers 404 afterwards', async () => {
      const s = await stack();
      const id = await completedJob(s.app, 'talk.mp4', RESULT, VIDEO);
      const { renderId, keys } = await furnish(s, id);
      assert.deepEqual(await storedObjects(s.dataDir), [...keys].sort(), 'the video, its derived files and the render are stored');

      const res = await deleteJob(s.app, id);
      assert.equal(res.statusCode, 204);
      assert.equal(res.body, '');
      assert.deepEqual(await listStoredFiles(s.dataDir), []);
      assert.deepEqual(await rowCounts(s.db), { jobs: 0, renders: 0 });
      assert.ok(!ml.requests.some((r) => r.method === 'DELETE'), 'a finished job is not cancelled on the ML service');

      for (const url of [`/api/upload-video/result/${id}`, `/api/upload-video/result/${id}/render/${renderId}`]) {
        const read = await s.app.inject({ method: 'GET', url });
        assert.equal(read.statusCode, 404, url);
        assert.equal(errorCode(read.body), 'JOB_NOT_FOUND', url);
      }
      const again = await deleteJob(s.app, id);
      assert.equal(again.statusCode, 404);
      assert.equal(errorCode(again.body), 'JOB_NOT_FOUND');
    });

    it('answers 404 JOB_NOT_FOUND for an unknown or malformed id', async () => {
      const s = await stack();
      for (const id of [crypto.randomUUID(), 'not-a-uuid']) {
        const res = await deleteJob(s.app, id);
        assert.equal(res.statusCode, 404, id);
        assert.equal(errorCode(res.body), 'JOB_NOT_FOUND', id);
      }
    });

    it('hides a job from every read the moment it is marked, and answers 204 to a DELETE of a job being deleted', async () => {
      const s = await stack();
      const id = await completedJob(s.app, 'marked.mp4', RESULT, VIDEO);
      const { renderId } = await furnish(s, id);
      const kept = await completedJob(s.app, 'kept.mp4', RESULT, VIDEO);
      assert.ok(await new JobDeletionRepository(s.db).markForDeletion(id, 'anonymous'));

      const list = (await s.app.inject({ method: 'GET', url: '/api/upload-video/jobs' })).json<JobListResponse>();
      assert.deepEqual(list.jobs.map((j) => j.job_id), [kept]);
      const reads = [
        `/api/upload-video/result/${id}`,
        `/api/upload-video/status/${id}`,
        `/api/upload-video/jobs/${id}`,
        `/api/upload-video/result/${id}/captions`,
        `/api/upload-video/result/${id}/export?format=srt`,
        `/api/upload-video/result/${id}/media`,
        `/api/upload-video/result/${id}/waveform`,
        `/api/upload-video/result/${id}/thumbnails`,
        `/api/upload-video/result/${id}/thumbnails.jpg`,
        `/api/upload-video/result/${id}/render/${renderId}`,
      ];
      for (const url of reads) {
        const res = await s.app.inject({ method: 'GET', url });
        assert.equal(res.statusCode, 404, url);
        assert.equal(errorCode(res.body), 'JOB_NOT_FOUND', url);
      }
      const render = await s.app.inject({ method: 'POST', url: `/api/upload-video/result/${id}/render`, payload: {} });
      assert.equal(render.statusCode, 404, 'no new render for a job being deleted');
      // Its upload goes with it: asking to process the key again makes no new job.
      const again = await s.app.inject({ method: 'POST', url: '/api/upload-video/request-process', payload: { fileKey: await fileKeyOf(s.db, id) } });
      assert.equal(again.statusCode, 404, again.body);
      assert.equal(errorCode(again.body), 'OBJECT_NOT_FOUND');

      assert.equal((await deleteJob(s.app, id)).statusCode, 204);
      assert.deepEqual(await rowCounts(s.db), { jobs: 1, renders: 0 }, 'only the kept job is left');
      assert.deepEqual(await storedObjects(s.dataDir), [await fileKeyOf(s.db, kept)], 'and only its video');
    });

    it('finishes on the next sweep a deletion interrupted after the mark, in a backend started afterwards', async () => {
      const first = await stack();
      const id = await completedJob(first.app, 'interrupted.mp4', RESULT, VIDEO);
      const { keys } = await furnish(first, id);
      // The crash: marked, the video and the waveform deleted, then nothing more.
      await new JobDeletionRepository(first.db).markForDeletion(id, 'anonymous');
      await first.storage.delete(keys[0]!);
      await first.storage.delete(keys[1]!);
      await first.close();
      stacks.splice(stacks.indexOf(first), 1);

      const second = await stack({ dataDir: first.dataDir });
      assert.deepEqual(await storedObjects(second.dataDir), keys.slice(2).sort(), 'what the crash left behind');
      assert.deepEqual(await rowCounts(second.db), { jobs: 1, renders: 1 });
      await second.app.retentionSweep.tick();
      assert.deepEqual(await listStoredFiles(second.dataDir), []);
      assert.deepEqual(await rowCounts(second.db), { jobs: 0, renders: 0 });
    });

    it('cancels a running job on the ML service (with the ML token) before deleting it', async () => {
      const s = await stack();
      const id = await queuedJob(s.app, 'running.mp4', VIDEO);
      await s.app.dispatcher.tick();
      const [row] = await s.db.query<{ status: string }>('SELECT status FROM jobs WHERE id = $1', [id]);
      assert.equal(row?.status, 'processing', 'the ML service holds the job');

      assert.equal((await deleteJob(s.app, id)).statusCode, 204);
      const cancels = ml.requests.filter((r) => r.method === 'DELETE');
      assert.equal(cancels.length, 1);
      assert.equal(cancels[0]!.url, `/api/upload-video/jobs/${id}`);
      assert.equal(cancels[0]!.headers.authorization, `Bearer ${TEST_SECRETS.ML_API_TOKEN}`);
      assert.deepEqual(await listStoredFiles(s.dataDir), []);
      assert.deepEqual(await rowCounts(s.db), { jobs: 0, renders: 0 });
    });

    it('keeps a running job marked while the ML service cannot be reached, and deletes it once the cancel goes through', async () => {
      // Nothing answers on the discard port: the cancel fails, the job stays marked (hidden) with its video.
      const down = await stack({ env: { ML_URL: 'http://127.0.0.1:9' } });
      const id = await queuedJob(down.app, 'unreachable.mp4', VIDEO);
      assert.equal((await deleteJob(down.app, id)).statusCode, 204);
      assert.equal((await down.app.inject({ method: 'GET', url: `/api/upload-video/result/${id}` })).statusCode, 404);
      assert.deepEqual(await rowCounts(down.db), { jobs: 1, renders: 0 });
      assert.equal((await storedObjects(down.dataDir)).length, 1);
      await down.app.retentionSweep.tick();
      assert.deepEqual(await rowCounts(down.db), { jobs: 1, renders: 0 }, 'still held back: the ML service may still run it');
      await down.close();
      stacks.splice(stacks.indexOf(down), 1);

      const up = await stack({ dataDir: down.dataDir });
      await up.app.retentionSweep.tick();
      assert.deepEqual(
        ml.requests.filter((r) => r.method === 'DELETE').map((r) => r.url),
        [`/api/upload-video/jobs/${id}`],
      );
      assert.deepEqual(await rowCounts(up.db), { jobs: 0, renders: 0 });
      assert.deepEqual(await listStoredFiles(up.dataDir), []);
    });

    it('does not let a late result bring a deleted job back, marked or gone', async () => {
      const s = await stack();
      const marked = await queuedJob(s.app, 'late-marked.mp4', VIDEO);
      const gone = await queuedJob(s.app, 'late-gone.mp4', VIDEO);
      await new JobDeletionRepository(s.db).markForDeletion(marked, 'anonymous');
      assert.equal((await deleteJob(s.app, gone)).statusCode, 204);

      const waveform = { version: 2, channels: 1, sample_rate: 16000, samples_per_pixel: 160, bits: 8, length: 1, data: [-12, 14] };
      for (const id of [marked, gone]) {
        const res = await lateDelivery(s.app, { job_id: id, result: RESULT, waveform });
        assert.equal(res.statusCode, 404, id);
        assert.equal(errorCode(res.body), 'JOB_NOT_FOUND', id);
        const progress = await lateDelivery(s.app, { job_id: id, status: 'processing', progress: 50 });
        assert.equal(progress.statusCode, 404, id);
      }
      const [row] = await s.db.query<{ status: string }>('SELECT status FROM jobs WHERE id = $1', [marked]);
      assert.equal(row?.status, 'queued', 'the marked row was not completed by the late delivery');
      await s.app.retentionSweep.tick();
      assert.deepEqual(await rowCounts(s.db), { jobs: 0, renders: 0 });
      assert.deepEqual(await listStoredFiles(s.dataDir), [], 'no waveform was written for either');
      const list = (await s.app.inject({ method: 'GET', url: '/api/upload-video/jobs' })).json<JobListResponse>();
      assert.deepEqual(list.jobs, []);
    });

    it('RETENTION_DAYS: the sweep deletes a job older than that and keeps a younger one; the list shows each expiry', async () => {
      const s = await stack({ env: { RETENTION_DAYS: '30' } });
      const old = await completedJob(s.app, 'old.mp4', RESULT, VIDEO);
      await furnish(s, old);
      const young = await completedJob(s.app, 'young.mp4', RESULT, VIDEO);
      await s.db.query(`UPDATE jobs SET created_at = now() - interval '31 days' WHERE id = $1`, [old]);
      await s.db.query(`UPDATE jobs SET created_at = now() - interval '29 days' WHERE id = $1`, [young]);

      const before = (await s.app.inject({ method: 'GET', url: '/api/upload-video/jobs' })).json<JobListResponse>();
      for (const j of before.jobs) {
        const days = (Date.parse(j.expires_at!) - Date.parse(j.created_at)) / 86_400_000;
        assert.equal(days, 30, j.job_id);
      }
      await s.app.retentionSweep.tick();
      const afterSweep = (await s.app.inject({ method: 'GET', url: '/api/upload-video/jobs' })).json<JobListResponse>();
      assert.deepEqual(afterSweep.jobs.map((j) => j.job_id), [young]);
      assert.deepEqual(await rowCounts(s.db), { jobs: 1, renders: 0 });
      assert.deepEqual(await storedObjects(s.dataDir), [await fileKeyOf(s.db, young)]);
    });

    it('RETENTION_DAYS cancels an expired job the ML service still holds', async () => {
      const s = await stack({ env: { RETENTION_DAYS: '1' } });
      const id = await queuedJob(s.app, 'stuck.mp4', VIDEO);
      await s.app.dispatcher.tick();
      await s.db.query(`UPDATE jobs SET created_at = now() - interval '2 days' WHERE id = $1`, [id]);
      await s.app.retentionSweep.tick();
      assert.deepEqual(ml.requests.filter((r) => r.method === 'DELETE').map((r) => r.url), [`/api/upload-video/jobs/${id}`]);
      assert.deepEqual(await rowCounts(s.db), { jobs: 0, renders: 0 });
    });

    it('lists (and reads one job with) expires_at null without RETENTION_DAYS, and storage_bytes as the sum of the stored objects', async () => {
      const s = await stack();
      const id = await completedJob(s.app, 'sized.mp4', RESULT, VIDEO);
      const bare = await completedJob(s.app, 'bare.mp4', RESULT, VIDEO);
      const { keys } = await furnish(s, id);
      let expected = 0;
      for (const key of keys) expected += (await s.storage.head(key))!.size;
      const list = (await s.app.inject({ method: 'GET', url: '/api/upload-video/jobs' })).json<JobListResponse>();
      const byId = new Map(list.jobs.map((j) => [j.job_id, j]));
      assert.equal(byId.get(id)?.storage_bytes, expected);
      assert.equal(byId.get(bare)?.storage_bytes, VIDEO.length, 'only the video');
      assert.equal(byId.get(id)?.expires_at, null);
      const one = await s.app.inject({ method: 'GET', url: `/api/upload-video/jobs/${id}` });
      assert.equal(one.statusCode, 200);
      assert.deepEqual(one.json(), byId.get(id), 'the job page reads the same summary');
      await deleteJob(s.app, id);
      assert.equal((await s.app.inject({ method: 'GET', url: `/api/upload-video/jobs/${id}` })).statusCode, 404);
    });
  });
}
