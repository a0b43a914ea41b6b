import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { CaptionDocument } from '@ecg/contracts';
import { signCallback } from '@ecg/signing';
import { containsNulEscape } from '../src/security/json-body.js';
import { completedJob, queuedJob } from './helpers/completed-job.js';
import { startTestBackend, TEST_SECRETS, type TestBackend } from './helpers/test-backend.js';
import { TEST_POSTGRES_URL } from './helpers/test-databases.js';

const RESULT = {
  text: ' Hello there.',
  language: 'en',
  duration: 2,
  segments: [{ id: 0, start: 0, end: 1.5, text: ' Hello there.', words: [{ word: ' Hello', start: 0, end: 0.6, probability: 0.9 }] }],
};

describe('the NUL escape check', () => {
  it('finds \\u0000 escapes and ignores escaped backslashes before a literal "u0000"', () => {
    assert.equal(containsNulEscape(JSON.stringify({ text: 'a\u0000b' })), true);
    assert.equal(containsNulEscape('{"t":"\\\\\\u0000"}'), true, 'an escaped backslash, then the escape');
    assert.equal(containsNulEscape(JSON.stringify({ text: 'C:\\u0000 is a path' })), false);
    assert.equal(containsNulEscape(JSON.stringify({ text: 'plain' })), false);
  });
});

// PostgreSQL (server and PGlite alike) refuses U+0000 in jsonb and text: before the fix both answered 500.
for (const driver of ['pglite', 'postgres'] as const) {
  describe(`NUL characters are refused at the edge (${driver})`, () => {
    let b: TestBackend;
    before(async () => {
      b = await startTestBackend(driver === 'postgres' ? { env: { DATABASE_URL: TEST_POSTGRES_URL } } : {});
    });
    after(async () => {
      await b?.destroy();
    });

    it('answers 400 VALIDATION_ERROR to a caption save holding U+0000 and keeps the saved version', async () => {
      const id = await completedJob(b.app, 'nul.mp4', RESULT);
      const doc = (await b.app.inject({ method: 'GET', url: `/api/upload-video/result/${id}/captions` })).json<CaptionDocument>();
      const captions = doc.captions.map((c) => ({ ...c, text: `${c.text}\u0000` }));
      const res = await b.app.inject({
        method: 'PUT',
        url: `/api/upload-video/result/${id}`,
        payload: { base_version: doc.version, captions },
      });
      assert.equal(res.statusCode, 400, res.body);
      assert.equal(res.json<{ error: { code: string } }>().error.code, 'VALIDATION_ERROR');
      const after = (await b.app.inject({ method: 'GET', url: `/api/upload-video/result/${id}/captions` })).json<CaptionDocument>();
      assert.equal(after.version, doc.version);
      assert.deepEqual(after.captions, doc.captions);
    });

    it('answers 400 VALIDATION_ERROR to a signed result holding U+0000; the job stays live', async () => {
      const id = await queuedJob(b.app, 'nul-result.mp4');
      const raw = JSON.stringify({ job_id: id, result: { ...RESULT, text: ' Hello\u0000 there.' } });
      const res = await b.app.inject({
        method: 'POST',
        url: '/api/upload-video/result',
        headers: { 'content-type': 'application/json', ...signCallback(TEST_SECRETS.CALLBACK_SECRET, raw) },
        payload: raw,
      });
      assert.equal(res.statusCode, 400, res.body);
      assert.equal(res.json<{ error: { code: string } }>().error.code, 'VALIDATION_ERROR');
      const status = await b.app.inject({ method: 'GET', url: `/api/upload-video/status/${id}` });
      assert.equal(status.json<{ status: string }>().status, 'queued');
    });

    it('answers 400 to U+0000 in generate-url and request-process bodies too', async () => {
      const gen = await b.app.inject({
        method: 'POST',
        url: '/api/upload-video/generate-url',
        payload: { filename: 'a\u0000.mp4', filetype: 'video/mp4' },
      });
      assert.equal(gen.statusCode, 400);
      const req = await b.app.inject({ method: 'POST', url: '/api/upload-video/request-process', payload: { fileKey: 'videos/\u0000' } });
      assert.equal(req.statusCode, 400);
      assert.equal(req.json<{ error: { code: string } }>().error.code, 'VALIDATION_ERROR');
    });
  });
}
