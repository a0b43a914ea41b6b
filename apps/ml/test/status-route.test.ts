import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { newJobRecord } from '../src/queue/job-store.js';
import { isUnguessableJobId } from '../src/routes/status.js';
import { redactUrls } from '../src/text/redact-urls.js';
import { assertSecurityHeaders } from '../../../tests/helpers/security-headers.js';
import { ROUTE_TOKEN, startRouteApp, type RouteApp } from './support/route-app.js';

const SIGNED_VIDEO_URL = 'http://127.0.0.1:8000/storage/videos/anonymous/clip.mp4?expires=1&signature=c2VjcmV0';

describe('which job ids the public status route answers for', () => {
  it('takes random (version 4) UUIDs only', () => {
    assert.equal(isUnguessableJobId(randomUUID()), true);
    assert.equal(isUnguessableJobId(randomUUID().toUpperCase()), true);
    assert.equal(isUnguessableJobId('6ba7b810-9dad-11d1-80b4-00c04fd430c8'), false, 'version 1: time and MAC, guessable');
    assert.equal(isUnguessableJobId('00000000-0000-0000-0000-000000000000'), false);
    assert.equal(isUnguessableJobId('job-1'), false);
    assert.equal(isUnguessableJobId(`${randomUUID()}x`), false);
  });
});

describe('GET /api/upload-video/status/:job_id', () => {
  let r: RouteApp;
  let publicId: string;
  const shortId = 'compat-7';

  before(async () => {
    r = await startRouteApp({ statusRateLimitPerMinute: 5 });
    publicId = randomUUID();
    await r.store.create(newJobRecord({ job_id: publicId, video_url: SIGNED_VIDEO_URL, language: 'en', callback_url: 'http://127.0.0.1:8000/api/upload-video/result' }));
    await r.store.update(publicId, {
      status: 'processing',
      stage: 'transcribing',
      progress: 40,
      message: `result ready; the backend did not take it yet (attempt 2: http://127.0.0.1:8000/api/upload-video/result?token=abc unreachable: ECONNREFUSED)\u0000`,
      partial_segments: [{ id: 0, start: 0, end: 1, text: 'and so my fellow americans' }],
    });
    await r.store.create(newJobRecord({ job_id: shortId, video_url: SIGNED_VIDEO_URL, language: 'en', callback_url: 'http://127.0.0.1:8000/api/upload-video/result' }));
  });
  after(() => r.close());

  // Each test comes from its own client address: the limit counts per client.
  const get = (id: string, ip: string, token?: string) =>
    r.app.inject({
      method: 'GET',
      url: `/api/upload-video/status/${id}`,
      remoteAddress: ip,
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });

  it('answers a random job id without a token, with progress and the live transcript but no URL, secret or control character', async () => {
    const res = await get(publicId, '10.0.0.1');
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json<Record<string, unknown>>();
    assert.deepEqual(Object.keys(body).sort(), ['eta_seconds', 'job_id', 'message', 'partial_segments', 'progress', 'stage', 'status']);
    assert.doesNotMatch(res.body, /signature|token=|\/api\/upload-video\/result|storage\/videos/);
    assert.doesNotMatch(res.body, /\\u0000/);
    assert.match(String(body.message), /http:\/\/127\.0\.0\.1:8000 unreachable: ECONNREFUSED/);
  });

  it('answers a short, guessable id with the same 404 as an unknown job unless the caller has the token', async () => {
    const unknown = await get('compat-8', '10.0.0.2');
    const guessable = await get(shortId, '10.0.0.2');
    assert.equal(unknown.statusCode, 404);
    assert.equal(guessable.statusCode, 404);
    assert.deepEqual(guessable.json(), { error: { code: 'JOB_NOT_FOUND', message: `no job ${shortId}` } });
    assert.deepEqual(Object.keys(guessable.json<{ error: object }>().error), Object.keys(unknown.json<{ error: object }>().error));
    const authed = await get(shortId, '10.0.0.2', ROUTE_TOKEN);
    assert.equal(authed.statusCode, 200, authed.body);
    assert.equal(authed.json<{ job_id: string }>().job_id, shortId);
    assert.equal((await get(shortId, '10.0.0.2', 'wrong-token')).statusCode, 404);
  });

  it('limits each client to ML_STATUS_RATE_LIMIT_PER_MINUTE, answering 429 RATE_LIMITED in the usual error body', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 6; i++) codes.push((await get(publicId, '10.0.0.3')).statusCode);
    assert.deepEqual(codes, [200, 200, 200, 200, 200, 429]);
    const limited = await get(publicId, '10.0.0.3');
    assert.equal(limited.statusCode, 429);
    assert.equal(limited.json<{ error: { code: string } }>().error.code, 'RATE_LIMITED');
    assert.ok(limited.headers['retry-after'], 'says when to come back');
    assert.equal((await get(publicId, '10.0.0.4')).statusCode, 200, 'another client is not affected');
  });

  it('never limits the backend, which polls with the token', async () => {
    for (let i = 0; i < 8; i++) assert.equal((await get(publicId, '10.0.0.5', ROUTE_TOKEN)).statusCode, 200);
  });

  it('sends a CSP without inline script or framing, nosniff and no referrer, on the status route and the docs', async () => {
    for (const url of [`/api/upload-video/status/${publicId}`, '/docs', '/health']) {
      const res = await r.app.inject({ method: 'GET', url, remoteAddress: '10.0.0.9' });
      assertSecurityHeaders(res.headers, url);
    }
  });
});

describe('URLs in text shown without a token', () => {
  it('keeps only the origin of each URL', () => {
    assert.equal(
      redactUrls('http://127.0.0.1:8000/api/upload-video/result?sig=abc unreachable: ECONNREFUSED; see https://s3.example.com/bucket/key.mp4.'),
      'http://127.0.0.1:8000 unreachable: ECONNREFUSED; see https://s3.example.com',
    );
    assert.equal(redactUrls('from http://user:pw@host/x'), 'from <url>');
    assert.equal(redactUrls('no url here'), 'no url here');
  });
});
