import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ProcessVideoRequest } from '@ecg/contracts';
import { JobRepository } from '../src/jobs/job-repository.js';
import { MlStandIn, type StandInRequest } from './helpers/ml-stand-in.js';
import { freePort, startTestBackend, waitFor, type TestBackend } from './helpers/test-backend.js';
import { uploadFile } from './helpers/upload.js';

const jobIdOf = (r: StandInRequest) => (JSON.parse(r.body) as ProcessVideoRequest).job_id;
const VIDEO_BYTES = Buffer.from(`pretend video ${'x'.repeat(1000)}`);

describe('job options: a job keeps its task, prompt and temperature, and the dispatcher sends them', () => {
  let dataDir: string;
  let b: TestBackend;
  let jobs: JobRepository;
  let ml: MlStandIn;

  before(async () => {
    const mlPort = await freePort();
    dataDir = await mkdtemp(join(tmpdir(), 'ecg-job-options-'));
    ml = new MlStandIn();
    await ml.listen(mlPort);
    b = await startTestBackend({ dataDir, listen: true, env: { ML_URL: `http://127.0.0.1:${mlPort}`, DISPATCH_INTERVAL_MS: '20' } });
    jobs = new JobRepository(b.db);
    b.app.dispatcher.start();
  });
  after(async () => {
    await b?.app.dispatcher.stop();
    await ml?.close();
    await b?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  const sent = (id: string) =>
    waitFor('delivery', async () => {
      const r = ml.processRequests.find((x) => jobIdOf(x) === id);
      return r ? (JSON.parse(r.body) as ProcessVideoRequest) : undefined;
    });

  it('stores the options with the job and passes them to process-video as given', async () => {
    const fileKey = await uploadFile(b.app, 'speech.wav', 'audio/wav', VIDEO_BYTES);
    const options = { task: 'translate' as const, prompt: 'ECG, Whisper.', temperature: 0.3 };
    const { job } = await jobs.createOrGetLive(fileKey, { language: 'ko', jobOptions: options });
    assert.deepEqual((await jobs.get(job.id))?.jobOptions, options);
    b.app.dispatcher.kick();
    const body = await sent(job.id);
    assert.equal(body.task, 'translate');
    assert.equal(body.prompt, 'ECG, Whisper.');
    assert.equal(body.temperature, 0.3);
    assert.equal(body.language, 'ko');
  });

  it('sends no task, prompt or temperature for a job without options (every upload through request-process)', async () => {
    const fileKey = await uploadFile(b.app, 'plain.mp4', 'video/mp4', VIDEO_BYTES);
    const res = await b.app.inject({ method: 'POST', url: '/api/upload-video/request-process', payload: { fileKey } });
    assert.equal(res.statusCode, 200, res.body);
    const jobId = res.json<{ jobId: string }>().jobId;
    assert.equal((await jobs.get(jobId))?.jobOptions, null);
    const body = await sent(jobId);
    for (const field of ['task', 'prompt', 'temperature']) assert.equal(field in body, false, field);
  });
});
