import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { buildApp } from '../src/app.js';
import { runMigrations } from '../src/db/migrate.js';
import { createStorage } from '../src/storage/create-storage.js';
import { startTestBackend, type TestBackend } from './helpers/test-backend.js';
import { TEST_DATABASES } from './helpers/test-databases.js';
import { uploadFile } from './helpers/upload.js';

describe('backend app', () => {
  let b: TestBackend;
  before(async () => {
    b = await startTestBackend({ env: { RATE_LIMIT_PER_MINUTE: '3' } });
  });
  after(async () => {
    await b?.destroy();
  });

  it('publishes OpenAPI at /docs/json listing every upload-video path, and the UI at /docs', async () => {
    const res = await b.app.inject({ method: 'GET', url: '/docs/json' });
    assert.equal(res.statusCode, 200);
    const doc = res.json<{ openapi: string; paths: Record<string, Record<string, unknown>> }>();
    assert.match(doc.openapi, /^3\./);
    for (const [path, method] of [
      ['/api/upload-video/generate-url', 'post'],
      ['/api/upload-video/request-process', 'post'],
      ['/api/upload-video/result', 'post'],
      ['/api/upload-video/result/{jobId}', 'get'],
      ['/api/upload-video/status/{job_id}', 'get'],
      ['/health', 'get'],
    ] as const) {
      assert.ok(doc.paths[path]?.[method], `${method.toUpperCase()} ${path} documented`);
    }
    const ui = await b.app.inject({ method: 'GET', url: '/docs/' });
    assert.equal(ui.statusCode, 200);
    assert.match(ui.headers['content-type'] as string, /html/);
  });

  it('reports /health ok with both checks', async () => {
    const res = await b.app.inject({ method: 'GET', url: '/health' });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), {
      status: 'ok',
      checks: { database: { ok: true, driver: 'pglite' }, storage: { ok: true, driver: 'local' } },
    });
  });

  it('reports /health degraded (503) when the database is gone, and hides internals from a failing request', async () => {
    // PostgreSQL here: a second backend on another database, whose pool is then ended under it.
    const pgTest = await TEST_DATABASES.find((d) => d.driver === 'postgres')!.open();
    const db = pgTest.db;
    await runMigrations(db);
    const app = await buildApp({ config: b.config, db, storage: createStorage(b.config.storage) });
    try {
      const fileKey = await uploadFile(app, 'x.mp4', 'video/mp4', Buffer.from('x'));
      await db.close();
      const health = await app.inject({ method: 'GET', url: '/health' });
      assert.equal(health.statusCode, 503);
      const body = health.json<{ status: string; checks: { database: { ok: boolean }; storage: { ok: boolean } } }>();
      assert.equal(body.status, 'degraded');
      assert.equal(body.checks.database.ok, false);
      assert.equal(body.checks.storage.ok, true);

      const res = await app.inject({ method: 'POST', url: '/api/upload-video/request-process', payload: { fileKey } });
      assert.equal(res.statusCode, 500);
      const err = res.json<{ error: { code: string; message: string } }>();
      assert.equal(err.error.code, 'INTERNAL_ERROR');
      assert.doesNotMatch(res.body, /pool|end|stack|\.ts:/i);
    } finally {
      await app.close();
      await pgTest.cleanup();
    }
  });

  it('answers NOT_FOUND for an unknown route', async () => {
    const res = await b.app.inject({ method: 'GET', url: '/api/upload-video/nothing-here' });
    assert.equal(res.statusCode, 404);
    assert.equal(res.json<{ error: { code: string } }>().error.code, 'NOT_FOUND');
  });

  it('tags every response with a request id, honouring a sane incoming x-request-id', async () => {
    const own = await b.app.inject({ method: 'GET', url: '/health' });
    assert.match(own.headers['x-request-id'] as string, /^[0-9a-f-]{36}$/);
    const given = await b.app.inject({ method: 'GET', url: '/health', headers: { 'x-request-id': 'edge-42.abc' } });
    assert.equal(given.headers['x-request-id'], 'edge-42.abc');
    const forged = await b.app.inject({ method: 'GET', url: '/nope', headers: { 'x-request-id': 'evil\nlog line' } });
    assert.notEqual(forged.headers['x-request-id'], 'evil\nlog line');
    assert.match(forged.headers['x-request-id'] as string, /^[0-9a-f-]{36}$/);
  });

  it('allows the web origins by CORS, including the PUT preflight of an upload, and no other origin', async () => {
    const pre = await b.app.inject({
      method: 'OPTIONS',
      url: '/api/upload-video/generate-url',
      headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    assert.equal(pre.statusCode, 204);
    assert.equal(pre.headers['access-control-allow-origin'], 'http://localhost:5173');
    const put = await b.app.inject({
      method: 'OPTIONS',
      url: '/storage/videos/anonymous/x.mp4',
      headers: { origin: 'http://127.0.0.1:5173', 'access-control-request-method': 'PUT', 'access-control-request-headers': 'content-type' },
    });
    assert.equal(put.headers['access-control-allow-origin'], 'http://127.0.0.1:5173');
    assert.match(String(put.headers['access-control-allow-methods']), /PUT/);
    const evil = await b.app.inject({ method: 'GET', url: '/health', headers: { origin: 'https://evil.example' } });
    assert.equal(evil.headers['access-control-allow-origin'], undefined);
  });

  it('rate limits the public endpoints with RATE_LIMITED, but never /health', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 5; i++) {
      // A client of its own: the budget is one per client over all routes, and earlier tests spent some of the default one.
      const res = await b.app.inject({
        method: 'GET',
        url: '/api/upload-video/status/00000000-0000-4000-8000-000000000000',
        remoteAddress: '198.51.100.99',
      });
      codes.push(res.statusCode);
      if (res.statusCode === 429) assert.equal(res.json<{ error: { code: string } }>().error.code, 'RATE_LIMITED');
    }
    assert.deepEqual(codes, [404, 404, 404, 429, 429]);
    for (let i = 0; i < 6; i++) {
      assert.equal((await b.app.inject({ method: 'GET', url: '/health', remoteAddress: '198.51.100.99' })).statusCode, 200);
    }
  });
});
