import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { isCallbackBaseAllowed } from '../src/pipeline/origin-allow-list.js';
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
