/**
 * GET /metrics on the real ML service (in-process, real whisper-cli with the
 * random-weight micro model, real ffmpeg) after one job has run.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { JFK_WAV, requireWhisperCli } from './helpers/fixtures.js';
import { ffmpeg } from './helpers/media.js';
import { testModelPath } from './helpers/test-model.js';
import { makeDataDir, pollUntilDone, processVideo, removeDir, SECRET, startService, type RunningService } from './support/ml-service.js';
import { startStandIn, type StandIn } from './support/stand-in-backend.js';
import { metricSample as sample } from '../../../tests/helpers/prometheus.js';


describe('GET /metrics on the ML service', () => {
  let media: string;
  let dataDir: string;
  let standIn: StandIn;
  let ml: RunningService;
  before(async () => {
    requireWhisperCli();
    media = await mkdtemp(join(tmpdir(), 'ecg-ml-metrics-'));
    dataDir = await makeDataDir();
    standIn = await startStandIn({ secret: SECRET });
    await ffmpeg(['-i', JFK_WAV, '-t', '3', join(media, 'short.wav')]);
    ml = await startService({ DATA_DIR: dataDir, WHISPER_MODEL: await testModelPath('micro'), BACKEND_URL: standIn.origin, DIARIZATION: 'false' });
  });
  after(async () => {
    await ml?.stop();
    await standIn?.close();
    await removeDir(dataDir);
    await rm(media, { recursive: true, force: true });
  });

  it('reports the queue, jobs by status, stage durations and HTTP latency by route pattern', async () => {
    const jobId = randomUUID();
    const res = await processVideo(ml.url, { job_id: jobId, video_url: standIn.serve('short.wav', join(media, 'short.wav')), language: 'en' });
    assert.equal(res.status, 200);
    const last = (await pollUntilDone(ml.url, jobId, 50)).at(-1)!;
    assert.equal(last.status, 'completed', JSON.stringify(last));

    const scrape = await fetch(`${ml.url}/metrics`);
    assert.equal(scrape.status, 200);
    assert.match(scrape.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    const text = await scrape.text();
    assert.equal(sample(text, 'ecg_ml_jobs', { service: 'ml', status: 'completed' }), 1);
    assert.equal(sample(text, 'ecg_ml_jobs', { status: 'queued' }), 0);
    assert.equal(sample(text, 'ecg_ml_queue_jobs', { state: 'waiting' }), 0);
    assert.equal(sample(text, 'ecg_ml_queue_jobs', { state: 'running' }), 0);
    assert.ok((sample(text, 'ecg_ml_concurrency', {}) ?? 0) >= 1);
    assert.equal(sample(text, 'ecg_ml_stage_seconds_count', { stage: 'transcribe' }), 1, 'the transcribe stage was timed');
    assert.equal(sample(text, 'ecg_ml_stage_seconds_count', { stage: 'total' }), 1);
    assert.ok((sample(text, 'ecg_http_request_duration_seconds_count', { route: '/api/upload-video/status/:job_id' }) ?? 0) >= 1);
    assert.ok(!text.includes(jobId), 'no job id becomes a label');
  });
});
