import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Caption, JobResultResponse } from '@ecg/contracts';
import { JobRepository } from '../src/jobs/job-repository.js';
import { completedJob, queuedJob } from './helpers/completed-job.js';
import { deliverSigned, EXPRESSIVE_RESULT, run, WAVEFORM } from './helpers/expressive.js';
import { startTestBackend, type TestBackend } from './helpers/test-backend.js';

/** The UTF-8 file name a browser takes from `Content-Disposition` (RFC 6266 filename*). */
function utf8FileName(disposition: unknown): string | undefined {
  const m = /filename\*=UTF-8''([^;]+)/.exec(String(disposition ?? ''));
  return m?.[1] === undefined ? undefined : decodeURIComponent(m[1]);
}

describe('expressive captions: ASS export', () => {
  let b: TestBackend;
  let dir: string;
  let jobId: string;
  before(async () => {
    b = await startTestBackend({ env: { RATE_LIMIT_PER_MINUTE: '10000' } });
    dir = await mkdtemp(join(tmpdir(), 'ecg-ass-'));
    jobId = await completedJob(b.app, '회의 clip.mp4', EXPRESSIVE_RESULT);
  });
  after(async () => {
    await b?.destroy();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const exportAss = (id: string, query = '') =>
    b.app.inject({ method: 'GET', url: `/api/upload-video/result/${id}/export?format=ass${query}` });

  it('writes ASS named after the video, with karaoke timing and emphasis sizes that ffmpeg parses', async () => {
    const res = await exportAss(jobId);
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.headers['content-type'], 'text/x-ssa; charset=utf-8');
    assert.equal(utf8FileName(res.headers['content-disposition']), '회의_clip.ass');
    const ass = res.body;
    assert.match(ass, /^\[Script Info\]\n/);
    assert.match(ass, /\nStyle: Default,DejaVu Sans,60,/);
    // One laid-out caption (the English profile joins the two short sentences), each word karaoke-timed.
    assert.match(
      ass,
      /Dialogue: 0,0:00:00\.20,0:00:05\.30,Default,,0,0,0,,\{\\k70\}Hello \{\\k80\\fs81\}LOUD\{\\r\} \{\\k90\}world\. \{\\k80\\fs45\\alpha&H60&\}quiet\{\\r\} \{\\k70\}words \{\\k120\}here\.\n/,
    );

    // ffmpeg's own ASS reader: the file parses and the text survives (tags become SubRip markup).
    const file = join(dir, 'captions.ass');
    await writeFile(file, ass);
    const { stdout } = await run('ffmpeg', ['-v', 'error', '-i', file, '-f', 'srt', '-']);
    const text = stdout.replace(/<[^>]+>/g, '');
    assert.match(text, /00:00:00,200 --> 00:00:05,300\nHello LOUD world\. quiet words here\./);
  });

  it('is drawn by libass (the ass filter puts white text on a black frame)', async () => {
    const res = await exportAss(jobId);
    const file = join(dir, 'drawn.ass');
    await writeFile(file, res.body);
    const frame = await run(
      'ffmpeg',
      ['-v', 'error', '-f', 'lavfi', '-i', 'color=black:size=320x240:duration=2', '-ss', '1', '-vf', 'ass=drawn.ass', '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'gray', '-'],
      { cwd: dir, encoding: 'buffer' },
    );
    const pixels = frame.stdout;
    assert.equal(pixels.length, 320 * 240);
    const bright = pixels.filter((v) => v > 200).length;
    assert.ok(bright > 50, `expected caption pixels, found ${bright}`);
    const topHalfBright = pixels.subarray(0, 320 * 120).filter((v) => v > 200).length;
    assert.equal(topHalfBright, 0, 'captions sit at the bottom');
  });

  it('leaves sizes out when not expressive, grows them with strength, and refuses a strength past 2', async () => {
    const plain = await exportAss(jobId, '&expressive=false');
    assert.equal(plain.statusCode, 200);
    assert.match(plain.body, /\\k80\}LOUD/);
    assert.doesNotMatch(plain.body, /\\fs|\\alpha/);

    const strong = await exportAss(jobId, '&expressive=true&strength=2');
    assert.match(strong.body, /\{\\k80\\fs102\}LOUD/);

    const tooStrong = await exportAss(jobId, '&strength=3');
    assert.equal(tooStrong.statusCode, 400);
    assert.equal(tooStrong.json<{ error: { code: string } }>().error.code, 'VALIDATION_ERROR');
  });

  it('exports the edited captions once some are saved, escaping ASS syntax in the text', async () => {
    const edited: Caption[] = [
      {
        id: 'c0',
        start: 0.2,
        end: 2.4,
        text: 'Hello {LOUD} world.',
        words: [
          { word: 'Hello', start: 0.2, end: 0.8, emphasis: 'normal' },
          { word: '{LOUD}', start: 0.9, end: 1.6, emphasis: 'loud' },
          { word: 'world.', start: 1.7, end: 2.4, emphasis: 'normal' },
        ],
      },
    ];
    const id = await completedJob(b.app, 'edited.mp4', EXPRESSIVE_RESULT);
    const saved = await b.app.inject({ method: 'PUT', url: `/api/upload-video/result/${id}`, payload: { base_version: 0, captions: edited } });
    assert.equal(saved.statusCode, 200, saved.body);
    const res = await exportAss(id);
    const dialogues = res.body.split('\n').filter((l) => l.startsWith('Dialogue:'));
    assert.deepEqual(dialogues, ['Dialogue: 0,0:00:00.20,0:00:02.40,Default,,0,0,0,,{\\k70}Hello {\\k80\\fs81}\\{LOUD\\}{\\r} {\\k70}world.']);
  });

  it('answers 409 JOB_NOT_COMPLETED for a job still in progress', async () => {
    const id = await queuedJob(b.app, 'waiting.mp4');
    const res = await exportAss(id);
    assert.equal(res.statusCode, 409);
    assert.equal(res.json<{ error: { code: string } }>().error.code, 'JOB_NOT_COMPLETED');
  });
});

describe('expressive captions: waveform', () => {
  let b: TestBackend;
  let jobs: JobRepository;
  before(async () => {
    b = await startTestBackend({ env: { RATE_LIMIT_PER_MINUTE: '10000' } });
    jobs = new JobRepository(b.db);
  });
  after(async () => {
    await b?.destroy();
  });

  const getWaveform = (id: string) => b.app.inject({ method: 'GET', url: `/api/upload-video/result/${id}/waveform` });

  it('answers 404 NOT_FOUND before the delivery and the stored waveform after it', async () => {
    const id = await queuedJob(b.app, 'talk.mp4');
    const before = await getWaveform(id);
    assert.equal(before.statusCode, 404);
    assert.equal(before.json<{ error: { code: string } }>().error.code, 'NOT_FOUND');

    assert.equal(await deliverSigned(b.app, { job_id: id, result: EXPRESSIVE_RESULT, waveform: WAVEFORM }), 200);
    const res = await getWaveform(id);
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^application\/json/);
    assert.deepEqual(res.json(), WAVEFORM);

    const job = await jobs.get(id);
    assert.ok(job);
    const stored = await b.storage.head(`${job.fileKey}.waveform.json`);
    assert.equal(stored?.contentType, 'application/json', 'stored next to the video');
  });

  it('answers 404 NOT_FOUND for a completed job delivered without a waveform, 404 JOB_NOT_FOUND for an unknown job', async () => {
    const id = await completedJob(b.app, 'plain.mp4', EXPRESSIVE_RESULT);
    const none = await getWaveform(id);
    assert.equal(none.statusCode, 404);
    assert.equal(none.json<{ error: { code: string } }>().error.code, 'NOT_FOUND');
    const unknown = await getWaveform('00000000-0000-4000-8000-000000000000');
    assert.equal(unknown.statusCode, 404);
    assert.equal(unknown.json<{ error: { code: string } }>().error.code, 'JOB_NOT_FOUND');
  });

  it('still completes the job with its transcript when the waveform cannot be stored', async () => {
    const id = await queuedJob(b.app, 'blocked.mp4');
    const job = await jobs.get(id);
    assert.ok(job);
    // A directory where the waveform file would go: the local driver's final rename fails, as a full or broken disk would.
    await mkdir(join(b.dataDir, 'objects', `${job.fileKey}.waveform.json`, 'in-the-way'), { recursive: true });

    assert.equal(await deliverSigned(b.app, { job_id: id, result: EXPRESSIVE_RESULT, waveform: WAVEFORM }), 200);
    const result = await b.app.inject({ method: 'GET', url: `/api/upload-video/result/${id}` });
    assert.equal(result.statusCode, 200);
    const body = result.json<JobResultResponse>();
    assert.equal(body.status, 'completed');
    assert.ok(body.status === 'completed' && body.result.segments.length === 2);
    assert.equal((await getWaveform(id)).statusCode, 404);
  });
});
