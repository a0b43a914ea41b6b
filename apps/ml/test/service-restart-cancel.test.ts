/** Jobs survive an ML restart, and a cancel frees the worker (real whisper-cli and ffmpeg). */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ProcessVideoResponse } from '@ecg/contracts';
import { JFK_WAV, requireWhisperCli } from './helpers/fixtures.js';
import { concatWav } from './helpers/media.js';
import { testModelPath } from './helpers/test-model.js';
import { muxIntoMp4 } from './support/media.js';
import { getStatus, makeDataDir, pollUntilDone, processVideo, removeDir, SECRET, startService, tempLeftovers, TOKEN } from './support/ml-service.js';
import { startStandIn, type StandIn } from './support/stand-in-backend.js';

describe('ML service restart and cancel', () => {
  let media: string;
  let standIn: StandIn;
  let model: string;
  let jfkMp4: string;

  before(async () => {
    requireWhisperCli();
    model = await testModelPath('micro');
    media = await mkdtemp(join(tmpdir(), 'ecg-ml-media-'));
    standIn = await startStandIn({ secret: SECRET });
    jfkMp4 = await muxIntoMp4(JFK_WAV, join(media, 'jfk.mp4'));
  });
  after(async () => {
    await standIn?.close();
    await rm(media, { recursive: true, force: true });
  });

  it('runs and delivers a job accepted by a service that was closed before it finished', async () => {
    const dataDir = await makeDataDir();
    const env = { DATA_DIR: dataDir, WHISPER_MODEL: model, BACKEND_URL: standIn.origin };
    const jobId = randomUUID();
    const first = await startService(env);
    const res = await processVideo(first.url, { job_id: jobId, video_url: standIn.serve('restart.mp4', jfkMp4) });
    assert.equal(res.status, 200);
    await first.stop();
    const interrupted = await first.service.store.get(jobId);
    assert.equal(interrupted?.status, 'queued', 'a shutdown puts the job back in the queue');
    assert.equal(standIn.deliveries.some((d) => d.body.job_id === jobId && d.body.status !== 'processing'), false);

    const second = await startService(env);
    try {
      const last = (await pollUntilDone(second.url, jobId, 50)).at(-1)!;
      assert.equal(last.status, 'completed', last.error_message);
      const delivery = await standIn.waitForDelivery((d) => d.body.job_id === jobId && d.body.status === 'completed');
      assert.deepEqual(delivery.verdict, { ok: true });
      assert.deepEqual(await tempLeftovers(second.config), []);
    } finally {
      await second.stop();
      await removeDir(dataDir);
    }
  });

  it('cancels a job mid-transcription: it fails with CANCELLED and its worker takes the next job', async () => {
    const dataDir = await makeDataDir();
    const longWav = join(media, 'long.wav');
    await concatWav(JFK_WAV, 4, longWav);
    const longMp4 = await muxIntoMp4(longWav, join(media, 'long.mp4'));
    const ml = await startService({ DATA_DIR: dataDir, WHISPER_MODEL: model, BACKEND_URL: standIn.origin, ML_CONCURRENCY: '1' });
    try {
      const first = randomUUID();
      const second = randomUUID();
      const a = (await (await processVideo(ml.url, { job_id: first, video_url: standIn.serve('long.mp4', longMp4) })).json()) as ProcessVideoResponse;
      const b = (await (await processVideo(ml.url, { job_id: second, video_url: standIn.serve('next.mp4', jfkMp4) })).json()) as ProcessVideoResponse;
      assert.equal(a.status, 'processing');
      assert.equal(b.status, 'queued', 'one worker: the second job waits');

      while ((await getStatus(ml.url, first)).stage !== 'transcribing') await new Promise((r) => setTimeout(r, 30));
      const cancel = await fetch(`${ml.url}/api/upload-video/jobs/${first}`, { method: 'DELETE', headers: { authorization: `Bearer ${TOKEN}` } });
      assert.equal(cancel.status, 200);
      assert.deepEqual(await cancel.json(), { job_id: first, status: 'failed' });
      const cancelled = await getStatus(ml.url, first);
      assert.equal(cancelled.error_code, 'CANCELLED');
      const failure = await standIn.waitForDelivery((d) => d.body.job_id === first && d.body.status === 'failed');
      assert.equal(failure.body.error_code, 'CANCELLED');

      // The freed worker runs the queued job to the end.
      const last = (await pollUntilDone(ml.url, second, 50)).at(-1)!;
      assert.equal(last.status, 'completed', last.error_message);
      assert.deepEqual(await tempLeftovers(ml.config), [], 'the cancelled job left no temp files');
      const gone = await fetch(`${ml.url}/api/upload-video/jobs/${randomUUID()}`, { method: 'DELETE', headers: { authorization: `Bearer ${TOKEN}` } });
      assert.equal(gone.status, 404);
    } finally {
      await ml.stop();
      await removeDir(dataDir);
    }
  });

  it('refuses jobs with 503 MODEL_UNAVAILABLE while no model is loaded, and /health says why', async () => {
    const dataDir = await makeDataDir();
    const ml = await startService({ DATA_DIR: dataDir, WHISPER_MODEL: join(dataDir, 'ggml-missing.bin'), BACKEND_URL: standIn.origin });
    try {
      const health = await fetch(`${ml.url}/health`);
      assert.equal(health.status, 503);
      const body = (await health.json()) as { ready: boolean; reason: string };
      assert.equal(body.ready, false);
      assert.match(body.reason, /model file missing/);
      const res = await processVideo(ml.url, { job_id: randomUUID(), video_url: standIn.serve('m.mp4', jfkMp4) });
      assert.equal(res.status, 503);
      const err = (await res.json()) as { error: { code: string; message: string } };
      assert.equal(err.error.code, 'MODEL_UNAVAILABLE');
      assert.match(err.error.message, /ggml-missing\.bin/);
    } finally {
      await ml.stop();
      await removeDir(dataDir);
    }
  });
});
