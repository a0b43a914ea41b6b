import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { ROUTE_TOKEN, startRouteApp, type RouteApp } from './support/route-app.js';

describe('process-video keeps the decode options (task, prompt, temperature) with the job', () => {
  let r: RouteApp;
  before(async () => (r = await startRouteApp()));
  after(() => r.close());

  const post = (extra: Record<string, unknown>) =>
    r.app.inject({
      method: 'POST',
      url: '/api/upload-video/process-video',
      headers: { authorization: `Bearer ${ROUTE_TOKEN}` },
      payload: { job_id: randomUUID(), video_url: 'http://127.0.0.1:8000/storage/x.mp4', ...extra },
    });

  it('stores translate, the prompt and the temperature as given', async () => {
    const res = await post({ task: 'translate', prompt: 'ECG, Whisper', temperature: 0.2 });
    assert.equal(res.statusCode, 200, res.body);
    const job = await r.store.get(res.json<{ job_id: string }>().job_id);
    assert.deepEqual(job?.decode, { task: 'translate', prompt: 'ECG, Whisper', temperature: 0.2 });
  });

  it('stores no decode options for a request without any (transcribe with the defaults)', async () => {
    const res = await post({});
    assert.equal(res.statusCode, 200, res.body);
    const job = await r.store.get(res.json<{ job_id: string }>().job_id);
    assert.equal(job?.decode, undefined);
  });

  it('refuses an unknown task and a temperature outside 0..1 with 400, creating no job', async () => {
    for (const extra of [{ task: 'summarise' }, { temperature: 1.5 }, { temperature: -0.1 }]) {
      const before = r.submitted.length;
      const res = await post(extra);
      assert.equal(res.statusCode, 400, JSON.stringify(extra));
      assert.equal(res.json<{ error: { code: string } }>().error.code, 'VALIDATION_ERROR');
      assert.equal(r.submitted.length, before);
    }
  });
});
