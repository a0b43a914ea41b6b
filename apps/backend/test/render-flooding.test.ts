import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RenderJob } from '@ecg/contracts';
import { RenderRepository } from '../src/renders/render-repository.js';
import { completedJob } from './helpers/completed-job.js';
import { EXPRESSIVE_RESULT } from './helpers/expressive.js';
import { startTestBackend, type TestBackend } from './helpers/test-backend.js';

// The render worker is never started here: every render stays queued, as behind a long one.
describe('renders: one client cannot flood the render queue', () => {
  let b: TestBackend;
  let renders: RenderRepository;
  before(async () => {
    b = await startTestBackend({ env: { RATE_LIMIT_PER_MINUTE: '10000', RENDER_MAX_QUEUED: '20', RENDER_MAX_PER_CLIENT: '3' } });
    renders = new RenderRepository(b.db);
  });
  after(async () => {
    await b?.destroy();
  });

  const postRender = (jobId: string, body: object | undefined, from = '198.51.100.7', headers: Record<string, string> = {}) =>
    b.app.inject({
      method: 'POST',
      url: `/api/upload-video/result/${jobId}/render`,
      remoteAddress: from,
      headers,
      ...(body ? { payload: body } : {}),
    });

  it('answers 25 requests nudging strength by 0.01 with one waiting render, not 25', async () => {
    const jobId = await completedJob(b.app, 'flood.mp4', EXPRESSIVE_RESULT);
    const ids = new Set<string>();
    for (let i = 0; i < 25; i += 1) {
      const res = await postRender(jobId, { expressive: true, strength: 0.5 + i / 100 });
      assert.equal(res.statusCode, 202, res.body);
      ids.add(res.json<RenderJob>().render_id);
    }
    assert.equal(ids.size, 1, 'every request took over the one waiting render');
    const [id] = [...ids];
    const waiting = await b.app.inject({ method: 'GET', url: `/api/upload-video/result/${jobId}/render/${id}` });
    assert.equal(waiting.json<RenderJob>().strength, 0.74, 'the waiting render has the latest options');
    assert.equal(await renders.countLive(), 1);
    // Someone else can still render.
    const other = await completedJob(b.app, 'other.mp4', EXPRESSIVE_RESULT);
    assert.equal((await postRender(other, {}, '203.0.113.9')).statusCode, 202);
  });

  it('limits the live renders one client asks for across its jobs', async () => {
    const from = '192.0.2.77';
    const statuses: number[] = [];
    let refused: { error: { code: string } } | undefined;
    for (let i = 0; i < 5; i += 1) {
      const jobId = await completedJob(b.app, `many-${i}.mp4`, EXPRESSIVE_RESULT);
      const res = await postRender(jobId, {}, from);
      statuses.push(res.statusCode);
      if (res.statusCode === 429) refused = res.json();
    }
    assert.deepEqual(statuses, [202, 202, 202, 429, 429]);
    assert.equal(refused?.error.code, 'RATE_LIMITED');
  });

  it('refuses a bodiless cross-site POST and queues nothing', async () => {
    const jobId = await completedJob(b.app, 'csrf.mp4', EXPRESSIVE_RESULT);
    const before = await renders.countLive();
    const res = await postRender(jobId, undefined, '198.51.100.50', { origin: 'https://attacker.example' });
    assert.equal(res.statusCode, 403);
    assert.equal(res.json<{ error: { code: string } }>().error.code, 'ORIGIN_NOT_ALLOWED');
    assert.equal(await renders.countLive(), before);
    // The app's own page (same origin) and a configured web origin may.
    const own = await postRender(jobId, undefined, '198.51.100.50', { origin: b.config.publicUrl });
    assert.equal(own.statusCode, 202, own.body);
    const dev = await postRender(jobId, { strength: 2 }, '198.51.100.50', { origin: 'http://localhost:5173' });
    assert.equal(dev.statusCode, 202, dev.body);
  });
});
