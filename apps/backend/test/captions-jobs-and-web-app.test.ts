import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ClientConfigResponse, JobListResponse, TranscriptResult } from '@ecg/contracts';
import { DEFAULT_WEB_DIST_DIR, loadConfig } from '../src/config.js';
import { completedJob, deliverFailure, queuedJob } from './helpers/completed-job.js';
import { startTestBackend, TEST_SECRETS, type TestBackend } from './helpers/test-backend.js';

const RESULT: TranscriptResult = { text: ' Hi.', language: 'en', segments: [{ id: 0, start: 0, end: 1, text: ' Hi.' }] };
const INDEX_HTML = '<!doctype html><html><body><div id="root"></div><script src="/assets/index-AbC123_x.js"></script></body></html>';
const ASSET_JS = 'console.log("web app");';

const errorCode = (res: { json: () => unknown }) => (res.json() as { error: { code: string } }).error.code;

describe('jobs list, client config and the served web app', () => {
  let b: TestBackend;
  let dist: string;
  before(async () => {
    dist = await mkdtemp(join(tmpdir(), 'ecg-web-dist-'));
    await mkdir(join(dist, 'assets'));
    await writeFile(join(dist, 'index.html'), INDEX_HTML);
    await writeFile(join(dist, 'assets', 'index-AbC123_x.js'), ASSET_JS);
    await writeFile(join(dist, 'robots.txt'), 'User-agent: *\n');
    b = await startTestBackend({
      env: { WEB_DIST_DIR: dist, ML_PUBLIC_URL: 'https://ml.example.com/', MAX_UPLOAD_BYTES: '5000000', RATE_LIMIT_PER_MINUTE: '10000' },
    });
  });
  after(async () => {
    await b?.destroy();
    if (dist) await rm(dist, { recursive: true, force: true });
  });

  it('lists jobs newest first with their uploaded names, status and failure code', async () => {
    const first = await completedJob(b.app, 'first take.mp4', RESULT);
    const second = await queuedJob(b.app, '두 번째.webm');
    const third = await queuedJob(b.app, 'third.mov');
    await deliverFailure(b.app, third, 'NO_AUDIO_TRACK', 'The file has no audio track.');

    const res = await b.app.inject({ method: 'GET', url: '/api/upload-video/jobs' });
    assert.equal(res.statusCode, 200);
    const { jobs } = res.json<JobListResponse>();
    assert.deepEqual(
      jobs.map((j) => [j.job_id, j.file_name, j.status, j.progress, j.error_code]),
      [
        [third, 'third.mov', 'failed', 0, 'NO_AUDIO_TRACK'],
        [second, '두_번째.webm', 'queued', 0, undefined],
        [first, 'first_take.mp4', 'completed', 100, undefined],
      ],
    );
    for (const j of jobs) {
      assert.ok(!Number.isNaN(Date.parse(j.created_at)) && !Number.isNaN(Date.parse(j.updated_at)));
      assert.equal('result' in j, false, 'the list carries no transcripts');
    }
    assert.ok(Date.parse(jobs[0]!.created_at) >= Date.parse(jobs[2]!.created_at));

    const limited = await b.app.inject({ method: 'GET', url: '/api/upload-video/jobs?limit=2' });
    assert.deepEqual(
      limited.json<JobListResponse>().jobs.map((j) => j.job_id),
      [third, second],
    );
    for (const limit of ['0', '101', 'lots']) {
      const bad = await b.app.inject({ method: 'GET', url: `/api/upload-video/jobs?limit=${limit}` });
      assert.equal(bad.statusCode, 400, limit);
      assert.equal(errorCode(bad), 'VALIDATION_ERROR');
    }
  });

  it('tells the browser where to poll and how large an upload may be', async () => {
    const res = await b.app.inject({ method: 'GET', url: '/api/config' });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json<ClientConfigResponse>(), { ml_public_url: 'https://ml.example.com', max_upload_bytes: 5_000_000 });
  });

  it('serves index.html for / and for /jobs/<id>, so a reload opens the app', async () => {
    for (const url of ['/', '/jobs/0b6e3d57-6a8f-4c1e-9a55-2f1d5c0e9d11', '/jobs/0b6e3d57-6a8f-4c1e-9a55-2f1d5c0e9d11/']) {
      const res = await b.app.inject({ method: 'GET', url });
      assert.equal(res.statusCode, 200, url);
      assert.match(String(res.headers['content-type']), /^text\/html/);
      assert.equal(res.body, INDEX_HTML);
      assert.equal(res.headers['cache-control'], 'no-cache', 'index.html is revalidated so a new build is picked up');
    }
  });

  it('serves hashed assets with a long immutable cache, other files with revalidation', async () => {
    const asset = await b.app.inject({ method: 'GET', url: '/assets/index-AbC123_x.js' });
    assert.equal(asset.statusCode, 200);
    assert.equal(asset.body, ASSET_JS);
    assert.match(String(asset.headers['content-type']), /javascript/);
    assert.equal(asset.headers['cache-control'], 'public, max-age=31536000, immutable');
    const robots = await b.app.inject({ method: 'GET', url: '/robots.txt' });
    assert.equal(robots.statusCode, 200);
    assert.equal(robots.headers['cache-control'], 'no-cache');
  });

  it('keeps JSON 404s for API, storage and unknown paths instead of answering HTML', async () => {
    for (const url of ['/api/nope', '/api/upload-video/nothing-here', '/assets/missing-12345678.js', '/jobs', '/nope']) {
      const res = await b.app.inject({ method: 'GET', url });
      assert.equal(res.statusCode, 404, url);
      assert.match(String(res.headers['content-type']), /^application\/json/, url);
      assert.equal(errorCode(res), 'NOT_FOUND', url);
    }
    // Storage keeps its own answers (an unsigned read is refused), never the app's page.
    const storage = await b.app.inject({ method: 'GET', url: '/storage/videos/anonymous/none.mp4' });
    assert.equal(storage.statusCode, 403);
    assert.equal(errorCode(storage), 'INVALID_URL_SIGNATURE');
    const health = await b.app.inject({ method: 'GET', url: '/health' });
    assert.equal(health.statusCode, 200);
    assert.equal(health.json<{ status: string }>().status, 'ok');
    const docs = await b.app.inject({ method: 'GET', url: '/docs/json' });
    assert.equal(docs.statusCode, 200);
    const paths = Object.keys(docs.json<{ paths: Record<string, unknown> }>().paths);
    for (const p of ['/api/config', '/api/upload-video/jobs', '/api/upload-video/result/{jobId}/captions', '/api/upload-video/result/{jobId}/export']) {
      assert.ok(paths.includes(p), `OpenAPI documents ${p}`);
    }
  });

  it('lets a web origin read the export file name and the ETag across origins', async () => {
    const res = await b.app.inject({ method: 'GET', url: '/api/config', headers: { origin: 'http://localhost:5173' } });
    const exposed = String(res.headers['access-control-expose-headers']).toLowerCase();
    assert.match(exposed, /content-disposition/);
    assert.match(exposed, /etag/);
  });
});

describe('without a web app build', () => {
  let b: TestBackend;
  let empty: string;
  before(async () => {
    empty = await mkdtemp(join(tmpdir(), 'ecg-web-none-'));
    b = await startTestBackend({ env: { WEB_DIST_DIR: empty } });
  });
  after(async () => {
    await b?.destroy();
    if (empty) await rm(empty, { recursive: true, force: true });
  });

  it('serves the API only: / is a JSON 404, and /api/config says to poll the backend', async () => {
    const root = await b.app.inject({ method: 'GET', url: '/' });
    assert.equal(root.statusCode, 404);
    assert.equal(errorCode(root), 'NOT_FOUND');
    const config = await b.app.inject({ method: 'GET', url: '/api/config' });
    assert.deepEqual(config.json<ClientConfigResponse>(), { ml_public_url: null, max_upload_bytes: b.config.maxUploadBytes });
  });
});

describe('caption and web app configuration', () => {
  const base = { DATA_DIR: tmpdir(), ...TEST_SECRETS };

  it('defaults to a private ML service, the checkout\'s apps/web/dist and a 16 MiB caption body limit', () => {
    const c = loadConfig(base);
    assert.equal(c.mlPublicUrl, null);
    assert.equal(c.webDistDir, DEFAULT_WEB_DIST_DIR);
    assert.match(c.webDistDir.replaceAll('\\', '/'), /\/apps\/web\/dist$/);
    assert.equal(c.maxCaptionsBytes, 16 * 1024 * 1024);
  });

  it('reads ML_PUBLIC_URL, WEB_DIST_DIR and MAX_CAPTIONS_BYTES, refusing a malformed URL', () => {
    const c = loadConfig({ ...base, ML_PUBLIC_URL: 'http://ml.local:8001//', WEB_DIST_DIR: '/srv/ecg-web', MAX_CAPTIONS_BYTES: '2048' });
    assert.equal(c.mlPublicUrl, 'http://ml.local:8001');
    assert.equal(c.webDistDir, '/srv/ecg-web');
    assert.equal(c.maxCaptionsBytes, 2048);
    assert.throws(() => loadConfig({ ...base, ML_PUBLIC_URL: 'not a url' }), /ML_PUBLIC_URL/);
  });
});
