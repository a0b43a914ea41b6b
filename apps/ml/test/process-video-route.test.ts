import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { isCallbackBaseAllowed } from '@ecg/net-policy';
import { ROUTE_TOKEN, startRouteApp, type RouteApp } from './support/route-app.js';

describe('fastapi_base_url names a backend, not a path on it', () => {
  const allowed = ['http://127.0.0.1:8000', 'https://api.example.com'];

  it('accepts an allowed origin with no path, or just "/"', () => {
    for (const url of ['http://127.0.0.1:8000', 'http://127.0.0.1:8000/', 'https://api.example.com', 'https://API.example.com:443/']) {
      assert.equal(isCallbackBaseAllowed(url, allowed), true, url);
    }
  });

  it('refuses any path, query or fragment on an allowed origin, and any other origin', () => {
    for (const url of [
      'http://127.0.0.1:8000/admin',
      'http://127.0.0.1:8000/api/upload-video/result',
      'http://127.0.0.1:8000/api/upload-video/status/x/..',
      'http://127.0.0.1:8000//',
      'http://127.0.0.1:8000/?next=/x',
      'http://127.0.0.1:8000/#frag',
      'http://user:pw@127.0.0.1:8000/',
      'https://attacker.example.com/',
      'not a url',
    ]) {
      assert.equal(isCallbackBaseAllowed(url, allowed), false, url);
    }
  });
});

describe('POST /api/upload-video/process-video with fastapi_base_url', () => {
  let r: RouteApp;
  before(async () => (r = await startRouteApp()));
  after(() => r.close());

  const post = (fastapiBaseUrl: string) =>
    r.app.inject({
      method: 'POST',
      url: '/api/upload-video/process-video',
      headers: { authorization: `Bearer ${ROUTE_TOKEN}` },
      payload: { job_id: randomUUID(), video_url: 'http://127.0.0.1:8000/storage/x.mp4', fastapi_base_url: fastapiBaseUrl },
    });

  it('delivers to the result route of an allowed base URL', async () => {
    const res = await post('https://api.example.com/');
    assert.equal(res.statusCode, 200, res.body);
    const { job_id } = res.json<{ job_id: string }>();
    assert.equal((await r.store.get(job_id))?.callback_url, 'https://api.example.com/api/upload-video/result');
  });

  it('answers 400 URL_NOT_ALLOWED for another path on an allowed origin, and creates no job', async () => {
    for (const base of ['http://127.0.0.1:8000/internal/hook', 'http://127.0.0.1:8000/api/upload-video/result', 'http://127.0.0.1:8000/?x=1']) {
      const before = r.submitted.length;
      const res = await post(base);
      assert.equal(res.statusCode, 400, `${base}: ${res.body}`);
      assert.equal(res.json<{ error: { code: string } }>().error.code, 'URL_NOT_ALLOWED');
      assert.equal(r.submitted.length, before);
    }
  });
});

describe('POST /api/upload-video/process-video with speaker counts', () => {
  let r: RouteApp;
  before(async () => (r = await startRouteApp()));
  after(() => r.close());

  const post = (counts: object) =>
    r.app.inject({
      method: 'POST',
      url: '/api/upload-video/process-video',
      headers: { authorization: `Bearer ${ROUTE_TOKEN}` },
      payload: { job_id: randomUUID(), video_url: 'http://127.0.0.1:8000/storage/x.mp4', ...counts },
    });

  it('keeps the counts with the job, so a job resumed after a restart looks for the same number', async () => {
    const res = await post({ min_speakers: 2, max_speakers: 4 });
    assert.equal(res.statusCode, 200, res.body);
    const { job_id } = res.json<{ job_id: string }>();
    assert.deepEqual((await r.store.get(job_id))?.speakers, { min_speakers: 2, max_speakers: 4 });
    const auto = await post({});
    assert.equal((await r.store.get(auto.json<{ job_id: string }>().job_id))?.speakers, undefined);
  });

  it('answers 400 VALIDATION_ERROR for contradictory or impossible counts, and creates no job', async () => {
    for (const counts of [{ min_speakers: 3, max_speakers: 2 }, { num_speakers: 5, max_speakers: 4 }, { num_speakers: 0 }, { num_speakers: 1.5 }]) {
      const before = r.submitted.length;
      const res = await post(counts);
      assert.equal(res.statusCode, 400, `${JSON.stringify(counts)}: ${res.body}`);
      assert.equal(res.json<{ error: { code: string } }>().error.code, 'VALIDATION_ERROR');
      assert.equal(r.submitted.length, before);
    }
  });
});
