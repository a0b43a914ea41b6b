import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import type { GenerateUrlResponse } from '@ecg/contracts';
import { JobRepository } from '../src/jobs/job-repository.js';
import { isUploadKey, MAX_SAFE_NAME_LENGTH } from '../src/storage/keys.js';
import { deliverResult } from './helpers/completed-job.js';
import { countJobs, listStoredFiles, startTestBackend, type TestBackend } from './helpers/test-backend.js';
import { generateUrl, putUpload, tryPutUpload, uploadFile } from './helpers/upload.js';

const MAX = 4096;
const VIDEO_BYTES = Buffer.from('not really a video, but storage does not care');
const OTHER_BYTES = Buffer.from('another file, swapped in under the same key');
const RESULT = { text: 'hello', language: 'en', segments: [{ id: 0, start: 0, end: 1, text: 'hello' }] };

describe('upload-video: generate-url and request-process', () => {
  let b: TestBackend;
  before(async () => {
    b = await startTestBackend({ env: { MAX_UPLOAD_BYTES: String(MAX) } });
  });
  after(async () => {
    await b?.destroy();
  });

  const gen = (payload: unknown, headers: Record<string, string> = {}) =>
    b.app.inject({ method: 'POST', url: '/api/upload-video/generate-url', payload: payload as string, headers });
  const req = (payload: unknown, headers: Record<string, string> = {}) =>
    b.app.inject({ method: 'POST', url: '/api/upload-video/request-process', payload: payload as string, headers });

  async function storedBytes(fileKey: string): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const chunk of await b.storage.read(fileKey)) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }

  const jobsFor = async (fileKey: string) =>
    (await b.db.query<{ id: string }>('SELECT id FROM jobs WHERE file_key = $1', [fileKey])).map((r) => r.id);

  function assertError(res: { statusCode: number; json: () => unknown }, status: number, code: string) {
    assert.equal(res.statusCode, status, JSON.stringify(res.json()));
    const body = res.json() as { error: { code: string; message: string; details?: { field: string }[] } };
    assert.equal(body.error.code, code);
    assert.ok(body.error.message.length > 0);
    return body;
  }

  describe('POST /api/upload-video/generate-url', () => {
    it('grants a presigned PUT bound to the content type, with the seed fields and the limits', async () => {
      const res = await gen({ filename: 'example.mp4', filetype: 'video/mp4' });
      assert.equal(res.statusCode, 200);
      const body = res.json<GenerateUrlResponse>();
      assert.match(body.fileKey, /^videos\/anonymous\/\d{8}_\d{6}_[0-9a-f]{8}_example\.mp4$/);
      assert.ok(isUploadKey(body.fileKey));
      assert.equal(body.method, 'PUT');
      assert.equal(body.expiresIn, 900);
      assert.equal(body.maxBytes, MAX);
      assert.equal(body.headers['Content-Type'] ?? body.headers['content-type'], 'video/mp4');
      assert.ok(body.url.startsWith(b.config.publicUrl));
      await putUpload(b.app, body, VIDEO_BYTES);
      assert.equal((await b.storage.head(body.fileKey))?.size, VIDEO_BYTES.length);
    });

    it('accepts the original clients\' content_type instead of filetype', async () => {
      const res = await gen({ filename: 'talk.wav', content_type: 'audio/wav' });
      assert.equal(res.statusCode, 200);
    });

    it('infers the media type from the extension when the browser says application/octet-stream', async () => {
      const body = (await gen({ filename: 'film.mkv', filetype: 'application/octet-stream' })).json<GenerateUrlResponse>();
      assert.equal(body.headers['Content-Type'] ?? body.headers['content-type'], 'video/x-matroska');
    });

    it('grants an upload URL that writes once: a second PUT is refused with OBJECT_ALREADY_EXISTS and the first bytes stay', async () => {
      const grant = await generateUrl(b.app, 'once.mp4', 'video/mp4');
      await putUpload(b.app, grant, VIDEO_BYTES);
      const again = await tryPutUpload(b.app, grant, OTHER_BYTES);
      assertError(again, 409, 'OBJECT_ALREADY_EXISTS');
      assert.equal(again.headers.connection, 'close', 'refused before the body is read, so the connection is not kept to drain it');
      assert.ok((await storedBytes(grant.fileKey)).equals(VIDEO_BYTES));
    });

    it('answers INVALID_JSON for a malformed body', async () => {
      assertError(await gen('{"filename": "a.mp4",', { 'content-type': 'application/json' }), 400, 'INVALID_JSON');
    });

    it('answers PAYLOAD_TOO_LARGE for a body over 1 MiB, and asks for JSON when sent something else', async () => {
      assertError(await gen({ filename: `${'a'.repeat(2 * 1024 * 1024)}.mp4`, filetype: 'video/mp4' }), 413, 'PAYLOAD_TOO_LARGE');
      assertError(await gen('filename=a.mp4', { 'content-type': 'application/x-www-form-urlencoded' }), 415, 'INVALID_JSON');
    });

    it('answers VALIDATION_ERROR naming the missing field', async () => {
      const noName = assertError(await gen({ filetype: 'video/mp4' }), 400, 'VALIDATION_ERROR') ;
      assert.ok(noName.error.details?.some((d) => d.field === 'body.filename'));
      const noType = assertError(await gen({ filename: 'a.mp4' }), 400, 'VALIDATION_ERROR') ;
      assert.ok(noType.error.details?.some((d) => d.field === 'body.filetype'));
    });

    it('answers VALIDATION_ERROR for wrong types', async () => {
      assertError(await gen({ filename: 42, filetype: 'video/mp4' }), 400, 'VALIDATION_ERROR');
      assertError(await gen({ filename: 'a.mp4', filetype: 'video/mp4', filesize: 'big' }), 400, 'VALIDATION_ERROR');
      assertError(await gen([1, 2]), 400, 'VALIDATION_ERROR');
    });

    it('refuses an executable with UNSUPPORTED_FILE_TYPE, whatever type it claims', async () => {
      assertError(await gen({ filename: 'setup.exe', filetype: 'application/x-msdownload' }), 415, 'UNSUPPORTED_FILE_TYPE');
      assertError(await gen({ filename: 'evil.exe', filetype: 'video/mp4' }), 415, 'UNSUPPORTED_FILE_TYPE');
      assertError(await gen({ filename: 'photo.png', filetype: 'image/png' }), 415, 'UNSUPPORTED_FILE_TYPE');
    });

    it('refuses a declared size over MAX_UPLOAD_BYTES with FILE_TOO_LARGE', async () => {
      const body = assertError(await gen({ filename: 'big.mp4', filetype: 'video/mp4', filesize: MAX + 1 }), 413, 'FILE_TOO_LARGE');
      assert.ok(body.error.message.includes(String(MAX)));
      assert.equal((await gen({ filename: 'ok.mp4', filetype: 'video/mp4', filesize: MAX })).statusCode, 200);
    });

    it('turns ../ names into a safe key inside the upload prefix', async () => {
      const body = (await gen({ filename: '../../etc/passwd.mp4', filetype: 'video/mp4' })).json<GenerateUrlResponse>();
      assert.ok(isUploadKey(body.fileKey));
      assert.ok(!body.fileKey.includes('..'));
      assert.equal(body.fileKey.split('/').length, 3);
    });

    it('shortens a 300-character name and keeps its extension', async () => {
      const body = (await gen({ filename: `${'a'.repeat(300)}.mp4`, filetype: 'video/mp4' })).json<GenerateUrlResponse>();
      assert.ok(isUploadKey(body.fileKey));
      const name = body.fileKey.split('_').slice(3).join('_');
      assert.ok(Array.from(name).length <= MAX_SAFE_NAME_LENGTH);
      assert.ok(name.endsWith('.mp4'));
    });

    it('accepts Korean and emoji names with a safe key that keeps the Korean', async () => {
      const res = await gen({ filename: '회의 녹화 🎬🔥.mp4', filetype: 'video/mp4' });
      assert.equal(res.statusCode, 200);
      const { fileKey } = res.json<GenerateUrlResponse>();
      assert.ok(isUploadKey(fileKey));
      assert.ok(fileKey.includes('회의'));
      assert.ok(!/[\s\u{1F300}-\u{1FAFF}]/u.test(fileKey));
    });

    it('stores nothing when it refuses', async () => {
      const before = await listStoredFiles(b.dataDir);
      await gen({ filename: 'setup.exe', filetype: 'application/x-msdownload' });
      await gen({ filename: 'big.mp4', filetype: 'video/mp4', filesize: MAX * 10 });
      await gen('{', { 'content-type': 'application/json' });
      assert.deepEqual(await listStoredFiles(b.dataDir), before);
    });
  });

  describe('POST /api/upload-video/request-process', () => {
    it('queues a job for an uploaded file and answers the seed\'s message', async () => {
      const fileKey = await uploadFile(b.app, 'lecture.mp4', 'video/mp4', VIDEO_BYTES);
      const res = await req({ fileKey, language: 'ko' });
      assert.equal(res.statusCode, 200);
      const body = res.json<{ message: string; jobId: string }>();
      assert.equal(body.message, 'Video processing started.');
      const rows = await b.db.query<{ status: string; language: string; file_key: string }>('SELECT * FROM jobs WHERE id = $1', [body.jobId]);
      assert.equal(rows[0]?.status, 'queued');
      assert.equal(rows[0]?.language, 'ko');
      assert.equal(rows[0]?.file_key, fileKey);
    });

    it('answers the same live job for the same key, even for concurrent requests', async () => {
      const fileKey = await uploadFile(b.app, 'twice.mp4', 'video/mp4', VIDEO_BYTES);
      const before = await countJobs(b.db);
      const answers = await Promise.all([req({ fileKey }), req({ fileKey }), req({ fileKey })]);
      const ids = answers.map((r) => r.json<{ jobId: string }>().jobId);
      assert.equal(new Set(ids).size, 1);
      assert.equal(await countJobs(b.db), before + 1);
    });

    it('answers the completed job again for its key instead of starting a second one', async () => {
      const fileKey = await uploadFile(b.app, 'done.mp4', 'video/mp4', VIDEO_BYTES);
      const first = await req({ fileKey });
      const { jobId } = first.json<{ jobId: string }>();
      await deliverResult(b.app, jobId, RESULT);
      const again = await req({ fileKey, language: 'ko' });
      assert.equal(again.statusCode, 200, again.body);
      assert.equal(again.json<{ jobId: string }>().jobId, jobId);
      assert.deepEqual(await jobsFor(fileKey), [jobId]);
      const status = await b.app.inject({ method: 'GET', url: `/api/upload-video/status/${jobId}` });
      assert.equal(status.json<{ status: string }>().status, 'completed');
    });

    it('keeps serving the bytes a completed transcript was made from: the upload URL cannot swap the video', async () => {
      const grant = await generateUrl(b.app, 'swap.mp4', 'video/mp4');
      await putUpload(b.app, grant, VIDEO_BYTES);
      const { jobId } = (await req({ fileKey: grant.fileKey })).json<{ jobId: string }>();
      await deliverResult(b.app, jobId, RESULT);

      assertError(await tryPutUpload(b.app, grant, OTHER_BYTES), 409, 'OBJECT_ALREADY_EXISTS');
      const media = await b.app.inject({ method: 'GET', url: `/api/upload-video/result/${jobId}/media` });
      assert.equal(media.statusCode, 200, media.body);
      const url = new URL(media.json<{ url: string }>().url);
      const video = await b.app.inject({ method: 'GET', url: url.pathname + url.search });
      assert.equal(video.statusCode, 200);
      assert.ok(video.rawPayload.equals(VIDEO_BYTES), 'the media URL must serve the first upload');
    });

    it('answers a key\'s existing job without touching its object, even one over today\'s size limit', async () => {
      // A job made when MAX_UPLOAD_BYTES was higher: its object must stay, whatever the limit is now.
      const { fileKey } = await generateUrl(b.app, 'older-limit.mp4', 'video/mp4');
      await b.storage.write(fileKey, Readable.from([Buffer.alloc(MAX + 1)]), 'video/mp4');
      const { job } = await new JobRepository(b.db).createOrGetLive(fileKey, { fileName: 'older-limit.mp4' });
      const res = await req({ fileKey });
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.json<{ jobId: string }>().jobId, job.id);
      assert.equal((await b.storage.head(fileKey))?.size, MAX + 1);
    });

    it('answers INVALID_JSON and VALIDATION_ERROR for malformed or incomplete bodies', async () => {
      assertError(await req('{"fileKey":', { 'content-type': 'application/json' }), 400, 'INVALID_JSON');
      assertError(await req({}), 400, 'VALIDATION_ERROR');
      assertError(await req({ fileKey: 7 }), 400, 'VALIDATION_ERROR');
      assertError(await req({ fileKey: 'videos/anonymous/x', language: 'klingon' }), 400, 'VALIDATION_ERROR');
    });

    it('refuses keys it did not issue with INVALID_FILE_KEY', async () => {
      for (const fileKey of [
        'videos/other/20250101_000000_abcdef12_clip.mp4',
        '../../etc/passwd',
        'videos/anonymous/../../etc/passwd',
        'videos/anonymous/20250101_000000_abcdef12_../x.mp4',
        '/etc/passwd',
      ]) {
        assertError(await req({ fileKey }), 400, 'INVALID_FILE_KEY');
      }
    });

    it('answers OBJECT_NOT_FOUND for a well-formed key with nothing uploaded', async () => {
      const { fileKey } = await generateUrl(b.app, 'never-uploaded.mp4', 'video/mp4');
      assertError(await req({ fileKey }), 404, 'OBJECT_NOT_FOUND');
    });

    it('deletes an object over the size limit and answers FILE_TOO_LARGE', async () => {
      const { fileKey } = await generateUrl(b.app, 'huge.mp4', 'video/mp4');
      // Written past the PUT route (which enforces the limit itself), as a misbehaving S3 client could.
      await b.storage.write(fileKey, Readable.from([Buffer.alloc(MAX + 1)]), 'video/mp4');
      assert.ok(await b.storage.head(fileKey));
      assertError(await req({ fileKey }), 413, 'FILE_TOO_LARGE');
      assert.equal(await b.storage.head(fileKey), null);
    });

    it('leaves no job row behind when it refuses', async () => {
      const before = await countJobs(b.db);
      const { fileKey } = await generateUrl(b.app, 'missing.mp4', 'video/mp4');
      await req({ fileKey });
      await req({ fileKey: '../../etc/passwd' });
      await req('{', { 'content-type': 'application/json' });
      assert.equal(await countJobs(b.db), before);
    });
  });
});
