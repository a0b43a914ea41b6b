import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { ProcessVideoRequest, RenderJob } from '@ecg/contracts';
import { startBackgroundWork } from '../src/app.js';
import { JobRepository } from '../src/jobs/job-repository.js';
import { RenderRepository } from '../src/renders/render-repository.js';
import { completedJob } from './helpers/completed-job.js';
import { EXPRESSIVE_RESULT, makeTestVideo } from './helpers/expressive.js';
import { MlStandIn, type StandInRequest } from './helpers/ml-stand-in.js';
import { freePort, startTestBackend, TEST_SECRETS, waitFor, type TestBackend } from './helpers/test-backend.js';
import { TEST_POSTGRES_URL } from './helpers/test-databases.js';
import { uploadFile } from './helpers/upload.js';

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));
const jobIdOf = (r: StandInRequest) => (JSON.parse(r.body) as ProcessVideoRequest).job_id;

async function adminQuery(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: TEST_POSTGRES_URL });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

/** One PostgreSQL schema for the app and one for its work queue, as several backends of one install share them. */
async function sharedDatabase(): Promise<{ env: Record<string, string>; drop(): Promise<void> }> {
  const schema = `ecg_test_${randomBytes(6).toString('hex')}`;
  await adminQuery(`CREATE SCHEMA ${schema}`);
  const url = new URL(TEST_POSTGRES_URL);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    env: { DATABASE_URL: url.toString(), QUEUE_SCHEMA: `${schema}_queue` },
    drop: () => adminQuery(`DROP SCHEMA IF EXISTS ${schema} CASCADE; DROP SCHEMA IF EXISTS ${schema}_queue CASCADE`),
  };
}

let keyNumber = 0;
const fileKey = () => `videos/anonymous/20250101_000000_${String(keyNumber++).padStart(8, '0')}_multi-${keyNumber}.mp4`;

describe('several backends on one PostgreSQL', () => {
  let ml: MlStandIn;
  let mlPort: number;
  before(async () => {
    mlPort = await freePort();
    ml = new MlStandIn();
    await ml.listen(mlPort);
  });
  after(async () => {
    await ml?.close();
  });

  const sentPerJob = (ids: readonly string[]) => {
    const counts = new Map(ids.map((id) => [id, 0]));
    for (const r of ml.processRequests) {
      const id = jobIdOf(r);
      if (counts.has(id)) counts.set(id, counts.get(id)! + 1);
    }
    return counts;
  };

  it('two backends dispatching at once send every job to the ML service exactly once', async () => {
    const db = await sharedDatabase();
    const env = { ...db.env, ML_URL: `http://127.0.0.1:${mlPort}`, DISPATCH_INTERVAL_MS: '20' };
    const backends: TestBackend[] = [];
    try {
      backends.push(await startTestBackend({ env }), await startTestBackend({ env }));
      const jobs = new JobRepository(backends[0]!.db);
      const ids: string[] = [];
      for (let i = 0; i < 40; i += 1) ids.push((await jobs.createOrGetLive(fileKey())).job.id);
      // A little latency per call, so both backends have deliveries in flight together.
      ml.onProcess = async (req) => {
        await new Promise((r) => setTimeout(r, 5 + Math.random() * 20));
        return { status: 202, body: { job_id: jobIdOf(req), status: 'queued' } };
      };
      for (const b of backends) b.app.dispatcher.start();
      await waitFor('every job delivered', async () => {
        const rows = await backends[1]!.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM jobs WHERE status = 'processing'`);
        return rows[0]?.n === ids.length ? true : undefined;
      }, 30_000);
      const counts = sentPerJob(ids);
      assert.deepEqual([...counts.entries()].filter(([, n]) => n !== 1), [], 'no job sent twice, none lost');
      const attempts = await backends[0]!.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM jobs WHERE dispatch_attempts <> 1`);
      assert.equal(attempts[0]?.n, 0, 'one attempt each');
    } finally {
      for (const b of backends) await b.destroy();
      await db.drop();
    }
  });

  it('a backend killed with SIGKILL mid-delivery loses nothing: the other one delivers every job', async () => {
    const db = await sharedDatabase();
    const dataDir = await mkdtemp(join(tmpdir(), 'ecg-killed-'));
    const env = {
      ...db.env,
      ML_URL: `http://127.0.0.1:${mlPort}`,
      DISPATCH_INTERVAL_MS: '50',
      // Short claims and maintenance, so the dead backend's claims come back within the test.
      ML_REQUEST_TIMEOUT_SECONDS: '1',
      QUEUE_MAINTENANCE_SECONDS: '1',
    };
    let child: ChildProcess | undefined;
    let survivor: TestBackend | undefined;
    try {
      // The first backend migrates the schemas; then the jobs exist before either dispatcher runs.
      survivor = await startTestBackend({ env });
      const jobs = new JobRepository(survivor.db);
      const ids: string[] = [];
      for (let i = 0; i < 20; i += 1) ids.push((await jobs.createOrGetLive(fileKey())).job.id);

      // Calls from the doomed backend hang: it dies with deliveries in flight.
      let doomed = true;
      const hung = new Set<string>();
      const accepted = new Map<string, number>();
      ml.onProcess = (req) => {
        const id = jobIdOf(req);
        if (doomed) {
          hung.add(id);
          return new Promise(() => {});
        }
        accepted.set(id, (accepted.get(id) ?? 0) + 1);
        return { status: 202, body: { job_id: id, status: 'queued' } };
      };
      const port = await freePort();
      const output: string[] = [];
      child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
        env: { ...process.env, ...TEST_SECRETS, ...env, DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'info' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout!.on('data', (c: Buffer) => output.push(c.toString()));
      child.stderr!.on('data', (c: Buffer) => output.push(c.toString()));
      await waitFor('the doomed backend to be mid-delivery', async () => (hung.size >= 3 ? true : undefined), 60_000).catch((err: unknown) => {
        throw new Error(`${(err as Error).message}\n${output.join('').slice(-3000)}`);
      });
      child.kill('SIGKILL');
      await new Promise((r) => child!.once('exit', r));
      doomed = false;

      survivor.app.dispatcher.start();
      await waitFor('every job delivered by the survivor', async () => {
        const rows = await survivor!.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM jobs WHERE status = 'processing'`);
        return rows[0]?.n === ids.length ? true : undefined;
      }, 30_000);
      assert.deepEqual(ids.filter((id) => accepted.get(id) !== 1), [], 'each job accepted exactly once');
      // The jobs the dead backend was sending were sent again once its claims expired; the others once.
      const counts = sentPerJob(ids);
      for (const id of ids) assert.equal(counts.get(id), hung.has(id) ? 2 : 1, id);
    } finally {
      if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await survivor?.destroy();
      await rm(dataDir, { recursive: true, force: true });
      await db.drop();
    }
  });

  it('BACKEND_ROLE=api only queues work and BACKEND_ROLE=worker delivers it, serving /health alone', async () => {
    const db = await sharedDatabase();
    const env = { ...db.env, ML_URL: `http://127.0.0.1:${mlPort}`, DISPATCH_INTERVAL_MS: '20' };
    const backends: TestBackend[] = [];
    try {
      const api = await startTestBackend({ env: { ...env, BACKEND_ROLE: 'api' } });
      backends.push(api);
      startBackgroundWork(api.app, api.config.role);
      ml.onProcess = (req) => ({ status: 202, body: { job_id: jobIdOf(req), status: 'queued' } });
      const key = await uploadFile(api.app, 'split.mp4', 'video/mp4', Buffer.from('pretend video'));
      const res = await api.app.inject({ method: 'POST', url: '/api/upload-video/request-process', payload: { fileKey: key } });
      assert.equal(res.statusCode, 200, res.body);
      const jobId = res.json<{ jobId: string }>().jobId;
      const schema = api.config.queue.schema;
      await waitFor('the delivery queued by the api backend', async () => {
        const rows = await api.db.query(`SELECT id FROM ${schema}.job WHERE name = 'ml-dispatch' AND singleton_key = $1 AND state = 'created'`, [jobId]);
        return rows.length === 1 ? true : undefined;
      });
      // Many of its would-be 20 ms dispatch ticks later, still nothing was sent.
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(sentPerJob([jobId]).get(jobId), 0, 'an api backend sends nothing');

      const worker = await startTestBackend({ env: { ...env, BACKEND_ROLE: 'worker' } });
      backends.push(worker);
      startBackgroundWork(worker.app, worker.config.role);
      await waitFor('the worker to deliver it', async () => ((await worker.db.query<{ status: string }>('SELECT status FROM jobs WHERE id = $1', [jobId]))[0]?.status === 'processing' ? true : undefined));
      assert.equal(sentPerJob([jobId]).get(jobId), 1);
      assert.equal((await worker.app.inject({ method: 'GET', url: '/health' })).statusCode, 200);
      const notServed = await worker.app.inject({ method: 'GET', url: `/api/upload-video/jobs/${jobId}` });
      assert.equal(notServed.statusCode, 404, 'a worker serves no API');
    } finally {
      for (const b of backends) await b.destroy();
      await db.drop();
    }
  });

  it('a render claimed by a backend killed with SIGKILL is taken over and finished by another', async () => {
    const db = await sharedDatabase();
    // One DATA_DIR for both (local storage and secrets shared, as on one volume); the database is PostgreSQL.
    const dataDir = await mkdtemp(join(tmpdir(), 'ecg-render-takeover-'));
    const env = {
      ...db.env,
      RENDER_LEASE_SECONDS: '3',
      QUEUE_MAINTENANCE_SECONDS: '1',
      RENDER_POLL_INTERVAL_MS: '50',
      RENDER_X264_PRESET: 'ultrafast',
      RATE_LIMIT_PER_MINUTE: '10000',
    };
    let child: ChildProcess | undefined;
    let survivor: TestBackend | undefined;
    try {
      const videoPath = join(dataDir, 'input.mp4');
      await makeTestVideo(videoPath, 2);
      // The doomed backend's ffmpeg (a stand-in, not the real one) reports a little progress and never finishes.
      const hangingFfmpeg = join(dataDir, 'ffmpeg-hangs');
      await writeFile(
        hangingFfmpeg,
        `#!/bin/sh\ncase "$*" in *-filters*) echo ' ... ass               V->V       Render ASS subtitles onto input video using the libass library.'; exit 0;; esac\n` +
          'echo out_time_us=500000\necho progress=continue\nexec sleep 120\n',
      );
      await chmod(hangingFfmpeg, 0o755);

      survivor = await startTestBackend({ listen: true, dataDir, env });
      const jobId = await completedJob(survivor.app, 'clip.mp4', EXPRESSIVE_RESULT, await readFile(videoPath));
      const res = await survivor.app.inject({ method: 'POST', url: `/api/upload-video/result/${jobId}/render`, payload: {} });
      assert.equal(res.statusCode, 202, res.body);
      const renderId = res.json<RenderJob>().render_id;
      const renders = new RenderRepository(survivor.db);

      const port = await freePort();
      const output: string[] = [];
      // Its own process group, so SIGKILL takes its ffmpeg down with it, as a crashed container would.
      child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
        env: { ...process.env, ...TEST_SECRETS, ...env, DATA_DIR: dataDir, PORT: String(port), FFMPEG_PATH: hangingFfmpeg, LOG_LEVEL: 'info' },
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      });
      child.stdout!.on('data', (c: Buffer) => output.push(c.toString()));
      child.stderr!.on('data', (c: Buffer) => output.push(c.toString()));
      const claimed = await waitFor('the doomed backend to be rendering', async () => {
        const r = await renders.get(renderId);
        return r?.status === 'processing' ? r : undefined;
      }, 60_000).catch((err: unknown) => {
        throw new Error(`${(err as Error).message}\n${output.join('').slice(-3000)}`);
      });
      assert.equal(claimed.attempts, 1);
      process.kill(-child.pid!, 'SIGKILL');
      await new Promise((r) => child!.once('exit', r));

      survivor.app.renderWorker.start();
      const done = await waitFor('the render to be finished by the survivor', async () => {
        const r = await survivor!.app.inject({ method: 'GET', url: `/api/upload-video/result/${jobId}/render/${renderId}` });
        const view = r.json<RenderJob>();
        return view.status === 'completed' || view.status === 'failed' ? view : undefined;
      }, 45_000);
      assert.equal(done.status, 'completed', JSON.stringify(done.error));
      assert.equal((await renders.get(renderId))?.attempts, 2, 'claimed once by each backend');
      const video = await fetch(done.download_url!);
      assert.equal(video.status, 200);
      assert.ok((await video.arrayBuffer()).byteLength > 1000);
    } finally {
      if (child?.pid && child.exitCode === null && child.signalCode === null) process.kill(-child.pid, 'SIGKILL');
      await survivor?.destroy();
      await rm(dataDir, { recursive: true, force: true });
      await db.drop();
    }
  });
});
