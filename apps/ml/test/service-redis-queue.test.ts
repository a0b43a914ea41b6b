/**
 * Several ML instances on one Redis (REDIS_URL, BullMQ): real services, real
 * whisper-cli with the generated test model and real ffmpeg for the jobs that
 * complete; the workers killed with SIGKILL are child processes whose engine
 * is a fake named in support/bull-worker-child.ts. Each test takes a key
 * prefix of its own on the suite's Redis and deletes it; the Redis restart
 * test runs a redis-server of its own.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { MlStatusResponse } from '@ecg/contracts';
import { JFK_WAV, requireWhisperCli } from './helpers/fixtures.js';
import { testModelPath } from './helpers/test-model.js';
import { muxIntoMp4 } from './support/media.js';
import { getStatus, makeDataDir, pollUntilDone, processVideo, removeDir, SECRET, startService, TOKEN, type RunningService } from './support/ml-service.js';
import { deletePrefix, SHARED_REDIS_URL, startOwnRedis, uniquePrefix } from './support/redis.js';
import { startStandIn, type StandIn } from './support/stand-in-backend.js';

const CHILD = join(import.meta.dirname, 'support', 'bull-worker-child.ts');

describe('ML service on the shared queue (Redis and BullMQ)', () => {
  let media: string;
  let standIn: StandIn;
  let model: string;
  let jfkMp4: string;
  const services: RunningService[] = [];
  const dataDirs: string[] = [];
  const prefixes: string[] = [];
  const children: ChildProcess[] = [];

  before(async () => {
    requireWhisperCli();
    model = await testModelPath('micro');
    media = await mkdtemp(join(tmpdir(), 'ecg-ml-media-'));
    standIn = await startStandIn({ secret: SECRET });
    jfkMp4 = await muxIntoMp4(JFK_WAV, join(media, 'jfk.mp4'));
  });
  after(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    for (const s of services) await s.stop().catch(() => undefined);
    await standIn?.close();
    for (const p of prefixes) await deletePrefix(p);
    for (const d of dataDirs) await removeDir(d);
    await rm(media, { recursive: true, force: true });
  });

  /** The environment of an instance on `prefix`: short locks so a lost worker is noticed in seconds. */
  const envFor = async (prefix: string, role: 'all' | 'api' | 'worker', redisUrl = SHARED_REDIS_URL): Promise<Record<string, string>> => {
    const dataDir = await makeDataDir();
    dataDirs.push(dataDir);
    return {
      DATA_DIR: dataDir,
      WHISPER_MODEL: model,
      BACKEND_URL: standIn.origin,
      REDIS_URL: redisUrl,
      ML_QUEUE_PREFIX: prefix,
      ML_ROLE: role,
      ML_LOCK_DURATION_MS: '2000',
      ML_STALLED_INTERVAL_MS: '1000',
      ML_MAX_STALLED_COUNT: '1',
    };
  };
  const instance = async (prefix: string, role: 'all' | 'api' | 'worker', redisUrl?: string) => {
    const s = await startService(await envFor(prefix, role, redisUrl));
    services.push(s);
    return s;
  };
  const newPrefix = () => {
    const p = uniquePrefix();
    prefixes.push(p);
    return p;
  };

  /** A worker-only instance in a child process with a fake engine; resolves once it takes jobs. */
  const childWorker = async (prefix: string, engine: 'hang' | 'kill-self'): Promise<ChildProcess> => {
    const env = await envFor(prefix, 'worker');
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD], {
      env: {
        ...process.env,
        ...env,
        ML_API_TOKEN: TOKEN,
        CALLBACK_SECRET: SECRET,
        ML_PORT: '0',
        LOG_LEVEL: 'silent',
        WHISPER_VAD: 'off',
        WHISPER_TEMPERATURE_FALLBACK: 'false',
        ECG_TEST_FAKE_ENGINE: engine,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.push(child);
    await new Promise<void>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (c: Buffer) => {
        out += c.toString();
        if (out.includes('ready')) resolve();
      });
      child.once('exit', (code, signal) => reject(new Error(`worker child exited (${code ?? signal}) before it was ready`)));
    });
    return child;
  };
  const exited = (child: ChildProcess) =>
    child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise<void>((r) => child.once('exit', () => r()));

  async function until<T>(read: () => Promise<T>, pred: (v: T) => boolean): Promise<T> {
    for (;;) {
      const v = await read();
      if (pred(v)) return v;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  const finalDeliveries = (jobId: string) => standIn.deliveries.filter((d) => d.body.job_id === jobId && d.body.status !== 'processing');

  it('an api-only instance takes the job, a worker-only instance runs it, and every api instance answers the same status', async () => {
    const prefix = newPrefix();
    const api = await instance(prefix, 'api');
    const otherApi = await instance(prefix, 'api');
    const worker = await instance(prefix, 'worker');
    const jobId = randomUUID();
    const body = { job_id: jobId, video_url: standIn.serve('shared.mp4', jfkMp4) };

    const res = await processVideo(api.url, body);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { job_id: jobId, status: 'queued' });
    const again = await processVideo(otherApi.url, body);
    assert.equal(((await again.json()) as { job_id: string }).job_id, jobId, 'a repeat on another instance answers the same job');

    const seen = await pollUntilDone(api.url, jobId, 50);
    const last = seen.at(-1)!;
    assert.equal(last.status, 'completed', last.error_message);
    assert.ok(seen.some((s) => s.status === 'processing' && s.progress > 0), 'progress written by the worker is visible on the api instance');
    assert.deepEqual(await getStatus(otherApi.url, jobId), await getStatus(api.url, jobId));
    await standIn.waitForDelivery((d) => d.body.job_id === jobId && d.body.status === 'completed');
    assert.equal(finalDeliveries(jobId).length, 1, 'delivered once');
    assert.equal((await api.service.store.get(jobId))?.runs, 1, 'run once despite the repeated request');

    // The worker serves only /health: it takes no jobs over HTTP and holds no status of its own.
    assert.equal((await fetch(`${worker.url}/api/upload-video/status/${jobId}`)).status, 404);
    const health = (await (await fetch(`${worker.url}/health`)).json()) as { queue: { concurrency: number } };
    assert.equal(health.queue.concurrency, 1);
    const apiHealth = (await (await fetch(`${api.url}/health`)).json()) as { queue: { concurrency: number } };
    assert.equal(apiHealth.queue.concurrency, 0, 'an api-only instance runs nothing');
  });

  it('a job whose worker is killed with SIGKILL mid-job is run again by another worker and delivered once', async () => {
    const prefix = newPrefix();
    const api = await instance(prefix, 'api');
    const doomed = await childWorker(prefix, 'hang');
    const jobId = randomUUID();
    assert.equal((await processVideo(api.url, { job_id: jobId, video_url: standIn.serve('killed.mp4', jfkMp4) })).status, 200);
    await until(() => getStatus(api.url, jobId), (s: MlStatusResponse) => s.stage === 'transcribing');

    const survivor = await instance(prefix, 'worker');
    doomed.kill('SIGKILL');
    await exited(doomed);
    const last = (await pollUntilDone(api.url, jobId, 50)).at(-1)!;
    assert.equal(last.status, 'completed', last.error_message);
    await standIn.waitForDelivery((d) => d.body.job_id === jobId && d.body.status === 'completed');
    assert.equal(finalDeliveries(jobId).length, 1, 'delivered once');
    assert.equal((await api.service.store.get(jobId))?.runs, 2, 'the killed run and the one that finished');
    void survivor;
  });

  it('a job that kills its worker every time ends failed with INTERNAL_ERROR after ML_MAX_STALLED_COUNT reruns, not looping', async () => {
    const prefix = newPrefix();
    const api = await instance(prefix, 'api');
    const jobId = randomUUID();
    assert.equal((await processVideo(api.url, { job_id: jobId, video_url: standIn.serve('poison.mp4', jfkMp4) })).status, 200);

    // As a supervisor would, start a new worker each time one dies, until the job has ended.
    let started = 0;
    let status = await getStatus(api.url, jobId);
    while (status.status !== 'failed' && started < 6) {
      const child = await childWorker(prefix, 'kill-self');
      started++;
      await Promise.race([exited(child), until(() => getStatus(api.url, jobId), (s: MlStatusResponse) => s.status === 'failed')]);
      status = await getStatus(api.url, jobId);
    }
    assert.equal(status.status, 'failed');
    assert.equal(status.error_code, 'INTERNAL_ERROR');
    assert.match(status.error_message ?? '', /stopped 2 times/);
    assert.equal((await api.service.store.get(jobId))?.runs, 2, 'one run and one rerun (ML_MAX_STALLED_COUNT=1), then no more');
    assert.equal(started, 3, 'the third worker fails the job instead of running it');
    const failure = await standIn.waitForDelivery((d) => d.body.job_id === jobId && d.body.status === 'failed');
    assert.equal(failure.body.error_code, 'INTERNAL_ERROR');
    assert.equal(finalDeliveries(jobId).length, 1);
  });

  it('queued jobs are not lost when Redis restarts (appendonly yes)', async () => {
    const redis = await startOwnRedis();
    try {
      const prefix = 'ecg-ml';
      const api = await instance(prefix, 'api', redis.url);
      const jobs = [randomUUID(), randomUUID()];
      for (const jobId of jobs) {
        assert.equal((await processVideo(api.url, { job_id: jobId, video_url: standIn.serve(`${jobId}.mp4`, jfkMp4) })).status, 200);
      }
      await redis.stop();
      await redis.start();
      await instance(prefix, 'worker', redis.url);
      for (const jobId of jobs) {
        const last = (await pollUntilDone(api.url, jobId, 50)).at(-1)!;
        assert.equal(last.status, 'completed', last.error_message);
        await standIn.waitForDelivery((d) => d.body.job_id === jobId && d.body.status === 'completed');
      }
    } finally {
      for (const s of services.splice(0)) await s.stop().catch(() => undefined);
      await redis.remove();
    }
  });
});
