/**
 * The thumbnail sprite the ML service delivers next to a video's result:
 * stored next to the video, served as a layout plus same-origin JPEG bytes,
 * never able to fail the job; and result.video kept in the stored result.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { JobResultResponse, ThumbnailSprite, ThumbnailsResponse, TranscriptResult } from '@ecg/contracts';
import { JobRepository } from '../src/jobs/job-repository.js';
import { completedJob, queuedJob } from './helpers/completed-job.js';
import { deliverSigned, EXPRESSIVE_RESULT, run } from './helpers/expressive.js';
import { startTestBackend, type TestBackend } from './helpers/test-backend.js';

const VIDEO = { fps: 25, width: 320, height: 240, shot_changes: [1.04, 2.6] };
const RESULT: TranscriptResult = { ...EXPRESSIVE_RESULT, video: VIDEO };

describe('thumbnail sprite and result.video', () => {
  let b: TestBackend;
  let jobs: JobRepository;
  let dir: string;
  let sprite: ThumbnailSprite;
  let jpeg: Buffer;

  before(async () => {
    b = await startTestBackend({ env: { RATE_LIMIT_PER_MINUTE: '10000' } });
    jobs = new JobRepository(b.db);
    dir = await mkdtemp(join(tmpdir(), 'ecg-thumbs-'));
    // A real 3-tile sprite (480x90), as the ML service would deliver it.
    await run('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=s=480x90', '-frames:v', '1', join(dir, 'sprite.jpg')]);
    jpeg = await readFile(join(dir, 'sprite.jpg'));
    sprite = { width: 160, height: 90, columns: 3, times: [0, 1.04, 2.6], jpeg_base64: jpeg.toString('base64') };
  });
  after(async () => {
    await b?.destroy();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const get = (url: string) => b.app.inject({ method: 'GET', url });
  const layoutOf = (id: string) => get(`/api/upload-video/result/${id}/thumbnails`);
  const errorCode = (res: { json: <T>() => T }) => res.json<{ error: { code: string } }>().error.code;

  it('answers 404 NOT_FOUND before the delivery, then the stored layout and the sprite bytes after it', async () => {
    const id = await queuedJob(b.app, 'shots.mp4');
    const before = await layoutOf(id);
    assert.equal(before.statusCode, 404);
    assert.equal(errorCode(before), 'NOT_FOUND');

    assert.equal(await deliverSigned(b.app, { job_id: id, result: RESULT, thumbnails: sprite }), 200);
    const res = await layoutOf(id);
    assert.equal(res.statusCode, 200, res.body);
    const layout = res.json<ThumbnailsResponse>();
    assert.deepEqual(layout, {
      width: 160,
      height: 90,
      columns: 3,
      rows: 1,
      times: [0, 1.04, 2.6],
      url: `/api/upload-video/result/${id}/thumbnails.jpg`,
    });
    const image = await get(layout.url);
    assert.equal(image.statusCode, 200);
    assert.equal(image.headers['content-type'], 'image/jpeg');
    assert.ok(image.rawPayload.equals(jpeg), 'the delivered JPEG, byte for byte');

    const job = await jobs.get(id);
    assert.ok(job);
    assert.equal((await b.storage.head(`${job.fileKey}.thumbnails.jpg`))?.contentType, 'image/jpeg', 'stored next to the video');
    assert.equal((await b.storage.head(`${job.fileKey}.thumbnails.json`))?.contentType, 'application/json');
  });

  it('keeps result.video (fps, size, shot changes) in the stored result', async () => {
    const id = await completedJob(b.app, 'video.mp4', RESULT);
    const res = await get(`/api/upload-video/result/${id}`);
    assert.equal(res.statusCode, 200);
    const body = res.json<JobResultResponse>();
    assert.ok(body.status === 'completed');
    assert.deepEqual(body.result.video, VIDEO);
  });

  it('answers 404 NOT_FOUND for a job delivered without thumbnails (audio only), 404 JOB_NOT_FOUND for an unknown job', async () => {
    const id = await completedJob(b.app, 'talk.m4a', EXPRESSIVE_RESULT);
    for (const url of [`/api/upload-video/result/${id}/thumbnails`, `/api/upload-video/result/${id}/thumbnails.jpg`]) {
      const none = await get(url);
      assert.equal(none.statusCode, 404, url);
      assert.equal(errorCode(none), 'NOT_FOUND');
    }
    const unknown = await layoutOf('00000000-0000-4000-8000-000000000000');
    assert.equal(unknown.statusCode, 404);
    assert.equal(errorCode(unknown), 'JOB_NOT_FOUND');
  });

  it('still completes the job with its transcript when the thumbnails cannot be stored', async () => {
    const id = await queuedJob(b.app, 'blocked.mp4');
    const job = await jobs.get(id);
    assert.ok(job);
    // A directory where the sprite would go: the local driver's final rename fails, as a full or broken disk would.
    await mkdir(join(b.dataDir, 'objects', `${job.fileKey}.thumbnails.jpg`, 'in-the-way'), { recursive: true });
    assert.equal(await deliverSigned(b.app, { job_id: id, result: RESULT, thumbnails: sprite }), 200);
    const result = await get(`/api/upload-video/result/${id}`);
    assert.equal(result.json<JobResultResponse>().status, 'completed');
    assert.equal((await layoutOf(id)).statusCode, 404, 'no layout without its sprite');
  });

  it('refuses a delivery whose sprite is not a base64 JPEG or whose shot changes go backwards', async () => {
    const id = await queuedJob(b.app, 'bad.mp4');
    assert.equal(await deliverSigned(b.app, { job_id: id, result: RESULT, thumbnails: { ...sprite, jpeg_base64: Buffer.from('GIF89a').toString('base64') } }), 400);
    assert.equal(await deliverSigned(b.app, { job_id: id, result: { ...RESULT, video: { ...VIDEO, shot_changes: [2, 1] } } }), 400);
    assert.equal((await jobs.get(id))?.status, 'queued', 'nothing was taken');
  });
});
