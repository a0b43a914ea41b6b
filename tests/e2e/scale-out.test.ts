/**
 * The scale-out acceptance test (issue 12): two backends and two ML
 * instances, started as `npm run start:backend` and `npm run start:ml` start
 * them (configured by environment only), on one PostgreSQL schema, one Redis
 * key prefix and one S3 bucket (s3rver), each tier behind a failover proxy
 * standing in for its load balancer. Six jobs go in; one ML instance is
 * killed with SIGKILL mid-transcription (its whole process group, whisper-cli
 * too, as a crashed container goes) and so is one backend. Every job must end
 * completed, read through the proxy from the surviving backend, and each
 * result must be stored once.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { GenerateUrlResponse, JobResultResponse, RequestProcessResponse } from '@ecg/contracts';
import { startFailoverProxy, type FailoverProxy } from '../helpers/failover-proxy.js';
import { muxAudioIntoMp4, repeatAudio } from '../helpers/media.js';
import { readProcStat } from '../helpers/proc-stat.js';
import { freePort, REPO_ROOT } from '../helpers/stack.js';
import { S3RVER_CREDENTIALS, startS3rver, type RunningS3rver } from '../../apps/backend/test/helpers/s3rver.js';
import { deletePrefix, SHARED_REDIS_URL, uniquePrefix } from '../../apps/ml/test/support/redis.js';
import { testModelPath } from '../../apps/ml/test/helpers/test-model.js';
import { JFK_WAV, requireWhisperCli } from '../../apps/ml/test/helpers/fixtures.js';

const POSTGRES_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const JOBS = 6;
// Generous bounds for a loaded 2-core CI machine; they only stop a hung test, nothing is timed against them.
const START_MS = 90_000;
const KILL_WINDOW_MS = 120_000;
const RECOVERY_MS = 180_000;

interface Service {
  name: string;
  url: string;
  child: ChildProcess;
  lines: string[];
}

let work: string;
let video: Buffer;
let schema: string;
let prefix: string;
let s3: RunningS3rver | undefined;
const proxies: FailoverProxy[] = [];
const services: Service[] = [];

async function adminQuery<T extends pg.QueryResultRow>(sql: string, params: unknown[] = [], searchPath?: string): Promise<T[]> {
  const url = new URL(POSTGRES_URL);
  if (searchPath) url.searchParams.set('options', `-c search_path=${searchPath}`);
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

/** Starts `node --import tsx <entry>` (what the npm scripts run) in a process group of its own. */
function startService(name: string, entry: string, url: string, env: Record<string, string>): Service {
  const base = { ...process.env };
  // Only what this test names: nothing from the caller's shell decides which database or queue is used.
  delete base.DATABASE_URL;
  delete base.REDIS_URL;
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    cwd: REPO_ROOT,
    env: { ...base, NODE_ENV: 'test', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const service: Service = { name, url, child, lines: [] };
  const keep = (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) if (line.trim() !== '') service.lines.push(line);
    if (service.lines.length > 400) service.lines.splice(0, service.lines.length - 400);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  services.push(service);
  return service;
}

function logTails(lines = 40): string {
  return services.map((s) => `--- ${s.name} (${s.child.signalCode ?? s.child.exitCode ?? 'running'}) ---\n${s.lines.slice(-lines).join('\n')}`).join('\n');
}

const alive = (s: Service) => s.child.exitCode === null && s.child.signalCode === null;

async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number, intervalMs = 250): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

async function healthy(s: Service): Promise<void> {
  const until = Date.now() + START_MS;
  for (;;) {
    if (!alive(s)) throw new Error(`${s.name} exited (${s.child.signalCode ?? s.child.exitCode}) before answering /health`);
    const ok = await fetch(`${s.url}/health`, { signal: AbortSignal.timeout(5000) }).then((r) => r.ok, () => false);
    if (ok) return;
    if (Date.now() > until) throw new Error(`${s.name} did not answer /health within ${START_MS} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** SIGKILL to the whole process group: the service and its whisper-cli/ffmpeg children, as a container dies. */
async function killHard(s: Service): Promise<void> {
  if (!alive(s)) return;
  const exited = new Promise((r) => s.child.once('exit', r));
  process.kill(-s.child.pid!, 'SIGKILL');
  await exited;
}

/** SIGTERM (an orderly stop closes its database and Redis connections), SIGKILL to the group after 10 s. */
async function stopService(s: Service): Promise<void> {
  if (alive(s)) {
    const exited = new Promise((r) => s.child.once('exit', r));
    s.child.kill('SIGTERM');
    const timer = setTimeout(() => s.child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
  try {
    process.kill(-s.child.pid!, 'SIGKILL'); // anything it left running in its group
  } catch {
    // the group is already gone
  }
}

/** The job ids whose whisper-cli runs in process group `pgid` (its temp dir is named after the job). */
function transcribingIn(pgid: number, jobIds: readonly string[]): string[] {
  const found: string[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readProcStat(`/proc/${entry}/stat`);
      if (stat?.comm !== 'whisper-cli' || stat.pgrp !== pgid) continue;
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      found.push(...jobIds.filter((id) => cmdline.includes(id)));
    } catch {
      // the process ended while being read
    }
  }
  return found;
}

async function json(res: Response): Promise<unknown> {
  const text = await res.text();
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`not JSON (${res.status}): ${text.slice(0, 300)}`);
  }
}

/** generate-url, PUT to the presigned S3 URL, request-process, as the web app does; returns the job id. */
async function submit(backendUrl: string, n: number): Promise<string> {
  const gen = await fetch(`${backendUrl}/api/upload-video/generate-url`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ filename: `speech-${n}.mp4`, filetype: 'video/mp4', filesize: video.length }),
  });
  assert.equal(gen.status, 200, await gen.clone().text());
  const upload = GenerateUrlResponse.parse(await json(gen));
  assert.ok(upload.url.startsWith(s3!.endpoint), `the upload URL points at the bucket: ${upload.url}`);
  const put = await fetch(upload.url, { method: 'PUT', headers: upload.headers, body: video });
  assert.equal(put.status, 200, await put.text());
  const req = await fetch(`${backendUrl}/api/upload-video/request-process`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ fileKey: upload.fileKey, language: 'en' }),
  });
  assert.equal(req.status, 200, await req.clone().text());
  return RequestProcessResponse.parse(await json(req)).jobId;
}

before(async () => {
  requireWhisperCli();
  work = mkdtempSync(join(tmpdir(), 'ecg-scale-out-'));
  // 5.5 minutes of speech: the test model transcribes it in a few seconds, so a job is caught mid-run.
  await repeatAudio(JFK_WAV, 30, join(work, 'speech.wav'));
  await muxAudioIntoMp4(join(work, 'speech.wav'), join(work, 'speech.mp4'));
  video = readFileSync(join(work, 'speech.mp4'));

  schema = `ecg_scale_${randomBytes(6).toString('hex')}`;
  await adminQuery(`CREATE SCHEMA ${schema}`);
  prefix = uniquePrefix();
  s3 = await startS3rver('ecg-scale-out');
});

after(async () => {
  await Promise.all(services.map((s) => stopService(s)));
  for (const p of proxies) await p.close();
  await s3?.close();
  if (schema) await adminQuery(`DROP SCHEMA IF EXISTS ${schema} CASCADE; DROP SCHEMA IF EXISTS ${schema}_queue CASCADE`);
  if (prefix) await deletePrefix(prefix);
  if (work) rmSync(work, { recursive: true, force: true });
});

test('two backends and two ML instances on one PostgreSQL and one Redis complete every job after one of each is killed with kill -9', async () => {
  try {
    const secrets = {
      CALLBACK_SECRET: randomBytes(32).toString('hex'),
      ML_API_TOKEN: randomBytes(32).toString('hex'),
      WEBHOOK_SECRET: randomBytes(32).toString('hex'),
      STORAGE_SIGNING_SECRET: randomBytes(32).toString('hex'),
    };
    const backendPorts = [await freePort(), await freePort()];
    const mlPorts = [await freePort(), await freePort()];
    const backendProxy = await startFailoverProxy(backendPorts.map((p) => `http://127.0.0.1:${p}`));
    const mlProxy = await startFailoverProxy(mlPorts.map((p) => `http://127.0.0.1:${p}`));
    proxies.push(backendProxy, mlProxy);

    const dbUrl = new URL(POSTGRES_URL);
    dbUrl.searchParams.set('options', `-c search_path=${schema}`);
    const model = await testModelPath('micro');
    const startBackend = (i: number, port: number) =>
      startService(`backend-${i}`, 'apps/backend/src/main.ts', `http://127.0.0.1:${port}`, {
        ...secrets,
        PORT: String(port),
        DATA_DIR: mkdtempSync(join(work, `backend-${i}-`)),
        PUBLIC_URL: backendProxy.url,
        DATABASE_URL: dbUrl.toString(),
        QUEUE_SCHEMA: `${schema}_queue`,
        STORAGE_DRIVER: 's3',
        S3_ENDPOINT: s3!.endpoint,
        S3_BUCKET: s3!.bucket,
        S3_REGION: 'us-east-1',
        S3_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
        S3_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
        S3_FORCE_PATH_STYLE: 'true',
        ML_URL: mlProxy.url,
        // Short claims and maintenance: a dead backend's deliveries come back within seconds.
        ML_REQUEST_TIMEOUT_SECONDS: '3',
        QUEUE_MAINTENANCE_SECONDS: '1',
        DISPATCH_INTERVAL_MS: '200',
        // Every request reaches the backends from the proxy's one address.
        RATE_LIMIT_PER_MINUTE: '100000',
        CALLBACK_RATE_LIMIT_PER_MINUTE: '100000',
      });
    // All four at once, as an orchestrator starts them: the two backends race to install the fresh schemas.
    const backends = backendPorts.map((port, i) => startBackend(i, port));
    const mls = mlPorts.map((port, i) =>
      startService(`ml-${i}`, 'apps/ml/src/main.ts', `http://127.0.0.1:${port}`, {
        ML_API_TOKEN: secrets.ML_API_TOKEN,
        CALLBACK_SECRET: secrets.CALLBACK_SECRET,
        ML_PORT: String(port),
        DATA_DIR: mkdtempSync(join(work, `ml-${i}-`)),
        BACKEND_URL: backendProxy.url,
        ML_ALLOWED_ORIGINS: s3!.endpoint,
        REDIS_URL: SHARED_REDIS_URL,
        ML_QUEUE_PREFIX: prefix,
        ML_ROLE: 'all',
        WHISPER_MODEL: model,
        WHISPER_THREADS: '1',
        WHISPER_BEAM_SIZE: '1',
        WHISPER_TEMPERATURE_FALLBACK: 'false',
        // A killed worker's job is back in the queue within about 4 s (lock + stalled check).
        ML_LOCK_DURATION_MS: '3000',
        ML_STALLED_INTERVAL_MS: '1000',
        ML_STATUS_RATE_LIMIT_PER_MINUTE: '1000000',
      }),
    );
    await Promise.all([...backends, ...mls].map(healthy));

    const jobIds: string[] = [];
    for (let n = 0; n < JOBS; n += 1) jobIds.push(await submit(backendProxy.url, n));

    const [doomedMl, survivingMl] = mls as [Service, Service];
    const [doomedBackend] = backends as [Service, Service];
    const caught = await eventually(
      `${doomedMl.name} to be transcribing a job`,
      async () => {
        const ids = transcribingIn(doomedMl.child.pid!, jobIds);
        return ids.length > 0 ? ids : undefined;
      },
      KILL_WINDOW_MS,
      20,
    );
    const killedAt = Date.now();
    await Promise.all([killHard(doomedMl), killHard(doomedBackend)]);
    assert.ok(alive(survivingMl), 'the other ML instance still runs');

    const finalViews = new Map<string, JobResultResponse>();
    const doneAt = new Map<string, number>();
    await eventually(
      'every job to end, read through the proxy',
      async () => {
        for (const id of jobIds) {
          if (finalViews.has(id)) continue;
          const res = await fetch(`${backendProxy.url}/api/upload-video/result/${id}`, { signal: AbortSignal.timeout(10_000) });
          if (res.status !== 200 && res.status !== 202) continue;
          const view = JobResultResponse.parse(await json(res));
          if (view.status === 'completed' || view.status === 'failed') {
            finalViews.set(id, view);
            doneAt.set(id, Date.now());
          }
        }
        return finalViews.size === jobIds.length ? true : undefined;
      },
      RECOVERY_MS,
      250,
    );
    const allDone = Math.max(...doneAt.values());
    console.log(
      `scale-out recovery: ${doomedMl.name} killed while transcribing ${caught.join(', ')} and ${doomedBackend.name} killed with it; ` +
        `that job completed ${((doneAt.get(caught[0]!)! - killedAt) / 1000).toFixed(1)} s later, all ${JOBS} ${((allDone - killedAt) / 1000).toFixed(1)} s later`,
    );

    for (const id of jobIds) {
      const view = finalViews.get(id)!;
      assert.equal(view.status, 'completed', `${id}: ${JSON.stringify(view)}`);
      if (view.status !== 'completed') continue;
      assert.ok(view.result.segments.length > 0, `${id} has a transcript`);
      assert.ok(view.result.text.trim() !== '', `${id} has transcript text`);
    }

    type Row = { id: string; status: string; has_result: boolean; completed_at: Date | null };
    const rows = () => adminQuery<Row>('SELECT id, status, result IS NOT NULL AS has_result, completed_at FROM jobs ORDER BY id', [], schema);
    const first = await rows();
    assert.deepEqual(first.map((r) => r.id), [...jobIds].sort(), 'one row per job, no second row for any');
    for (const r of first) {
      assert.equal(r.status, 'completed', r.id);
      assert.ok(r.has_result, `${r.id} has its result stored`);
      assert.ok(r.completed_at, `${r.id} has completed_at`);
    }
    // A delivery repeated after the kills (the re-run job, or one whose answer the dead backend never sent)
    // must leave the stored job as it was: give the survivors a few seconds to send any such, then compare.
    await new Promise((r) => setTimeout(r, 5000));
    const later = await rows();
    assert.deepEqual(
      later.map((r) => [r.id, r.status, r.completed_at?.toISOString()]),
      first.map((r) => [r.id, r.status, r.completed_at?.toISOString()]),
      'no job completed a second time',
    );
    const ignored = services.flatMap((s) => s.lines.filter((l) => l.includes('delivery for a finished job ignored')));
    if (ignored.length > 0) console.log(`repeated deliveries ignored by the survivors: ${ignored.length}`);
  } catch (err) {
    console.error(`scale-out test failed; the services' last log lines:\n${logTails()}`);
    throw err;
  }
});
