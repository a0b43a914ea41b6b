import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { MlStatusResponse, ResultCallbackInput } from '@ecg/contracts';
import { signCallback } from '@ecg/signing';
import { JobRepository } from '../src/jobs/job-repository.js';
import { startTestBackend, TEST_SECRETS, type TestBackend } from './helpers/test-backend.js';
import { uploadFile } from './helpers/upload.js';

const RESULT = {
  text: ' And so my fellow Americans.',
  language: 'en',
  duration: 11,
  segments: [{ id: 0, start: 0, end: 2.5, text: ' And so my fellow Americans.', words: [{ word: ' And', start: 0, end: 0.3, probability: 0.9 }] }],
  analysis_version: 2,
};

describe('upload-video: result delivery and reading', () => {
  let b: TestBackend;
  let jobs: JobRepository;
  before(async () => {
    b = await startTestBackend();
    jobs = new JobRepository(b.db);
  });
  after(async () => {
    await b?.destroy();
  });

  let fileN = 0;
  async function newJob(): Promise<string> {
    const fileKey = await uploadFile(b.app, `clip-${fileN++}.mp4`, 'video/mp4', Buffer.from('bytes'));
    const res = await b.app.inject({ method: 'POST', url: '/api/upload-video/request-process', payload: { fileKey } });
    return res.json<{ jobId: string }>().jobId;
  }

  function deliver(body: ResultCallbackInput | string, opts: { secret?: string; at?: number; headers?: Record<string, string> } = {}) {
    const raw = typeof body === 'string' ? body : JSON.stringify(body);
    const signed = signCallback(opts.secret ?? TEST_SECRETS.CALLBACK_SECRET, raw, opts.at);
    return b.app.inject({
      method: 'POST',
      url: '/api/upload-video/result',
      headers: { 'content-type': 'application/json', ...signed, ...opts.headers },
      payload: raw,
    });
  }
  const read = (id: string) => b.app.inject({ method: 'GET', url: `/api/upload-video/result/${id}` });
  const status = (id: string) => b.app.inject({ method: 'GET', url: `/api/upload-video/status/${id}` });
  const code = (res: { json: () => unknown }) => (res.json() as { error: { code: string } }).error.code;

  it('answers 202 with progress while a job is queued, in both read endpoints', async () => {
    const id = await newJob();
    const r = await read(id);
    assert.equal(r.statusCode, 202);
    assert.deepEqual(r.json(), { job_id: id, status: 'queued', progress: 0, stage: 'queued' });
    const s = await status(id);
    assert.equal(s.statusCode, 200);
    const body = s.json<MlStatusResponse>();
    assert.equal(body.status, 'queued');
    assert.equal(body.eta_seconds, null);
    assert.ok(body.message.length > 0);
  });

  it('stores a signed result (the seed\'s {job_id, result}) and serves it', async () => {
    const id = await newJob();
    const res = await deliver({ job_id: id, result: RESULT });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { status: 'received' });
    const r = await read(id);
    assert.equal(r.statusCode, 200);
    assert.deepEqual(r.json(), { job_id: id, status: 'completed', result: RESULT });
    const s = (await status(id)).json<MlStatusResponse>();
    assert.equal(s.status, 'completed');
    assert.equal(s.progress, 100);
  });

  it('takes progress reports, never letting progress go backwards', async () => {
    const id = await newJob();
    assert.equal((await deliver({ job_id: id, status: 'processing', progress: 40, stage: 'transcribing', message: 'Transcribing' })).statusCode, 200);
    assert.equal((await deliver({ job_id: id, status: 'processing', progress: 25, stage: 'extracting' })).statusCode, 200);
    const r = await read(id);
    assert.equal(r.statusCode, 202);
    assert.deepEqual(r.json(), { job_id: id, status: 'processing', progress: 40, stage: 'transcribing', message: 'Transcribing' });
  });

  it('records a failure delivery with its code and message', async () => {
    const id = await newJob();
    await deliver({ job_id: id, status: 'failed', error_code: 'NO_AUDIO_TRACK', error_message: 'The file has no audio track.' });
    const r = await read(id);
    assert.equal(r.statusCode, 200);
    assert.deepEqual(r.json(), { job_id: id, status: 'failed', error: { code: 'NO_AUDIO_TRACK', message: 'The file has no audio track.' } });
    const s = (await status(id)).json<MlStatusResponse>();
    assert.equal(s.status, 'failed');
    assert.equal(s.error_code, 'NO_AUDIO_TRACK');
  });

  it('answers "received" to a replayed or late delivery and changes nothing', async () => {
    const id = await newJob();
    await deliver({ job_id: id, result: RESULT });
    const replay = await deliver({ job_id: id, result: RESULT });
    assert.equal(replay.statusCode, 200);
    assert.deepEqual(replay.json(), { status: 'received' });
    const other = await deliver({ job_id: id, result: { ...RESULT, text: 'tampered' } });
    assert.deepEqual(other.json(), { status: 'received' });
    await deliver({ job_id: id, status: 'failed', error_code: 'TRANSCRIPTION_ERROR', error_message: 'late' });
    await deliver({ job_id: id, status: 'processing', progress: 10 });
    assert.deepEqual((await read(id)).json(), { job_id: id, status: 'completed', result: RESULT });
  });

  it('refuses an unsigned, wrongly signed, tampered or stale delivery with 401 and leaves the job as it was', async () => {
    const id = await newJob();
    const raw = JSON.stringify({ job_id: id, result: RESULT });
    const unsigned = await b.app.inject({ method: 'POST', url: '/api/upload-video/result', headers: { 'content-type': 'application/json' }, payload: raw });
    assert.equal(unsigned.statusCode, 401);
    assert.equal(code(unsigned), 'INVALID_SIGNATURE');

    const wrong = await deliver({ job_id: id, result: RESULT }, { secret: 'not-the-secret' });
    assert.equal(wrong.statusCode, 401);
    assert.equal(code(wrong), 'INVALID_SIGNATURE');

    const headers = signCallback(TEST_SECRETS.CALLBACK_SECRET, raw);
    const tampered = await b.app.inject({
      method: 'POST',
      url: '/api/upload-video/result',
      headers: { 'content-type': 'application/json', ...headers },
      payload: raw.replace('my fellow', 'my dear'),
    });
    assert.equal(tampered.statusCode, 401);
    assert.equal(code(tampered), 'INVALID_SIGNATURE');

    const sixMinutesAgo = Math.floor(Date.now() / 1000) - 6 * 60;
    const stale = await deliver({ job_id: id, result: RESULT }, { at: sixMinutesAgo });
    assert.equal(stale.statusCode, 401);
    assert.equal(code(stale), 'SIGNATURE_EXPIRED');

    const job = await jobs.get(id);
    assert.equal(job?.status, 'queued');
    assert.equal(job?.result, null);
  });

  it('checks the signature before reading the body: unsigned garbage is 401, not 400', async () => {
    const res = await b.app.inject({
      method: 'POST',
      url: '/api/upload-video/result',
      headers: { 'content-type': 'application/json' },
      payload: '{not json',
    });
    assert.equal(res.statusCode, 401);
  });

  it('answers INVALID_JSON and VALIDATION_ERROR for signed but malformed deliveries', async () => {
    const id = await newJob();
    const bad = await deliver('{"job_id":');
    assert.equal(bad.statusCode, 400);
    assert.equal(code(bad), 'INVALID_JSON');
    const noResult = await deliver({ job_id: id } as ResultCallbackInput);
    assert.equal(noResult.statusCode, 400);
    assert.equal(code(noResult), 'VALIDATION_ERROR');
    const notUuid = await deliver({ job_id: '123456', result: RESULT });
    assert.equal(notUuid.statusCode, 400);
    assert.equal(code(notUuid), 'VALIDATION_ERROR');
    const badProgress = await deliver({ job_id: id, status: 'processing', progress: 140 });
    assert.equal(code(badProgress), 'VALIDATION_ERROR');
    assert.equal((await jobs.get(id))?.progress, 0);
  });

  it('answers JOB_NOT_FOUND to a delivery for an unknown job', async () => {
    const res = await deliver({ job_id: '3f0c8a52-7d3e-4c1b-9a63-0a6f0b1c2d3e', result: RESULT });
    assert.equal(res.statusCode, 404);
    assert.equal(code(res), 'JOB_NOT_FOUND');
  });

  it('takes a multi-megabyte result (an hour of word timings)', async () => {
    const id = await newJob();
    const words = Array.from({ length: 30 }, (_, i) => ({ word: ` w${i}`, start: i, end: i + 0.5, probability: 0.5 }));
    const segments = Array.from({ length: 1500 }, (_, i) => ({ id: i, start: i, end: i + 1, text: ' words '.repeat(10), words }));
    const big = { text: 'long', language: 'en', segments };
    const raw = JSON.stringify({ job_id: id, result: big });
    assert.ok(raw.length > 2 * 1024 * 1024);
    const res = await deliver(raw);
    assert.equal(res.statusCode, 200);
    assert.equal((await jobs.get(id))?.result?.segments.length, 1500);
  });

  it('answers JOB_NOT_FOUND, never 500, for unknown or malformed ids on both read endpoints', async () => {
    for (const id of ['3f0c8a52-7d3e-4c1b-9a63-0a6f0b1c2d3e', 'not-a-uuid', '123456', '..%2F..%2Fetc%2Fpasswd', "1'%20OR%20'1'='1"]) {
      const r = await read(id);
      assert.equal(r.statusCode, 404, id);
      assert.equal(code(r), 'JOB_NOT_FOUND');
      const s = await status(id);
      assert.equal(s.statusCode, 404, id);
      assert.equal(code(s), 'JOB_NOT_FOUND');
    }
  });
});
