import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TranscriptResult } from '@ecg/contracts';
import { completedJob, deliverFailure, queuedJob } from './helpers/completed-job.js';
import { startTestBackend, type TestBackend } from './helpers/test-backend.js';
import { metricSample as sample } from '../../../tests/helpers/prometheus.js';

const RESULT: TranscriptResult = {
  text: 'hello there',
  language: 'en',
  segments: [{ id: 0, start: 0, end: 1, text: 'hello there' }],
  timing: { download: 0.4, transcribe: 3.5, analysis: 0.2 },
};


describe('GET /metrics on the backend', () => {
  let b: TestBackend;
  before(async () => {
    b = await startTestBackend();
  });
  after(async () => {
    await b?.destroy();
  });

  it('reports jobs by status, stage durations, failures by code and HTTP latency by route pattern', async () => {
    const queued = await queuedJob(b.app, 'waiting.mp4');
    await completedJob(b.app, 'done.mp4', RESULT);
    const failed = await queuedJob(b.app, 'broken.mp4');
    await deliverFailure(b.app, failed, 'DOWNLOAD_ERROR', 'storage went away');

    const res = await b.app.inject({ method: 'GET', url: '/metrics' });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^text\/plain; version=0\.0\.4/);
    const text = res.body;
    assert.equal(sample(text, 'ecg_jobs', { service: 'backend', status: 'queued' }), 1);
    assert.equal(sample(text, 'ecg_jobs', { status: 'completed' }), 1);
    assert.equal(sample(text, 'ecg_jobs', { status: 'failed' }), 1);
    assert.equal(sample(text, 'ecg_jobs', { status: 'processing' }), 0, 'every status is reported, zero included');
    assert.equal(sample(text, 'ecg_renders', { status: 'queued' }), 0);
    assert.equal(sample(text, 'ecg_job_stage_seconds_count', { stage: 'transcribe' }), 1);
    assert.equal(sample(text, 'ecg_job_stage_seconds_sum', { stage: 'transcribe' }), 3.5);
    assert.equal(sample(text, 'ecg_jobs_failed_total', { code: 'DOWNLOAD_ERROR' }), 1);
    assert.equal(sample(text, 'ecg_http_request_duration_seconds_count', { method: 'POST', route: '/api/upload-video/request-process', status: '200' }), 3);
    assert.ok(sample(text, 'ecg_process_resident_memory_bytes', {}) !== undefined, 'process metrics are there');
    assert.ok(!text.includes(queued), 'no job id becomes a label');
  });
});
