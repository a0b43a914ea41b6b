/**
 * A restart must resume jobs, not fail them. The system runs as `npm start`
 * runs it (scripts/start.ts supervising the backend and the ML service); the
 * tests SIGKILL real children mid-job and require the job to end completed.
 * One system serves both tests (starting it is most of their time): three
 * or four restarts of the backend in all, inside the supervisor's five a minute.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GenerateUrlResponse, MlStatusResponse, RequestProcessResponse } from '@ecg/contracts';
import { muxAudioIntoMp4, repeatAudio } from '../helpers/media.js';
import { answers, eventually, startSupervisedSystem, type SupervisedSystem } from '../helpers/supervised-system.js';
import { testModelPath } from '../../apps/ml/test/helpers/test-model.js';
import { JFK_WAV, VAD_MODEL, requireWhisperCli } from '../../apps/ml/test/helpers/fixtures.js';
import { nodeFlagsFor } from '@ecg/service-kit/node-flags';

// Generous: these tests start two services and a whisper run on a loaded 2-core machine.
const STEP_MS = 90_000;

let work: string;
let video: Buffer;
let sys: SupervisedSystem;

before(async () => {
  requireWhisperCli();
  work = mkdtempSync(join(tmpdir(), 'ecg-restart-'));
  // 33 s of speech: long enough that the job is still running when a service is killed.
  await repeatAudio(JFK_WAV, 3, join(work, 'jfk3.wav'));
  await muxAudioIntoMp4(join(work, 'jfk3.wav'), join(work, 'jfk3.mp4'));
  video = readFileSync(join(work, 'jfk3.mp4'));
  sys = await startSupervisedSystem({
    WHISPER_MODEL: await testModelPath('micro'),
    WHISPER_TEMPERATURE_FALLBACK: 'false',
    WHISPER_BEAM_SIZE: '1',
    WHISPER_VAD_MODEL: VAD_MODEL,
    WHISPER_THREADS: '2',
  });
});

after(async () => {
  await sys?.stop();
  rmSync(work, { recursive: true, force: true });
});

async function json<T>(res: Response): Promise<T> {
  const text = await res.text();
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new Error(`not JSON (${res.status}): ${text.slice(0, 300)}`);
  }
}

/** Upload through a presigned URL and request processing, as the web app does; returns the job id. */
async function submit(sys: SupervisedSystem): Promise<string> {
  const gen = await fetch(`${sys.backendUrl}/api/upload-video/generate-url`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ filename: 'jfk.mp4', filetype: 'video/mp4', filesize: video.length }),
  });
  assert.equal(gen.status, 200);
  const upload = GenerateUrlResponse.parse(await json(gen));
  const put = await fetch(upload.url, { method: 'PUT', headers: upload.headers, body: video });
  assert.equal(put.status, 200, await put.text());
  const req = await fetch(`${sys.backendUrl}/api/upload-video/request-process`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ fileKey: upload.fileKey, language: 'en' }),
  });
  assert.equal(req.status, 200);
  return RequestProcessResponse.parse(await json(req)).jobId;
}

async function mlStatus(sys: SupervisedSystem, jobId: string): Promise<MlStatusResponse | undefined> {
  const res = await fetch(`${sys.mlUrl}/api/upload-video/status/${jobId}`);
  return res.status === 200 ? MlStatusResponse.parse(await json(res)) : undefined;
}

interface BackendView {
  status: string;
  error?: { code: string; message: string };
}

/** The job as the backend reports it; undefined while the backend is down. */
async function backendJob(sys: SupervisedSystem, jobId: string): Promise<BackendView | undefined> {
  const res = await fetch(`${sys.backendUrl}/api/upload-video/result/${jobId}`, { signal: AbortSignal.timeout(5000) });
  return json<BackendView>(res);
}

async function finalState(sys: SupervisedSystem, jobId: string): Promise<BackendView> {
  return eventually(
    'the job to end at the backend',
    async () => {
      const j = await backendJob(sys, jobId);
      return j && (j.status === 'completed' || j.status === 'failed') ? j : undefined;
    },
    STEP_MS,
    sys.waitOpts,
  );
}

async function pidOf(sys: SupervisedSystem, name: 'backend' | 'ml'): Promise<number> {
  const pid = await sys.servicePid(name);
  assert.ok(pid, `no ${name} process under the supervisor:\n${sys.logs()}`);
  return pid;
}

/** The same service back under a new process, answering /health. */
async function restarted(sys: SupervisedSystem, name: 'backend' | 'ml', oldPid: number): Promise<number> {
  const url = name === 'backend' ? sys.backendUrl : sys.mlUrl;
  return eventually(
    `the supervisor to restart the ${name}`,
    async () => {
      const pid = await sys.servicePid(name);
      return pid && pid !== oldPid && (await answers(`${url}/health`)) ? pid : undefined;
    },
    STEP_MS,
    sys.waitOpts,
  );
}

/**
 * Holds the backend's port while the backend is down, resetting every
 * connection (as a proxy in front of a restarting backend would): the ML
 * service meets a transient failure for as long as the test wants, and a
 * backend restarted meanwhile cannot listen (it exits and is restarted again).
 */
async function holdPort(port: number): Promise<{ connections: () => number; release: () => Promise<void> }> {
  let connections = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.resetAndDestroy();
  });
  // The killed backend's socket may linger for a moment after SIGKILL.
  await eventually(
    `port ${port} to be free`,
    () =>
      new Promise<true | undefined>((res) => {
        server.once('error', () => res(undefined));
        server.listen(port, '127.0.0.1', () => res(true));
      }),
    10_000,
  );
  return {
    connections: () => connections,
    release: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}

test('npm start runs each service with its own Node.js flags (node-flags.ts)', async () => {
  for (const name of ['backend', 'ml'] as const) {
    // Linux: the service's argv as the kernel holds it; the flags come before `--import tsx`.
    const argv = readFileSync(`/proc/${await pidOf(sys, name)}/cmdline`, 'utf8').split('\0');
    assert.deepEqual(argv.slice(1, argv.indexOf('--import')), [...nodeFlagsFor(name)], `${name}: ${argv.join(' ')}`);
  }
});

test('a backend killed mid-job is restarted on its own, the ML service stays up, and the job completes', async () => {
  const jobId = await submit(sys);
  await eventually('the ML service to hold the job', () => mlStatus(sys, jobId), STEP_MS, sys.waitOpts);
  const mlPid = await pidOf(sys, 'ml');
  const backendPid = await pidOf(sys, 'backend');
  const before = await backendJob(sys, jobId);
  assert.ok(before?.status === 'queued' || before?.status === 'processing', `the job must still be live when the backend dies: ${JSON.stringify(before)}`);

  process.kill(backendPid, 'SIGKILL');

  await eventually('the backend to be gone', async () => ((await answers(`${sys.backendUrl}/health`)) ? undefined : true), STEP_MS, sys.waitOpts);
  assert.equal(await answers(`${sys.mlUrl}/health`), true, 'the ML service keeps running while the backend is down');
  await restarted(sys, 'backend', backendPid);
  assert.equal(await sys.servicePid('ml'), mlPid, 'the ML service was not restarted');

  const end = await finalState(sys, jobId);
  assert.equal(end.status, 'completed', `job ended ${JSON.stringify(end)}\n${sys.logs()}`);
});

test('both services killed: the ML service resumes the job before the backend listens, waits for storage, and the job completes', async (t) => {
  const jobId = await submit(sys);
  // Past the download: the resumed job must fetch the video again, from a backend that is not back.
  await eventually(
    'the ML service to be transcribing',
    async () => ((await mlStatus(sys, jobId))?.stage === 'transcribing' ? true : undefined),
    STEP_MS,
    sys.waitOpts,
  );
  const backendPid = await pidOf(sys, 'backend');
  const mlPid = await pidOf(sys, 'ml');

  process.kill(backendPid, 'SIGKILL');
  const port = await holdPort(sys.backendPort);
  let released = false;
  t.after(async () => {
    if (!released) await port.release();
  });
  process.kill(mlPid, 'SIGKILL');

  await restarted(sys, 'ml', mlPid);
  let seen: MlStatusResponse | undefined;
  const waiting = await eventually(
    'the resumed job to wait for storage',
    async () => {
      seen = await mlStatus(sys, jobId);
      return seen && /waiting for storage/i.test(seen.message) ? seen : undefined;
    },
    STEP_MS,
    {
      ...sys.waitOpts,
      hopeless: () => (seen?.status === 'failed' ? `the job failed instead (${seen.error_code}: ${seen.error_message})` : sys.waitOpts.hopeless()),
    },
  );
  assert.equal(waiting.status, 'processing');
  assert.ok(port.connections() >= 1, 'the ML service tried the download while the backend was down');
  released = true;
  await port.release();

  await restarted(sys, 'backend', backendPid);
  const end = await finalState(sys, jobId);
  assert.equal(end.status, 'completed', `job ended ${JSON.stringify(end)}\n${sys.logs()}`);
});

test('SIGTERM to the supervisor (what Ctrl+C does) still stops both services, and nothing restarts them', async () => {
  const exit = new Promise<number | null>((res) => sys.supervisor.once('exit', (code) => res(code)));
  sys.supervisor.kill('SIGTERM');
  assert.equal(await exit, 0);
  assert.equal(await answers(`${sys.backendUrl}/health`), false);
  assert.equal(await answers(`${sys.mlUrl}/health`), false);
  assert.doesNotMatch(sys.logs().split('[ecg] stopping...')[1] ?? '', /restarting it/);
});
