import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { signCallback } from '@ecg/signing';
import type { JobResultResponse, JobSummary, TranscriptResult } from '@ecg/contracts';
import { completedJob, queuedJob } from './helpers/completed-job.js';
import { MlStandIn } from './helpers/ml-stand-in.js';
import { freePort, startTestBackend, TEST_SECRETS, type TestBackend } from './helpers/test-backend.js';

const RESULT: TranscriptResult = { text: 'hello there', language: 'en', segments: [{ id: 0, start: 0, end: 1, text: 'hello there' }] };

describe('cancelling a job', () => {
  let ml: MlStandIn;
  let b: TestBackend;
  before(async () => {
    ml = new MlStandIn();
    const port = await freePort();
    await ml.listen(port);
    b = await startTestBackend({ env: { ML_URL: `http://127.0.0.1:${port}` } });
  });
  after(async () => {
    await b?.destroy();
    await ml?.close();
  });

  const cancel = (id: string) => b.app.inject({ method: 'POST', url: `/api/upload-video/jobs/${id}/cancel` });
  const result = async (id: string) => (await b.app.inject({ method: 'GET', url: `/api/upload-video/result/${id}` })).json<JobResultResponse>();

  it('ends a live job failed with CANCELLED, tells the ML service to stop it, and refuses its late result', async () => {
    const id = await queuedJob(b.app, 'to-cancel.mp4');
    const res = await cancel(id);
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json<JobSummary>().status, 'failed');
    assert.equal(res.json<JobSummary>().error_code, 'CANCELLED');
    const ended = await result(id);
    assert.equal(ended.status, 'failed');
    assert.ok(ended.status === 'failed' && ended.error.code === 'CANCELLED');
    assert.ok(
      ml.requests.some((r) => r.method === 'DELETE' && r.url === `/api/upload-video/jobs/${id}` && r.headers.authorization === `Bearer ${TEST_SECRETS.ML_API_TOKEN}`),
      'the ML service was asked to stop it, with the ML token',
    );

    // The ML service finished it anyway before hearing the cancel: its delivery changes nothing.
    const raw = JSON.stringify({ job_id: id, result: RESULT });
    await b.app.inject({
      method: 'POST',
      url: '/api/upload-video/result',
      headers: { 'content-type': 'application/json', ...signCallback(TEST_SECRETS.CALLBACK_SECRET, raw) },
      payload: raw,
    });
    const still = await result(id);
    assert.ok(still.status === 'failed' && still.error.code === 'CANCELLED', 'a cancelled job stays cancelled');
  });

  it('leaves a job that already ended as it was, answers a second cancel the same, and 404 for an unknown job', async () => {
    const done = await completedJob(b.app, 'already-done.mp4', RESULT);
    const res = await cancel(done);
    assert.equal(res.statusCode, 200);
    assert.equal(res.json<JobSummary>().status, 'completed');
    assert.equal((await result(done)).status, 'completed');

    const id = await queuedJob(b.app, 'twice.mp4');
    const first = (await cancel(id)).json<JobSummary>();
    const second = (await cancel(id)).json<JobSummary>();
    assert.deepEqual([first.status, first.error_code], ['failed', 'CANCELLED']);
    assert.deepEqual([second.status, second.error_code], ['failed', 'CANCELLED']);
    assert.equal((await cancel(randomUUID())).statusCode, 404);
  });
});
