import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { signCallback } from '@ecg/signing';
import { queuedJob } from './helpers/completed-job.js';
import { startTestBackend, TEST_SECRETS, type TestBackend } from './helpers/test-backend.js';

/**
 * Sends the headers of a POST announcing `declaredBytes` and only the first
 * KiB of its body, then waits for the answer. A server that reads the whole
 * body before judging the request never answers within the time limit.
 */
function postWithoutFinishing(
  url: string,
  headers: Record<string, string>,
  declaredBytes: number,
  timeoutMs = 5000,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': String(declaredBytes), ...headers },
    });
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`no answer within ${timeoutMs} ms while the body was still unsent`));
    }, timeoutMs);
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => {
        clearTimeout(timer);
        req.destroy();
        resolve({ status: res.statusCode ?? 0, body });
      });
    });
    req.on('error', (err) => {
      // The server may close the connection right after answering; the answer has been read by then.
      if ((err as NodeJS.ErrnoException).code !== 'ECONNRESET' && (err as NodeJS.ErrnoException).code !== 'EPIPE') reject(err);
    });
    req.write('{"job_id":"' + 'x'.repeat(1000));
  });
}

describe('result callback: unsigned bodies are refused before they are read', () => {
  let b: TestBackend;
  before(async () => {
    b = await startTestBackend({ listen: true, env: { CALLBACK_RATE_LIMIT_PER_MINUTE: '8' } });
  });
  after(async () => {
    await b?.destroy();
  });
  const url = () => `http://127.0.0.1:${b.config.port}/api/upload-video/result`;

  it('answers 401 to a 60 MB delivery without signature headers after its first KiB', async () => {
    const res = await postWithoutFinishing(url(), {}, 60 * 1024 * 1024);
    assert.equal(res.status, 401);
    assert.equal(JSON.parse(res.body).error.code, 'INVALID_SIGNATURE');
  });

  it('answers 401 to malformed and stale signature headers without reading the body', async () => {
    const stale = signCallback(TEST_SECRETS.CALLBACK_SECRET, 'anything', Math.floor(Date.now() / 1000) - 3600);
    const malformed = { 'x-ecg-timestamp': 'now', 'x-ecg-signature': 'sha256=zz' };
    const a = await postWithoutFinishing(url(), stale, 10 * 1024 * 1024);
    assert.equal(a.status, 401);
    assert.equal(JSON.parse(a.body).error.code, 'SIGNATURE_EXPIRED');
    const m = await postWithoutFinishing(url(), malformed, 10 * 1024 * 1024);
    assert.equal(m.status, 401);
    assert.equal(JSON.parse(m.body).error.code, 'INVALID_SIGNATURE');
  });

  it('still takes a signed delivery larger than the JSON limit of other routes', async () => {
    const jobId = await queuedJob(b.app, 'long.mp4');
    const raw = JSON.stringify({ job_id: jobId, status: 'processing', progress: 5, message: 'm'.repeat(1500), padding: 'p'.repeat(2 * 1024 * 1024) });
    const res = await fetch(url(), {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...signCallback(TEST_SECRETS.CALLBACK_SECRET, raw) },
      body: raw,
    });
    assert.equal(res.status, 200, await res.clone().text());
  });

  it('rate limits the route per client, signed or not', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 10; i += 1) {
      const res = await fetch(url(), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      statuses.push(res.status);
      await res.arrayBuffer();
    }
    assert.ok(statuses.includes(429), `expected a 429 among ${statuses.join(',')}`);
    const limited = await fetch(url(), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    assert.equal(limited.status, 429);
    assert.equal(((await limited.json()) as { error: { code: string } }).error.code, 'RATE_LIMITED');
  });
});
