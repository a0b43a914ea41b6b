import assert from 'node:assert/strict';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { RenderJob } from '@ecg/contracts';
import { RenderRepository } from '../src/renders/render-repository.js';
import { completedJob, queuedJob } from './helpers/completed-job.js';
import { EXPRESSIVE_RESULT, makeTestVideo, probe, run } from './helpers/expressive.js';
import { listStoredFiles, startTestBackend, waitFor, type TestBackend } from './helpers/test-backend.js';
import { JobDeletionRepository } from '../src/jobs/job-deletion-repository.js';

const FAST_RENDER_ENV = {
  RATE_LIMIT_PER_MINUTE: '10000',
  // Tests check the pipeline, not the picture quality: the fastest x264 preset.
  RENDER_X264_PRESET: 'ultrafast',
  RENDER_POLL_INTERVAL_MS: '50',
};

interface ErrorJson {
  error: { code: string; message: string };
}

/** Mean PSNR (dB) of the bottom and the top quarter of two videos, frame by frame. */
async function psnrByBand(a: string, b: string): Promise<{ top: number; bottom: number }> {
  const band = async (y: string): Promise<number> => {
    const { stderr } = await run('ffmpeg', [
      '-v', 'info', '-hide_banner', '-i', a, '-i', b,
      '-filter_complex', `[0:v]crop=iw:ih/4:0:${y}[x];[1:v]crop=iw:ih/4:0:${y}[y];[x][y]psnr`,
      '-f', 'null', '-',
    ]);
    const m = /PSNR .* average:([\d.]+|inf)/.exec(stderr);
    assert.ok(m?.[1], `no PSNR in ffmpeg's log:\n${stderr.slice(-2000)}`);
    return m[1] === 'inf' ? Number.POSITIVE_INFINITY : Number(m[1]);
  };
  return { top: await band('0'), bottom: await band('3*ih/4') };
}

describe('expressive captions: burned-in render', () => {
  let b: TestBackend;
  let dir: string;
  let video: Buffer;
  let videoPath: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ecg-render-test-'));
    videoPath = join(dir, 'input.mp4');
    await makeTestVideo(videoPath);
    video = await readFile(videoPath);
    // Listening for real: ffmpeg reads the upload over its presigned URL, like the ML service does.
    b = await startTestBackend({ listen: true, env: FAST_RENDER_ENV });
  });
  after(async () => {
    await b?.destroy();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const postRender = (jobId: string, body?: object) =>
    b.app.inject({
      method: 'POST',
      url: `/api/upload-video/result/${jobId}/render`,
      ...(body ? { payload: body } : {}),
    });
  const getRender = (jobId: string, renderId: string) =>
    b.app.inject({ method: 'GET', url: `/api/upload-video/result/${jobId}/render/${renderId}` });

  it('renders a playable MP4 of the same length with the captions drawn in, and serves it for download', async () => {
    const jobId = await completedJob(b.app, 'clip.mp4', EXPRESSIVE_RESULT, video);

    // The worker is not running yet: the render waits, and asking again answers the same one.
    const first = await postRender(jobId, { expressive: true, strength: 1 });
    assert.equal(first.statusCode, 202, first.body);
    const queued = first.json<RenderJob>();
    assert.equal(queued.status, 'queued');
    assert.equal(queued.progress, 0);
    assert.equal(queued.job_id, jobId);
    assert.equal(queued.expressive, true);
    assert.equal(queued.strength, 1);
    assert.equal(queued.download_url, undefined);
    const again = await postRender(jobId, { expressive: true, strength: 1 });
    assert.equal(again.statusCode, 202);
    assert.equal(again.json<RenderJob>().render_id, queued.render_id, 'an identical render under way is answered, not doubled');

    b.app.renderWorker.start();
    const progress: number[] = [];
    const done = await waitFor(
      'the render to finish',
      async () => {
        const res = await getRender(jobId, queued.render_id);
        assert.equal(res.statusCode, 200, res.body);
        const r = res.json<RenderJob>();
        progress.push(r.progress);
        return r.status === 'completed' || r.status === 'failed' ? r : undefined;
      },
      45_000,
    );
    assert.equal(done.status, 'completed', JSON.stringify(done.error));
    assert.equal(done.progress, 100);
    assert.deepEqual(progress, [...progress].sort((x, y) => x - y), 'progress never goes backwards');
    assert.ok(done.download_url);

    const download = await fetch(done.download_url);
    assert.equal(download.status, 200);
    assert.match(String(download.headers.get('content-disposition')), /filename="clip-captions\.mp4"/);
    const outPath = join(dir, 'rendered.mp4');
    await writeFile(outPath, Buffer.from(await download.arrayBuffer()));

    const out = await probe(outPath);
    assert.deepEqual(out.codecs.sort(), ['audio:aac', 'video:h264']);
    const input = await probe(videoPath);
    assert.ok(Math.abs(out.duration - input.duration) <= 0.2, `rendered ${out.duration} s from ${input.duration} s`);

    // The captions sit at the bottom: there the picture differs from the input far more than at the top.
    const psnr = await psnrByBand(outPath, videoPath);
    assert.ok(psnr.bottom + 6 < psnr.top, `bottom ${psnr.bottom} dB vs top ${psnr.top} dB`);

    // Asking once more after it finished starts a new render: only renders under way are shared.
    const after = await postRender(jobId, { expressive: true, strength: 1 });
    assert.notEqual(after.json<RenderJob>().render_id, queued.render_id);
  });

  it('takes a bodiless request as the defaults (expressive, strength 1)', async () => {
    const jobId = await completedJob(b.app, 'defaults.mp4', EXPRESSIVE_RESULT, video);
    const res = await postRender(jobId);
    assert.equal(res.statusCode, 202, res.body);
    const r = res.json<RenderJob>();
    assert.equal(r.expressive, true);
    assert.equal(r.strength, 1);
  });

  it('answers 404 JOB_NOT_FOUND for an unknown job and 409 JOB_NOT_COMPLETED for one still transcribing', async () => {
    const unknown = await postRender('00000000-0000-4000-8000-000000000000', {});
    assert.equal(unknown.statusCode, 404);
    assert.equal(unknown.json<ErrorJson>().error.code, 'JOB_NOT_FOUND');

    const waiting = await queuedJob(b.app, 'waiting.mp4');
    const res = await postRender(waiting, {});
    assert.equal(res.statusCode, 409);
    assert.equal(res.json<ErrorJson>().error.code, 'JOB_NOT_COMPLETED');
    const count = await b.db.query<{ n: number }>('SELECT count(*)::int AS n FROM renders WHERE job_id = $1', [waiting]);
    assert.equal(count[0]?.n, 0, 'nothing is queued for it');
  });

  it('refuses options outside the contract with 400 VALIDATION_ERROR', async () => {
    const jobId = await completedJob(b.app, 'bad-options.mp4', EXPRESSIVE_RESULT, video);
    const res = await postRender(jobId, { strength: 7 });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json<ErrorJson>().error.code, 'VALIDATION_ERROR');
  });

  it('answers 404 NOT_FOUND for a render the job does not have', async () => {
    const jobId = await completedJob(b.app, 'other.mp4', EXPRESSIVE_RESULT, video);
    for (const renderId of ['00000000-0000-4000-8000-000000000000', 'not-a-uuid']) {
      const res = await getRender(jobId, renderId);
      assert.equal(res.statusCode, 404, renderId);
      assert.equal(res.json<ErrorJson>().error.code, 'NOT_FOUND');
    }
  });
});

describe('expressive captions: render worker failures and restarts', () => {
  let dir: string;
  let video: Buffer;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ecg-render-fake-'));
    const videoPath = join(dir, 'input.mp4');
    await makeTestVideo(videoPath, 2);
    video = await readFile(videoPath);
  });
  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** fakeFfmpeg: a shell script standing in for ffmpeg, with or without libass, that never finishes a render. */
  async function fakeFfmpeg(name: string, withLibass: boolean): Promise<string> {
    const path = join(dir, name);
    const filters = withLibass ? ' ... ass               V->V       Render ASS subtitles onto input video using the libass library.' : ' ... scale             V->V       Scale the input video size.';
    await writeFile(
      path,
      `#!/bin/sh\ncase "$*" in *-filters*) echo '${filters}'; exit 0;; esac\necho out_time_us=500000\necho progress=continue\nexec sleep 120\n`,
    );
    await chmod(path, 0o755);
    return path;
  }

  async function renderOf(b: TestBackend, jobId: string, renderId: string): Promise<RenderJob> {
    const res = await b.app.inject({ method: 'GET', url: `/api/upload-video/result/${jobId}/render/${renderId}` });
    assert.equal(res.statusCode, 200, res.body);
    return res.json<RenderJob>();
  }

  it('fails the render with INTERNAL_ERROR saying so when the ffmpeg found has no libass', async () => {
    const b = await startTestBackend({ listen: true, env: { ...FAST_RENDER_ENV, FFMPEG_PATH: await fakeFfmpeg('ffmpeg-no-libass', false) } });
    try {
      const jobId = await completedJob(b.app, 'clip.mp4', EXPRESSIVE_RESULT, video);
      const res = await b.app.inject({ method: 'POST', url: `/api/upload-video/result/${jobId}/render`, payload: {} });
      const { render_id } = res.json<RenderJob>();
      b.app.renderWorker.start();
      const failed = await waitFor('the render to fail', async () => {
        const r = await renderOf(b, jobId, render_id);
        return r.status === 'failed' ? r : undefined;
      });
      assert.equal(failed.error?.code, 'INTERNAL_ERROR');
      assert.match(failed.error?.message ?? '', /libass/);
      assert.equal(failed.download_url, undefined);
    } finally {
      await b.destroy();
    }
  });

  it('starts without ffmpeg and fails each render with INTERNAL_ERROR and the sentence saying FFMPEG_PATH is wrong', async () => {
    const missing = join(dir, 'no-such-ffmpeg');
    const b = await startTestBackend({ listen: true, env: { ...FAST_RENDER_ENV, FFMPEG_PATH: missing } });
    try {
      const jobId = await completedJob(b.app, 'clip.mp4', EXPRESSIVE_RESULT, video);
      const res = await b.app.inject({ method: 'POST', url: `/api/upload-video/result/${jobId}/render`, payload: {} });
      const { render_id } = res.json<RenderJob>();
      b.app.renderWorker.start();
      const failed = await waitFor('the render to fail', async () => {
        const r = await renderOf(b, jobId, render_id);
        return r.status === 'failed' ? r : undefined;
      });
      assert.equal(failed.error?.code, 'INTERNAL_ERROR');
      assert.equal(failed.error?.message, `FFMPEG_PATH=${missing} is not an executable file: point it at an ffmpeg binary, or unset it to use the ffmpeg on PATH`);
    } finally {
      await b.destroy();
    }
  });

  it('takes over a render claimed by a backend that died, once its claim has run out', async () => {
    const b = await startTestBackend({ listen: true, env: { ...FAST_RENDER_ENV, RENDER_LEASE_SECONDS: '3', QUEUE_MAINTENANCE_SECONDS: '1' } });
    try {
      const jobId = await completedJob(b.app, 'orphan.mp4', EXPRESSIVE_RESULT, video);
      const renders = new RenderRepository(b.db);
      const queued = await renders.queueForJob(jobId, { expressive: true, strength: 1, captionVersion: 0 }, '192.0.2.1', {
        maxLive: 10,
        maxLivePerRequester: 10,
      });
      assert.ok(queued.outcome === 'created');
      const { render } = queued;
      // A backend that claimed the render and died at once: the claim is taken and never renewed.
      await b.app.renderWorker.enqueue();
      const [work] = await b.app.workQueue.fetch('render', 1);
      assert.equal(work?.key, render.id);
      assert.ok(await renders.claim(render.id, `${work.id}/${work.retryCount}`));
      assert.equal((await renderOf(b, jobId, render.id)).status, 'processing');
      b.app.renderWorker.start();
      const done = await waitFor(
        'the orphaned render to finish',
        async () => {
          const r = await renderOf(b, jobId, render.id);
          return r.status === 'completed' || r.status === 'failed' ? r : undefined;
        },
        45_000,
      );
      assert.equal(done.status, 'completed', JSON.stringify(done.error));
      assert.equal((await renders.get(render.id))?.attempts, 2);
    } finally {
      await b.destroy();
    }
  });

  it('kills ffmpeg on shutdown and queues the render again; the restarted backend finishes it', async () => {
    const first = await startTestBackend({ listen: true, env: { ...FAST_RENDER_ENV, FFMPEG_PATH: await fakeFfmpeg('ffmpeg-slow', true) } });
    let jobId: string;
    let renderId: string;
    try {
      jobId = await completedJob(first.app, 'clip.mp4', EXPRESSIVE_RESULT, video);
      const res = await first.app.inject({ method: 'POST', url: `/api/upload-video/result/${jobId}/render`, payload: { expressive: false, strength: 0 } });
      renderId = res.json<RenderJob>().render_id;
      first.app.renderWorker.start();
      await waitFor('the render to be under way', async () => {
        const r = await renderOf(first, jobId, renderId);
        return r.status === 'processing' && first.app.renderWorker.running === 1 ? r : undefined;
      });
    } finally {
      await first.stop();
    }
    assert.equal(first.app.renderWorker.running, 0, 'no ffmpeg left running');

    // Same DATA_DIR, real ffmpeg this time.
    const second = await startTestBackend({ listen: true, dataDir: first.dataDir, env: FAST_RENDER_ENV });
    try {
      const waiting = await renderOf(second, jobId, renderId);
      assert.equal(waiting.status, 'queued', 'handed back, not left processing');
      assert.equal(waiting.progress, 0);
      second.app.renderWorker.start();
      const done = await waitFor(
        'the render to finish after the restart',
        async () => {
          const r = await renderOf(second, jobId, renderId);
          return r.status === 'completed' || r.status === 'failed' ? r : undefined;
        },
        45_000,
      );
      assert.equal(done.status, 'completed', JSON.stringify(done.error));
      assert.ok(done.download_url);
    } finally {
      await second.destroy();
    }
  });
  it('removes the video of a render that finishes after its job was deleted, which the deletion could not see yet', async () => {
    // A stand-in ffmpeg that holds the render open until the flag file appears, then writes out.mp4 and succeeds.
    const flag = join(dir, 'finish-render');
    const path = join(dir, 'ffmpeg-on-flag');
    await writeFile(
      path,
      `#!/bin/sh\ncase "$*" in *-filters*) echo ' ... ass               V->V       Render ASS subtitles onto input video using the libass library.'; exit 0;; esac\n` +
        `echo out_time_us=100000\necho progress=continue\nwhile [ ! -f '${flag}' ]; do sleep 0.1; done\nprintf 'not really an mp4' > out.mp4\nexit 0\n`,
    );
    await chmod(path, 0o755);
    const s = await startTestBackend({ listen: true, env: { ...FAST_RENDER_ENV, FFMPEG_PATH: path } });
    try {
      const jobId = await completedJob(s.app, 'clip.mp4', EXPRESSIVE_RESULT, video);
      const res = await s.app.inject({ method: 'POST', url: `/api/upload-video/result/${jobId}/render`, payload: {} });
      const renderId = res.json<RenderJob>().render_id;
      s.app.renderWorker.start();
      await waitFor('the render to be under way', async () => ((await renderOf(s, jobId, renderId)).status === 'processing' ? true : undefined));
      // The deletion marks the job (and, in the real flow, removes its objects before this render writes its own).
      assert.ok(await new JobDeletionRepository(s.db).markForDeletion(jobId, 'anonymous'));
      await writeFile(flag, '');
      await waitFor('the render worker to finish', async () => (s.app.renderWorker.running === 0 ? true : undefined));
      const left = (await listStoredFiles(s.dataDir)).filter((p) => p.startsWith('objects/renders/'));
      assert.deepEqual(left, [], 'no rendered video is left behind');
    } finally {
      await s.destroy();
    }
  });
});
