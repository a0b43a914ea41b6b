/**
 * The ML service end to end through its HTTP API, with the real whisper-cli
 * (random-weight micro model), real ffmpeg, and a local HTTP server standing
 * in for storage and the backend.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AnalyzedTranscriptResult, ResultCallbackRequest, WaveformJson, type MlStatusResponse, type TranscriptResult } from '@ecg/contracts';
import { JFK_WAV, requireWhisperCli, VAD_MODEL } from './helpers/fixtures.js';
import { concatWav, ffmpeg } from './helpers/media.js';
import { testModelPath } from './helpers/test-model.js';
import { muxIntoMp4, randomFile, silentVideo, truncateHalf, videoWithoutAudio } from './support/media.js';
import { getStatus, makeDataDir, pollUntilDone, processVideo, removeDir, SECRET, startService, tempLeftovers, type RunningService } from './support/ml-service.js';
import { startStandIn, type StandIn } from './support/stand-in-backend.js';

async function freePort(): Promise<number> {
  return new Promise((res) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => res(port));
    });
  });
}

describe('ML service pipeline', () => {
  let media: string;
  let dataDir: string;
  let standIn: StandIn;
  let ml: RunningService;
  let model: string;
  let jfkMp4: string;
  /** The first 3 s of jfk.wav: enough speech for a delivery test, a quarter of the decode time. */
  let shortMp4: string;
  let happyJob: { job_id: string; video_url: string } | undefined;

  before(async () => {
    requireWhisperCli();
    model = await testModelPath('micro');
    media = await mkdtemp(join(tmpdir(), 'ecg-ml-media-'));
    dataDir = await makeDataDir();
    standIn = await startStandIn({ secret: SECRET });
    jfkMp4 = await muxIntoMp4(JFK_WAV, join(media, 'jfk.mp4'));
    await ffmpeg(['-i', JFK_WAV, '-t', '3', join(media, 'short.wav')]);
    shortMp4 = await muxIntoMp4(join(media, 'short.wav'), join(media, 'short.mp4'));
    ml = await startService({
      DATA_DIR: dataDir,
      WHISPER_MODEL: model,
      BACKEND_URL: standIn.origin,
      MAX_MEDIA_SECONDS: '20',
    });
  });
  after(async () => {
    await ml?.stop();
    await standIn?.close();
    await removeDir(dataDir);
    await rm(media, { recursive: true, force: true });
  });

  it('transcribes a video: processing with non-decreasing progress, then completed and delivered signed', async () => {
    const jobId = randomUUID();
    happyJob = { job_id: jobId, video_url: standIn.serve('jfk.mp4', jfkMp4) };
    const res = await processVideo(ml.url, { ...happyJob, language: 'en' });
    assert.equal(res.status, 200);
    const accepted = (await res.json()) as { job_id: string; status: string };
    assert.deepEqual(accepted, { job_id: jobId, status: 'processing' });

    const seen = await pollUntilDone(ml.url, jobId, 30);
    const last = seen.at(-1)!;
    assert.equal(last.status, 'completed', JSON.stringify(last));
    assert.equal(last.progress, 100);
    assert.equal(last.eta_seconds, 0);
    const progresses = seen.map((s) => s.progress);
    assert.deepEqual(progresses, [...progresses].sort((a, b) => a - b), `progress went backwards: ${progresses.join(',')}`);
    assert.ok(seen.some((s) => s.status === 'processing'));

    const delivery = await standIn.waitForDelivery((d) => d.body.job_id === jobId && d.body.status === 'completed');
    assert.deepEqual(delivery.verdict, { ok: true });
    const result = delivery.body.result as TranscriptResult;
    assert.equal(typeof result.text, 'string');
    assert.ok(result.segments.length > 0, 'the micro model emits segments for speech');
    assert.ok(result.duration! > 10.5 && result.duration! < 11.5);
    for (const seg of result.segments) {
      assert.ok(seg.start >= 0 && seg.end <= 11.1 && seg.start <= seg.end, JSON.stringify(seg));
      for (const w of seg.words ?? []) assert.ok(w.start >= 0 && w.end <= 11.1, JSON.stringify(w));
    }
    assert.ok(result.segments.some((s) => (s.words ?? []).length > 0), 'words are delivered');

    // The audio analysis rode along: measured on the real audio even though the random model's word times are arbitrary.
    assert.ok(ResultCallbackRequest.safeParse(delivery.body).success, 'the body is a valid ResultCallbackRequest');
    const analysed = AnalyzedTranscriptResult.parse(result);
    const words = analysed.segments.flatMap((s) => s.words ?? []);
    for (const w of words) {
      assert.ok(Number.isFinite(w.volume_db) && Number.isFinite(w.peak_db), JSON.stringify(w));
      assert.ok(w.pitch_hz === null || (Number.isFinite(w.pitch_hz) && w.pitch_hz > 0), JSON.stringify(w));
      assert.ok(['loud', 'normal', 'whisper'].includes(w.emphasis), JSON.stringify(w));
    }
    assert.ok(new Set(words.map((w) => w.volume_db)).size > 1, 'word levels differ across real speech');
    assert.ok(analysed.analysis.words_per_minute! > 0);
    assert.equal(analysed.analysis.thresholds.loud_db, 6, 'EMPHASIS_LOUD_DB default reaches the analysis');
    assert.equal(typeof analysed.timing?.analyze_seconds, 'number', 'the analysis is timed');
    assert.equal(result.warnings, undefined);
    const waveform = WaveformJson.parse(delivery.body.waveform);
    assert.equal(waveform.sample_rate, 16000);
    assert.ok(Math.abs(waveform.length - result.duration! * 100) <= 2, `${waveform.length} pixels for ${result.duration} s`);
    assert.equal(waveform.data.length, 2 * waveform.length);
    assert.ok(Math.max(...waveform.data) > 20, 'the waveform shows the speech');
    // Progress deliveries kept the backend's own status live before the result.
    assert.ok(standIn.deliveries.some((d) => d.body.job_id === jobId && d.body.status === 'processing' && d.verdict.ok));
    assert.deepEqual(await tempLeftovers(ml.config), []);
  });

  it('answers the same job id with its current state instead of running it again', async () => {
    assert.ok(happyJob, 'runs after the happy path');
    const jobId = happyJob.job_id;
    const again = await processVideo(ml.url, happyJob);
    assert.deepEqual(await again.json(), { job_id: jobId, status: 'completed' });
    await new Promise((r) => setTimeout(r, 300));
    const runs = standIn.deliveries.filter((d) => d.body.job_id === jobId && d.body.status === 'completed').length;
    assert.equal(runs, 1);
  });

  async function expectFailure(videoUrl: string, code: string): Promise<MlStatusResponse> {
    const jobId = randomUUID();
    const res = await processVideo(ml.url, { job_id: jobId, video_url: videoUrl });
    assert.equal(res.status, 200);
    const last = (await pollUntilDone(ml.url, jobId, 30)).at(-1)!;
    assert.equal(last.status, 'failed');
    assert.equal(last.error_code, code, last.error_message);
    assert.ok(last.error_message && last.error_message.length > 10);
    const delivery = await standIn.waitForDelivery((d) => d.body.job_id === jobId && d.body.status === 'failed');
    assert.equal(delivery.body.error_code, code);
    assert.deepEqual(delivery.verdict, { ok: true });
    assert.deepEqual(await tempLeftovers(ml.config), [], 'no temp file left behind');
    return last;
  }

  it('fails random bytes named .mp4 with UNSUPPORTED_MEDIA', async () => {
    await expectFailure(standIn.serve('random.mp4', await randomFile(join(media, 'random.mp4'))), 'UNSUPPORTED_MEDIA');
  });

  it('fails a video without an audio track with NO_AUDIO_TRACK', async () => {
    await expectFailure(standIn.serve('noaudio.mp4', await videoWithoutAudio(join(media, 'noaudio.mp4'))), 'NO_AUDIO_TRACK');
  });

  it('fails a real MP4 cut in half with MEDIA_DECODE_ERROR', async () => {
    await expectFailure(standIn.serve('cut.mp4', await truncateHalf(jfkMp4, join(media, 'cut.mp4'))), 'MEDIA_DECODE_ERROR');
  });

  it('fails media longer than MAX_MEDIA_SECONDS with MEDIA_TOO_LONG', async () => {
    const long = join(media, 'long.wav');
    await concatWav(JFK_WAV, 2, long); // 22 s against a 20 s limit
    await expectFailure(standIn.serve('long.mp4', await muxIntoMp4(long, join(media, 'long.mp4'))), 'MEDIA_TOO_LONG');
  });

  it('fails a URL outside the allow-list, and a redirect out of it, with URL_NOT_ALLOWED', async () => {
    await expectFailure('https://elsewhere.example.com/video.mp4', 'URL_NOT_ALLOWED');
    await expectFailure(standIn.redirect('away', 'http://127.0.0.2:9/video.mp4'), 'URL_NOT_ALLOWED');
  });

  it('fails a link-local (cloud metadata) URL with URL_NOT_ALLOWED', async () => {
    await expectFailure(standIn.redirect('metadata', 'http://169.254.169.254/latest/meta-data/iam'), 'URL_NOT_ALLOWED');
  });

  it('fails a storage URL that answers 404 with DOWNLOAD_ERROR', async () => {
    await expectFailure(`${standIn.origin}/files/never-uploaded.mp4`, 'DOWNLOAD_ERROR');
  });

  it('refuses a missing or wrong token with 401, and an unknown job with 404', async () => {
    const body = { job_id: randomUUID(), video_url: standIn.serve('x.mp4', jfkMp4) };
    const none = await fetch(`${ml.url}/api/upload-video/process-video`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    assert.equal(none.status, 401);
    assert.equal(((await none.json()) as { error: { code: string } }).error.code, 'UNAUTHORIZED');
    const wrong = await processVideo(ml.url, body, 'not-the-token');
    assert.equal(wrong.status, 401);
    const cancel = await fetch(`${ml.url}/api/upload-video/jobs/${body.job_id}`, { method: 'DELETE' });
    assert.equal(cancel.status, 401);
    const unknown = await fetch(`${ml.url}/api/upload-video/status/${randomUUID()}`);
    assert.equal(unknown.status, 404);
    assert.equal(((await unknown.json()) as { error: { code: string } }).error.code, 'JOB_NOT_FOUND');
    assert.equal((await fetch(`${ml.url}/api/upload-video/status/${body.job_id}`)).status, 404, 'a refused request creates no job');
  });

  it('refuses a fastapi_base_url outside ML_CALLBACK_ALLOWED_ORIGINS with 400 URL_NOT_ALLOWED', async () => {
    const res = await processVideo(ml.url, { job_id: randomUUID(), video_url: standIn.serve('y.mp4', jfkMp4), fastapi_base_url: 'https://attacker.example.com' });
    assert.equal(res.status, 400);
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'URL_NOT_ALLOWED');
  });

  it('lets an allowed web origin poll status (CORS) and reports health with model and queue', async () => {
    const res = await fetch(`${ml.url}/health`, { headers: { origin: 'http://localhost:5173' } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('access-control-allow-origin'), 'http://localhost:5173');
    const health = (await res.json()) as { ready: boolean; model: string; queue: { concurrency: number } };
    assert.equal(health.ready, true);
    assert.equal(health.model, 'random-micro-v2');
    assert.equal(health.queue.concurrency, 1);
  });

  it('completes a silent video with zero segments when VAD is on', async () => {
    const vadDir = await makeDataDir();
    const vad = await startService({ DATA_DIR: vadDir, WHISPER_MODEL: model, BACKEND_URL: standIn.origin, WHISPER_VAD: 'on', WHISPER_VAD_MODEL: VAD_MODEL });
    try {
      const health = (await (await fetch(`${vad.url}/health`)).json()) as { vad: boolean };
      assert.equal(health.vad, true);
      const jobId = randomUUID();
      await processVideo(vad.url, { job_id: jobId, video_url: standIn.serve('silent.mp4', await silentVideo(join(media, 'silent.mp4'), 8)) });
      const last = (await pollUntilDone(vad.url, jobId, 50)).at(-1)!;
      assert.equal(last.status, 'completed', last.error_message);
      const delivery = await standIn.waitForDelivery((d) => d.body.job_id === jobId && d.body.status === 'completed');
      assert.deepEqual((delivery.body.result as TranscriptResult).segments, []);
    } finally {
      await vad.stop();
      await removeDir(vadDir);
    }
  });

  it('delivers a result once a backend that was down comes up, signed so verifyCallback accepts it', async () => {
    const backendPort = await freePort();
    const downDir = await makeDataDir();
    const svc = await startService({
      DATA_DIR: downDir,
      WHISPER_MODEL: model,
      BACKEND_URL: `http://127.0.0.1:${backendPort}`,
      ML_ALLOWED_ORIGINS: standIn.origin,
    });
    let backend: StandIn | undefined;
    try {
      const jobId = randomUUID();
      await processVideo(svc.url, { job_id: jobId, video_url: standIn.serve('down.mp4', shortMp4) });
      // The result is ready but cannot be delivered: the job waits in "delivering", not completed.
      let s = await getStatus(svc.url, jobId);
      while (!(s.stage === 'delivering' && /retrying/.test(s.message))) {
        assert.notEqual(s.status, 'failed', s.error_message);
        await new Promise((r) => setTimeout(r, 50));
        s = await getStatus(svc.url, jobId);
      }
      assert.equal(s.status, 'processing');
      backend = await startStandIn({ secret: SECRET, port: backendPort });
      const delivery = await backend.waitForDelivery((d) => d.body.job_id === jobId && d.body.status === 'completed');
      assert.deepEqual(delivery.verdict, { ok: true });
      assert.ok(Array.isArray((delivery.body.result as TranscriptResult).segments));
      const done = (await pollUntilDone(svc.url, jobId, 50)).at(-1)!;
      assert.equal(done.status, 'completed');
    } finally {
      await svc.stop();
      await backend?.close();
      await removeDir(downDir);
    }
  });
});
