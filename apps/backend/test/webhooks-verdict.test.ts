import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { judgeAttempt } from '../src/webhooks/delivery-verdict.js';
import { webhookBody } from '../src/webhooks/webhook-sender.js';

const answered = (status: number) => ({ kind: 'answered' as const, status });

describe('what a webhook attempt leads to', () => {
  it('counts any 2xx as delivered', () => {
    for (const status of [200, 201, 202, 204]) assert.deepEqual(judgeAttempt(answered(status), 1, 10), { action: 'delivered' });
  });

  it('gives up at once on a 4xx, except 408 and 429, which are retried', () => {
    for (const status of [400, 401, 403, 404, 410, 422]) assert.equal(judgeAttempt(answered(status), 1, 10).action, 'give-up', String(status));
    for (const status of [408, 429]) assert.equal(judgeAttempt(answered(status), 1, 10).action, 'retry', String(status));
  });

  it('retries 5xx, 3xx and no answer until the last attempt, then gives up', () => {
    for (const outcome of [answered(500), answered(503), answered(302), { kind: 'unreachable' as const, reason: 'ECONNREFUSED' }]) {
      assert.equal(judgeAttempt(outcome, 9, 10).action, 'retry');
      assert.equal(judgeAttempt(outcome, 10, 10).action, 'give-up');
    }
  });

  it('gives up at once when the address policy refused the URL', () => {
    assert.deepEqual(judgeAttempt({ kind: 'refused', reason: 'x resolves to 10.0.0.1 (private)' }, 1, 10), {
      action: 'give-up',
      error: 'not sent: x resolves to 10.0.0.1 (private)',
    });
  });
});

describe('the webhook body', () => {
  it('adds result_url from PUBLIC_URL and refuses an event that breaks the contract', () => {
    const jobId = '0b6c3c8e-4f3a-4d1e-9a7b-2c1d0e9f8a7b';
    assert.equal(
      webhookBody({ jobId, body: { job_id: jobId, status: 'failed', error_code: 'DOWNLOAD_ERROR' } }, 'https://ecg.example.com'),
      `{"job_id":"${jobId}","status":"failed","result_url":"https://ecg.example.com/api/upload-video/result/${jobId}","error_code":"DOWNLOAD_ERROR"}`,
    );
    assert.throws(() => webhookBody({ jobId, body: { job_id: jobId, status: 'processing' } }, 'https://ecg.example.com'));
  });
});
