import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import type { ProcessVideoRequest } from '@ecg/contracts';
import { dispatchQueuePolicy } from '../src/jobs/dispatcher.js';
import { JobRepository, type Job } from '../src/jobs/job-repository.js';
import { renderQueuePolicy } from '../src/renders/render-worker.js';
import { MlStandIn, type StandInRequest } from './helpers/ml-stand-in.js';
import { freePort, startTestBackend, TEST_SECRETS, waitFor, type TestBackend } from './helpers/test-backend.js';
import { uploadFile } from './helpers/upload.js';

const MAX_BACKOFF_MS = 150;
const FAST = { DISPATCH_INTERVAL_MS: '20', DISPATCH_MAX_BACKOFF_MS: String(MAX_BACKOFF_MS) };
const VIDEO_BYTES = Buffer.from(`pretend video ${'x'.repeat(1000)}`);

const jobIdOf = (r: StandInRequest) => (JSON.parse(r.body) as ProcessVideoRequest).job_id;
const accept = (r: StandInRequest) => ({ status: 202, body: { job_id: jobIdOf(r), status: 'queued' } });

describe('dispatcher: delivering jobs to the ML service', () => {
  let mlPort: number;
  let dataDir: string;
  let b: TestBackend;
  let jobs: JobRepository;
  let ml: MlStandIn | undefined;
  const backendEnv = () => ({ ML_URL: `http://127.0.0.1:${mlPort}`, ...FAST });

  // One backend for the file (PGlite start-up is the slow part); each test uses its own jobs.
  before(async () => {
    mlPort = await freePort();
    dataDir = await mkdtemp(join(tmpdir(), 'ecg-dispatch-'));
    b = await startTestBackend({ dataDir: join(dataDir, 'shared'), listen: true, env: backendEnv() });
    jobs = new JobRepository(b.db);
  });
  after(async () => {
    await b?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });
  afterEach(async () => {
    await b.app.dispatcher.stop();
    await ml?.close();
    ml = undefined;
  });

  async function standIn(): Promise<MlStandIn> {
    ml = new MlStandIn();
    await ml.listen(mlPort);
    return ml;
  }
  async function requestProcess(on: TestBackend, name: string): Promise<string> {
    const fileKey = await uploadFile(on.app, name, 'video/mp4', VIDEO_BYTES);
    const res = await on.app.inject({ method: 'POST', url: '/api/upload-video/request-process', payload: { fileKey, language: 'en' } });
    assert.equal(res.statusCode, 200, res.body);
    return res.json<{ jobId: string }>().jobId;
  }
  const sentFor = (id: string) => (ml?.processRequests ?? []).filter((r) => jobIdOf(r) === id);
  const until = (what: string, repo: JobRepository, id: string, ok: (j: Job) => boolean) =>
    waitFor(what, async () => {
      const j = await repo.get(id);
      return j && ok(j) ? j : undefined;
    });

  it('keeps the job queued while the ML service is down, then delivers it once it is up', async () => {
    b.app.dispatcher.start();
    const jobId = await requestProcess(b, 'lecture.mp4');
    const retried = await until('two failed attempts', jobs, jobId, (j) => j.dispatchAttempts >= 2);
    assert.equal(retried.status, 'queued');

    await standIn();
    const [delivered] = await waitFor('delivery', async () => (sentFor(jobId).length ? sentFor(jobId) : undefined));
    assert.equal(delivered!.headers.authorization, `Bearer ${TEST_SECRETS.ML_API_TOKEN}`);
    const sent = JSON.parse(delivered!.body) as ProcessVideoRequest;
    assert.equal(sent.language, 'en');
    const download = await fetch(sent.video_url);
    assert.equal(download.status, 200);
    assert.deepEqual(Buffer.from(await download.arrayBuffer()), VIDEO_BYTES);

    const processing = await until('processing', jobs, jobId, (j) => j.status === 'processing');
    assert.equal(processing.stage, 'queued');
    assert.ok(processing.dispatchedAt);
  });

  it('passes the speaker counts of request-process on to the ML service, and refuses contradictory ones', async () => {
    await standIn();
    b.app.dispatcher.start();
    const fileKey = await uploadFile(b.app, 'panel.mp4', 'video/mp4', VIDEO_BYTES);
    const bad = await b.app.inject({
      method: 'POST',
      url: '/api/upload-video/request-process',
      payload: { fileKey, min_speakers: 4, max_speakers: 2 },
    });
    assert.equal(bad.statusCode, 400, bad.body);
    assert.equal(bad.json<{ error: { code: string } }>().error.code, 'VALIDATION_ERROR');
    const res = await b.app.inject({ method: 'POST', url: '/api/upload-video/request-process', payload: { fileKey, num_speakers: 3 } });
    assert.equal(res.statusCode, 200, res.body);
    const jobId = res.json<{ jobId: string }>().jobId;
    const [delivered] = await waitFor('delivery', async () => (sentFor(jobId).length ? sentFor(jobId) : undefined));
    const sent = JSON.parse(delivered!.body) as ProcessVideoRequest;
    assert.equal(sent.num_speakers, 3);
    assert.equal('min_speakers' in sent, false);
    // No counts: the ML service is asked for none, and finds them from the audio.
    const auto = await requestProcess(b, 'auto-speakers.mp4');
    const [autoSent] = await waitFor('delivery', async () => (sentFor(auto).length ? sentFor(auto) : undefined));
    assert.equal('num_speakers' in (JSON.parse(autoSent!.body) as object), false);
  });

  it('delivers a job queued before a backend restart', async () => {
    b.app.dispatcher.start();
    const jobId = await requestProcess(b, 'before-restart.mp4');
    await until('a failed attempt', jobs, jobId, (j) => j.dispatchAttempts >= 1);
    await b.stop();

    // A new process in all but name: new app, new dispatcher, the database reopened from DATA_DIR.
    b = await startTestBackend({ dataDir: b.dataDir, listen: true, env: backendEnv() });
    jobs = new JobRepository(b.db);
    await standIn();
    b.app.dispatcher.start();
    await waitFor('delivery after restart', async () => sentFor(jobId)[0]);
    const j = await until('processing', jobs, jobId, (x) => x.status === 'processing');
    assert.ok(j.fileKey.endsWith('before-restart.mp4'));
  });

  it('keeps retrying while the ML service answers 503 busy, and delivers once it accepts', async () => {
    await standIn();
    // Counted per job: a delivery of an earlier test's job landing now must not use up this job's busy answers.
    const busyLeft = new Map<string, number>();
    ml!.onProcess = (req) => {
      const id = jobIdOf(req);
      const left = busyLeft.get(id) ?? 3;
      busyLeft.set(id, left - 1);
      return left > 0
        ? { status: 503, body: { error: { code: 'MODEL_UNAVAILABLE', message: 'loading' } } }
        : { status: 202, body: { job_id: id, status: 'processing', stage: 'downloading' } };
    };
    b.app.dispatcher.start();
    const jobId = await requestProcess(b, 'busy.mp4');
    const j = await until('accepted', jobs, jobId, (x) => x.status === 'processing');
    assert.equal(sentFor(jobId).length, 4);
    assert.equal(j.dispatchAttempts, 4);
    assert.equal(j.stage, 'downloading');
  });

  it('keeps a job the ML service refuses (401) queued, retrying at the slowest pace', async () => {
    await standIn();
    ml!.onProcess = () => ({ status: 401, body: { error: { code: 'UNAUTHORIZED', message: 'bad token' } } });
    const jobId = await requestProcess(b, 'refused.mp4');
    await b.app.dispatcher.tick();
    assert.equal(sentFor(jobId).length, 1);
    assert.equal((await jobs.get(jobId))?.status, 'queued');
    const waits = await b.db.query<{ wait_ms: number }>(
      `SELECT extract(epoch FROM start_after - created_on) * 1000 AS wait_ms FROM ${b.config.queue.schema}.job
        WHERE name = 'ml-dispatch' AND singleton_key = $1 AND state = 'created'`,
      [jobId],
    );
    assert.equal(waits.length, 1, 'one delivery waits');
    assert.equal(Math.round(Number(waits[0]?.wait_ms)), MAX_BACKOFF_MS, 'the next try waits the maximum backoff');
  });

  it('requeues and re-sends a silent job the ML service no longer knows', async () => {
    await standIn();
    const jobId = await requestProcess(b, 'lost.mp4');
    await b.app.dispatcher.tick();
    assert.equal((await jobs.get(jobId))?.status, 'processing');
    await b.db.query(`UPDATE jobs SET last_event_at = now() - interval '1 hour' WHERE id = $1`, [jobId]);
    await b.app.dispatcher.tick();
    assert.ok(ml!.requests.some((r) => r.url === `/api/upload-video/status/${jobId}`), 'asked the ML service');
    assert.equal((await jobs.get(jobId))?.status, 'queued');
    await b.app.dispatcher.tick();
    assert.equal(sentFor(jobId).length, 2, 'sent again');
    assert.equal((await jobs.get(jobId))?.status, 'processing');
  });

  it('fails a silent job the ML service reports failed, with its code', async () => {
    await standIn();
    ml!.onStatus = (id) => ({
      status: 200,
      body: { job_id: id, status: 'failed', progress: 30, stage: 'failed', message: 'No audio', eta_seconds: null, error_code: 'NO_AUDIO_TRACK', error_message: 'The file has no audio track.' },
    });
    const jobId = await requestProcess(b, 'mute.mp4');
    await b.app.dispatcher.tick();
    await b.db.query(`UPDATE jobs SET last_event_at = now() - interval '1 hour' WHERE id = $1`, [jobId]);
    await b.app.dispatcher.tick();
    const j = await jobs.get(jobId);
    assert.equal(j?.status, 'failed');
    assert.equal(j?.errorCode, 'NO_AUDIO_TRACK');
    assert.equal(j?.errorMessage, 'The file has no audio track.');
  });

  it('fails a job older than JOB_TIMEOUT_SECONDS with PROCESSING_TIMEOUT', async () => {
    const jobId = await requestProcess(b, 'forever.mp4');
    await b.db.query(`UPDATE jobs SET created_at = now() - interval '7 hours' WHERE id = $1`, [jobId]);
    await b.app.dispatcher.tick();
    const res = await b.app.inject({ method: 'GET', url: `/api/upload-video/result/${jobId}` });
    assert.equal(res.statusCode, 200);
    assert.equal(res.json<{ status: string; error: { code: string } }>().error.code, 'PROCESSING_TIMEOUT');
  });

  const retireLiveJobs = () => b.db.query(`UPDATE jobs SET status = 'failed', error_code = 'CANCELLED' WHERE status IN ('queued', 'processing')`);
  // What a job looks like after the ML service was unreachable for a while: many attempts, its delivery's next try far off.
  const backOff = async (id: string) => {
    await b.app.dispatcher.enqueue();
    await b.db.query(`UPDATE jobs SET dispatch_attempts = 8 WHERE id = $1`, [id]);
    const moved = await b.db.query(
      `UPDATE ${b.config.queue.schema}.job SET state = 'retry', retry_count = 3, start_after = now() + interval '1 hour'
        WHERE name = 'ml-dispatch' AND singleton_key = $1 AND state IN ('created', 'retry') RETURNING id`,
      [id],
    );
    assert.equal(moved.length, 1);
  };
  const isDue = async (id: string) =>
    (
      await b.db.query<{ due: boolean }>(
        `SELECT start_after <= now() AS due FROM ${b.config.queue.schema}.job
          WHERE name = 'ml-dispatch' AND singleton_key = $1 AND state IN ('created', 'retry')`,
        [id],
      )
    )[0]?.due;

  it('a dispatcher that starts (a backend that comes up) delivers at once the queued jobs waiting out a backoff', async () => {
    await retireLiveJobs();
    await standIn();
    const jobId = await requestProcess(b, 'waited-long.mp4');
    await backOff(jobId);
    b.app.dispatcher.start();
    await waitFor('delivery of the backed-off job', async () => sentFor(jobId)[0], 5000);
    const j = await until('processing', jobs, jobId, (x) => x.status === 'processing');
    assert.equal(j.dispatchAttempts, 9);
  });

  it('when the ML service accepts a job, the other queued jobs waiting out a backoff become due at once', async () => {
    await retireLiveJobs();
    await standIn();
    const accepted = await requestProcess(b, 'first-back.mp4');
    const waiting = await requestProcess(b, 'still-waiting.mp4');
    await backOff(waiting);
    await b.app.dispatcher.tick();
    assert.equal((await jobs.get(accepted))?.status, 'processing');
    assert.equal(await isDue(waiting), true, 'the backed-off job is due now');
    await b.app.dispatcher.tick();
    assert.equal(sentFor(waiting).length, 1);
    assert.equal((await jobs.get(waiting))?.status, 'processing');
  });

  it('leaves backed-off jobs alone while the ML service keeps refusing', async () => {
    await retireLiveJobs();
    await standIn();
    ml!.onProcess = () => ({ status: 503, body: { error: { code: 'MODEL_UNAVAILABLE', message: 'loading' } } });
    const tried = await requestProcess(b, 'tried.mp4');
    const waiting = await requestProcess(b, 'left-alone.mp4');
    await backOff(waiting);
    await b.app.dispatcher.tick();
    assert.equal(sentFor(tried).length, 1);
    assert.equal(await isDue(waiting), false);
  });

  it('stop() aborts the call in flight, waits for its tick to finish writing, and runs no tick after it', async () => {
    // Jobs left live by earlier tests in this file would be claimed first and hold the
    // gated stand-in, so this test would wait on the wrong request: retire them.
    await b.db.query(`UPDATE jobs SET status = 'failed', error_code = 'CANCELLED' WHERE status IN ('queued', 'processing')`);
    await standIn();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    ml!.onProcess = async (req) => {
      await gate;
      return accept(req);
    };
    b.app.dispatcher.start();
    const jobId = await requestProcess(b, 'slow-ml.mp4');
    await waitFor('a request in flight', async () => sentFor(jobId)[0]);
    await b.app.dispatcher.stop();
    // The aborted delivery was recorded as a retry before stop() resolved: nothing half-done.
    const j = await jobs.get(jobId);
    assert.equal(j?.status, 'queued');
    assert.equal(j?.message, 'Waiting for the transcription service.');
    release();
    const count = ml!.requests.length;
    b.app.dispatcher.kick();
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(ml!.requests.length, count, 'a stopped dispatcher ignores kicks');
    assert.deepEqual(await jobs.get(jobId), j, 'and writes nothing more');
  });
});

describe('how the work queue retries deliveries and renders', () => {
  it('doubles delivery delays from DISPATCH_INTERVAL_MS and starts over before a step passes DISPATCH_MAX_BACKOFF_MS', () => {
    const p = dispatchQueuePolicy({ intervalMs: 1000, maxBackoffMs: 30_000, requestTimeoutMs: 15_000 });
    assert.equal(p.retryDelaySeconds, 1);
    assert.equal(p.retryBackoff, true);
    // pg-boss's retry r waits between delay * 2^(r-1) and delay * 2^r: the last one allowed stays within the bound.
    assert.equal(p.retryLimit, 4);
    assert.ok(2 ** p.retryLimit * 1000 <= 30_000 && 2 ** (p.retryLimit + 1) * 1000 > 30_000);
    assert.equal(p.expireInSeconds, 30, 'a claim outlives the call it covers');
    const fast = dispatchQueuePolicy({ intervalMs: 20, maxBackoffMs: 150, requestTimeoutMs: 1000 });
    assert.deepEqual([fast.retryDelaySeconds, fast.retryBackoff], [0, false], 'under a second: retried at the polling pace');
  });

  it('claims a render for RENDER_LEASE_SECONDS and retries it until the attempts run out', () => {
    assert.deepEqual(renderQueuePolicy({ leaseSeconds: 60, maxAttempts: 3 }), {
      retryLimit: 2,
      retryDelaySeconds: 0,
      retryBackoff: false,
      expireInSeconds: 60,
    });
  });
});
