import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { OpenAiErrorBody } from '@ecg/contracts';
import { JobRepository } from '../src/jobs/job-repository.js';
import { countJobs, listStoredFiles, startTestBackend, type TestBackend } from './helpers/test-backend.js';

/** A WAV header and silence: media by name and type; nothing here transcribes it (the ML service is the discard port). */
const wav = () => new Blob([Buffer.alloc(2048)], { type: 'audio/wav' });

// Above the 1 MiB JSON body limit, so a file between the two shows multipart is not held to that one.
const MAX_UPLOAD_BYTES = 6 * 1024 * 1024;

describe('the /v1 routes without an ML service', () => {
  let b: TestBackend;
  before(async () => {
    b = await startTestBackend({ listen: true, env: { OPENAI_SYNC_TIMEOUT_SECONDS: '1', MAX_UPLOAD_BYTES: String(MAX_UPLOAD_BYTES) } });
    b.app.dispatcher.start();
  });
  after(() => b?.destroy());

  const post = (form: FormData, path = '/v1/audio/transcriptions') => fetch(`${b.baseUrl}${path}`, { method: 'POST', body: form });
  const formWith = (fields: Record<string, string>) => {
    const f = new FormData();
    f.append('file', wav(), 'meeting.wav');
    for (const [k, v] of Object.entries(fields)) f.append(k, v);
    return f;
  };
  async function openAiError(res: Response, status: number, code: string): Promise<OpenAiErrorBody> {
    assert.equal(res.status, status);
    const body = OpenAiErrorBody.parse(await res.json());
    assert.equal(body.error.code, code, body.error.message);
    return body;
  }

  it('stops waiting after OPENAI_SYNC_TIMEOUT_SECONDS with 504 RESULT_WAIT_TIMEOUT; the job stays, live, with its file', async () => {
    const res = await post(formWith({ model: 'whisper-1', response_format: 'json' }));
    assert.equal(res.headers.get('x-should-retry'), 'false', 'a retry would upload and transcribe again');
    const jobId = res.headers.get('x-ecg-job-id');
    await openAiError(res, 504, 'RESULT_WAIT_TIMEOUT');
    const job = await new JobRepository(b.db).get(jobId ?? '');
    assert.ok(job, 'the job was made');
    assert.equal(job.status, 'queued', 'the job is left to run');
    assert.equal(job.fileName, 'meeting.wav');
    assert.deepEqual(job.jobOptions, { task: 'transcribe' });
    assert.match(job.fileKey, /^videos\/anonymous\/\d{8}_\d{6}_[0-9a-f]{8}_meeting\.wav$/);
    assert.equal((await b.storage.head(job.fileKey))?.size, 2048);
  });

  it('streams a file far larger than the 1 MiB JSON body limit into storage whole', async () => {
    const f = new FormData();
    f.append('model', 'whisper-1');
    f.append('file', new Blob([Buffer.alloc(5 * 1024 * 1024, 1)], { type: 'audio/wav' }), 'long.wav');
    const res = await post(f);
    await openAiError(res, 504, 'RESULT_WAIT_TIMEOUT');
    const job = await new JobRepository(b.db).get(res.headers.get('x-ecg-job-id') ?? '');
    assert.equal((await b.storage.head(job?.fileKey ?? ''))?.size, 5 * 1024 * 1024);
  });

  it('answers a file over MAX_UPLOAD_BYTES with 413 FILE_TOO_LARGE and keeps none of its bytes', async () => {
    const jobsBefore = await countJobs(b.db);
    const filesBefore = await listStoredFiles(b.dataDir);
    const f = new FormData();
    f.append('model', 'whisper-1');
    f.append('file', new Blob([Buffer.alloc(MAX_UPLOAD_BYTES + 1, 1)], { type: 'audio/wav' }), 'huge.wav');
    const body = await openAiError(await post(f), 413, 'FILE_TOO_LARGE');
    assert.equal(body.error.param, 'file');
    assert.equal(await countJobs(b.db), jobsBefore);
    assert.deepEqual(await listStoredFiles(b.dataDir), filesBefore);
  });

  it('refuses a bad field before any job, and keeps no file of it', async () => {
    const jobsBefore = await countJobs(b.db);
    const filesBefore = await listStoredFiles(b.dataDir);
    const body = await openAiError(await post(formWith({ model: 'whisper-1', response_format: 'docx' })), 400, 'VALIDATION_ERROR');
    assert.equal(body.error.param, 'response_format');
    assert.equal(await countJobs(b.db), jobsBefore);
    assert.deepEqual(await listStoredFiles(b.dataDir), filesBefore);
  });

  it('answers a request without a file, or not multipart, with 400 naming file', async () => {
    const noFile = new FormData();
    noFile.append('model', 'whisper-1');
    assert.equal((await openAiError(await post(noFile), 400, 'VALIDATION_ERROR')).error.param, 'file');
    const json = await fetch(`${b.baseUrl}/v1/audio/transcriptions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'whisper-1' }),
    });
    assert.equal((await openAiError(json, 400, 'VALIDATION_ERROR')).error.param, 'file');
  });

  it('answers 503 MODEL_UNAVAILABLE for the model list, and for a model it cannot check, while the ML service is away', async () => {
    await openAiError(await fetch(`${b.baseUrl}/v1/models`), 503, 'MODEL_UNAVAILABLE');
    await openAiError(await post(formWith({ model: 'large-v3' })), 503, 'MODEL_UNAVAILABLE');
  });

  it('answers an unknown /v1 path in OpenAI’s envelope, and ECG’s own routes keep theirs', async () => {
    const body = await openAiError(await fetch(`${b.baseUrl}/v1/chat/completions`, { method: 'POST' }), 404, 'NOT_FOUND');
    assert.equal(body.error.type, 'invalid_request_error');
    const own = await fetch(`${b.baseUrl}/api/upload-video/nothing-here`);
    assert.equal(own.status, 404);
    assert.deepEqual(Object.keys(((await own.json()) as { error: object }).error).sort(), ['code', 'message']);
  });
});

describe('a /v1 request waiting when the backend shuts down', () => {
  it('answers 503 RESULT_WAIT_TIMEOUT at once instead of holding the shutdown for OPENAI_SYNC_TIMEOUT_SECONDS', async () => {
    const b = await startTestBackend({ listen: true, env: { OPENAI_SYNC_TIMEOUT_SECONDS: '3600' } });
    try {
      const form = new FormData();
      form.append('file', wav(), 'late.wav');
      form.append('model', 'whisper-1');
      const pending = fetch(`${b.baseUrl}/v1/audio/transcriptions`, { method: 'POST', body: form });
      // Shut down once the request is waiting on its job.
      for (let i = 0; i < 200 && (await countJobs(b.db)) === 0; i++) await new Promise((r) => setTimeout(r, 25));
      assert.equal(await countJobs(b.db), 1);
      const stopping = b.stop();
      const res = await pending;
      await stopping;
      assert.equal(res.status, 503);
      assert.equal(OpenAiErrorBody.parse(await res.json()).error.code, 'RESULT_WAIT_TIMEOUT');
      assert.ok(res.headers.get('x-ecg-job-id'));
    } finally {
      await b.destroy();
    }
  });
});
