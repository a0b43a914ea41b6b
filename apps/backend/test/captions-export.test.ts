import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Caption, MediaUrlResponse, TranscriptResult } from '@ecg/contracts';
import { JobRepository } from '../src/jobs/job-repository.js';
import { completedJob } from './helpers/completed-job.js';
import { startTestBackend, type TestBackend } from './helpers/test-backend.js';

const RESULT: TranscriptResult = {
  text: ' Hello there. General Kenobi.',
  language: 'en',
  segments: [
    { id: 0, start: 0, end: 1.5, text: ' Hello there.' },
    { id: 1, start: 1.5, end: 3.25, text: ' General Kenobi.' },
  ],
};

const EDITED: Caption[] = [
  { id: 'c0', start: 0, end: 1.5, text: 'Hello <there> & welcome.', words: [] },
  { id: 'c1', start: 1.5, end: 3725.5, text: '안녕하세요, Kenobi.', words: [] },
];

/** The UTF-8 file name a browser takes from `Content-Disposition` (RFC 6266 filename*). */
function utf8FileName(disposition: string | undefined): string | undefined {
  const m = /filename\*=UTF-8''([^;]+)/.exec(disposition ?? '');
  return m?.[1] === undefined ? undefined : decodeURIComponent(m[1]);
}

describe('captions: export and media', () => {
  let b: TestBackend;
  let jobs: JobRepository;
  let editedId: string;
  let koreanId: string;
  const VIDEO = Buffer.from('not really a video, but bytes the player would stream');
  before(async () => {
    b = await startTestBackend({ env: { RATE_LIMIT_PER_MINUTE: '10000' } });
    jobs = new JobRepository(b.db);
    editedId = await completedJob(b.app, 'interview final.mp4', RESULT, VIDEO);
    const saved = await b.app.inject({ method: 'PUT', url: `/api/upload-video/result/${editedId}`, payload: { base_version: 0, captions: EDITED } });
    assert.equal(saved.statusCode, 200, saved.body);
    koreanId = await completedJob(b.app, '회의 녹화 (1).mov', RESULT);
  });
  after(async () => {
    await b?.destroy();
  });

  const exportAs = (id: string, format: string) => b.app.inject({ method: 'GET', url: `/api/upload-video/result/${id}/export?format=${format}` });

  it('writes the edited captions as SubRip, named after the uploaded video', async () => {
    const res = await exportAs(editedId, 'srt');
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], 'application/x-subrip; charset=utf-8');
    assert.match(String(res.headers['content-disposition']), /^attachment; filename="interview_final\.srt"/);
    assert.equal(utf8FileName(res.headers['content-disposition'] as string), 'interview_final.srt');
    // A WORD JOINER after `<` keeps players from reading `<there>` as a tag (and dropping it).
    assert.equal(
      res.body,
      '1\n00:00:00,000 --> 00:00:01,500\nHello <\u2060there> & welcome.\n\n2\n00:00:01,500 --> 01:02:05,500\n안녕하세요, Kenobi.\n',
    );
  });

  it('writes WebVTT with its header and escaped cue text', async () => {
    const res = await exportAs(editedId, 'vtt');
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], 'text/vtt; charset=utf-8');
    assert.equal(utf8FileName(res.headers['content-disposition'] as string), 'interview_final.vtt');
    assert.equal(
      res.body,
      'WEBVTT\n\n00:00:00.000 --> 00:00:01.500\nHello &lt;there&gt; &amp; welcome.\n\n00:00:01.500 --> 01:02:05.500\n안녕하세요, Kenobi.\n',
    );
  });

  it('writes plain text, one caption a line', async () => {
    const res = await exportAs(editedId, 'txt');
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], 'text/plain; charset=utf-8');
    assert.equal(utf8FileName(res.headers['content-disposition'] as string), 'interview_final.txt');
    assert.equal(res.body, 'Hello <there> & welcome.\n안녕하세요, Kenobi.\n');
  });

  it('writes Whisper-shaped JSON with the language and caption ids', async () => {
    const res = await exportAs(editedId, 'json');
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], 'application/json; charset=utf-8');
    assert.equal(utf8FileName(res.headers['content-disposition'] as string), 'interview_final.json');
    const doc = res.json<{ text: string; language: string; segments: Array<{ id: number; caption_id: string; text: string; end: number }> }>();
    assert.equal(doc.language, 'en');
    assert.equal(doc.text, 'Hello <there> & welcome. 안녕하세요, Kenobi.');
    assert.deepEqual(
      doc.segments.map((s) => [s.id, s.caption_id, s.text, s.end]),
      [
        [0, 'c0', 'Hello <there> & welcome.', 1.5],
        [1, 'c1', '안녕하세요, Kenobi.', 3725.5],
      ],
    );
  });

  it('exports the transcript captions when nothing was saved, and keeps a Korean video name in filename*', async () => {
    const res = await exportAs(koreanId, 'srt');
    assert.equal(res.statusCode, 200);
    // Laid out by the English profile: two short sentences share one caption, lingering 0.5 s.
    assert.equal(res.body, '1\n00:00:00,000 --> 00:00:03,750\nHello there. General Kenobi.\n');
    const disposition = String(res.headers['content-disposition']);
    // Header values must be ASCII: the Korean name travels percent-encoded, with an ASCII fallback beside it.
    assert.match(disposition, /^[\x20-\x7e]+$/);
    assert.match(disposition, /^attachment; filename="[\x20-\x7e]+\.srt"; filename\*=UTF-8''/);
    assert.equal(utf8FileName(disposition), '회의_녹화_1.srt');
  });

  it('refuses an unknown or missing export format with 400 VALIDATION_ERROR', async () => {
    for (const url of [
      `/api/upload-video/result/${editedId}/export?format=docx`,
      `/api/upload-video/result/${editedId}/export`,
    ]) {
      const res = await b.app.inject({ method: 'GET', url });
      assert.equal(res.statusCode, 400, url);
      assert.equal(res.json<{ error: { code: string } }>().error.code, 'VALIDATION_ERROR');
    }
  });

  it('hands out a presigned URL of the uploaded video that streams its bytes, with name and type', async () => {
    const res = await b.app.inject({ method: 'GET', url: `/api/upload-video/result/${editedId}/media` });
    assert.equal(res.statusCode, 200);
    const media = res.json<MediaUrlResponse>();
    assert.equal(media.file_name, 'interview_final.mp4');
    assert.equal(media.content_type, 'video/mp4');
    assert.equal(media.expires_in, b.config.downloadUrlExpiresSeconds);
    const url = new URL(media.url);
    assert.equal(url.origin, b.baseUrl);
    const video = await b.app.inject({ method: 'GET', url: url.pathname + url.search });
    assert.equal(video.statusCode, 200);
    assert.deepEqual(video.rawPayload, VIDEO);
    const ranged = await b.app.inject({ method: 'GET', url: url.pathname + url.search, headers: { range: 'bytes=4-9' } });
    assert.equal(ranged.statusCode, 206, 'a player can seek');
    assert.deepEqual(ranged.rawPayload, VIDEO.subarray(4, 10));
    const unsigned = await b.app.inject({ method: 'GET', url: url.pathname });
    assert.ok(unsigned.statusCode >= 400, 'the object is not readable without the signature');
  });

  it('answers 404 OBJECT_NOT_FOUND for the media of a job whose upload is gone', async () => {
    const id = await completedJob(b.app, 'deleted.mp4', RESULT);
    const job = await jobs.get(id);
    assert.ok(job);
    await b.storage.delete(job.fileKey);
    const res = await b.app.inject({ method: 'GET', url: `/api/upload-video/result/${id}/media` });
    assert.equal(res.statusCode, 404);
    assert.equal(res.json<{ error: { code: string } }>().error.code, 'OBJECT_NOT_FOUND');
  });
});
