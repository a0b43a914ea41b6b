/**
 * The video analysis in the pipeline: runJob with the real whisper-cli
 * (random-weight micro model) and real ffmpeg, then the real ML service over
 * HTTP delivering to a stand-in backend. A video's result carries
 * `result.video` with the known cuts and a thumbnail sprite; audio-only
 * uploads (a WAV, an MP3 with cover art) carry neither and still complete;
 * a failing video analysis costs a warning, not the job; a cancel during it
 * ends the job.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { chmod, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ResultCallbackRequest, ThumbnailSprite, VideoAnalysis, type JobStage, type TranscriptResult } from '@ecg/contracts';
import { ServiceError } from '@ecg/service-kit';
import { withVideo } from '../src/pipeline/assemble-result.js';
import { runJob, videoAnalysisBudgetMs, type PipelineDeps } from '../src/pipeline/run-job.js';
import { JFK_WAV, requireWhisperCli } from './helpers/fixtures.js';
import { ffmpeg, videoWithShots } from './helpers/media.js';
import { testModelPath } from './helpers/test-model.js';
import { makeDataDir, pollUntilDone, processVideo, removeDir, SECRET, startService, tempLeftovers, type RunningService } from './support/ml-service.js';
import { testPipelineDeps } from './support/pipeline-deps.js';
import { startStandIn, type StandIn } from './support/stand-in-backend.js';

const S = 's=320x180:r=30';
/** 3 s at 30 fps: cuts at frames 30 and 60 (1 s and 2 s). */
const SHOTS = [
  { source: `testsrc2=${S}`, frames: 30 },
  { source: `smptebars=${S}`, frames: 30 },
  { source: `mandelbrot=${S}`, frames: 30 },
];

describe('video analysis in the pipeline', () => {
  let work: string;
  let standIn: StandIn;
  let deps: PipelineDeps;
  let videoUrl: string;
  let wavUrl: string;
  let coverArtUrl: string;

  before(async () => {
    requireWhisperCli();
    work = await mkdtemp(join(tmpdir(), 'ecg-ml-video-pipeline-'));
    standIn = await startStandIn({ secret: SECRET });
    await ffmpeg(['-i', JFK_WAV, '-t', '3', join(work, 'short.wav')]);
    const video = await videoWithShots(SHOTS, join(work, 'shots.mp4'), { audio: join(work, 'short.wav') });
    videoUrl = standIn.serve('shots.mp4', video.path);
    wavUrl = standIn.serve('short.wav', join(work, 'short.wav'));
    // An MP3 with its album cover: a video stream, but a still picture (attached_pic), not a video.
    await ffmpeg(['-f', 'lavfi', '-i', 'color=c=red:s=64x64:d=1', '-frames:v', '1', join(work, 'cover.png')]);
    await ffmpeg([
      '-i', join(work, 'short.wav'), '-i', join(work, 'cover.png'),
      '-map', '0:a', '-map', '1:v', '-c:a', 'libmp3lame', '-c:v', 'mjpeg', '-disposition:v', 'attached_pic',
      join(work, 'cover.mp3'),
    ]);
    coverArtUrl = standIn.serve('cover.mp3', join(work, 'cover.mp3'));
    deps = await testPipelineDeps(work, standIn.origin);
  });
  after(async () => {
    await standIn?.close();
    await rm(work, { recursive: true, force: true });
  });

  const job = (url: string) => ({ jobId: randomUUID(), videoUrl: url, language: 'en' });
  const leftovers = () => readdir(deps.tmpRoot).catch(() => []);

  it('adds result.video with the known cuts and a sprite of one thumbnail per shot, while extracting', async () => {
    const messages: Array<[JobStage, string]> = [];
    const out = await runJob(job(videoUrl), deps, {
      signal: new AbortController().signal,
      onProgress: (stage, _f, message) => {
        if (messages.at(-1)?.[1] !== message) messages.push([stage, message]);
      },
    });
    const video = VideoAnalysis.parse(out.result.video);
    assert.deepEqual(video, { fps: 30, width: 320, height: 180, shot_changes: [1, 2] });
    const sprite = ThumbnailSprite.parse(out.thumbnails);
    assert.deepEqual({ times: sprite.times, columns: sprite.columns, w: sprite.width, h: sprite.height }, { times: [0, 1, 2], columns: 3, w: 160, h: 90 });
    assert.ok(
      messages.some(([stage, m]) => stage === 'extracting' && /analysing the video/.test(m)),
      `a progress message names the step: ${JSON.stringify(messages)}`,
    );
    assert.equal(typeof out.result.timing?.video_analysis_seconds, 'number');
    assert.equal(out.result.warnings, undefined);
    assert.ok(out.result.segments.length > 0, 'the transcript is there too');
    assert.deepEqual(await leftovers(), [], 'the video and the sprite files are gone');
  });

  it('adds no video and no thumbnails for audio-only media, a WAV or an MP3 with cover art', async () => {
    for (const url of [wavUrl, coverArtUrl]) {
      const messages: string[] = [];
      const out = await runJob(job(url), deps, { signal: new AbortController().signal, onProgress: (_s, _f, m) => messages.push(m) });
      assert.equal(out.result.video, undefined, url);
      assert.equal(out.thumbnails, undefined, url);
      assert.ok(!messages.some((m) => /analysing the video/.test(m)), url);
      assert.equal(out.result.timing?.video_analysis_seconds, undefined);
      assert.ok(out.waveform, 'the audio analysis still runs');
    }
  });

  it('delivers the transcript with a "video analysis failed" warning when the analysis fails', async () => {
    // An ffmpeg that decodes audio as usual but fails whenever it is asked for the frames' socket.
    const wrapper = join(work, 'ffmpeg-without-video');
    await writeFile(wrapper, `#!/bin/sh\ncase "$*" in *unix:*) echo "simulated decoder failure" >&2; exit 1;; esac\nexec ${deps.tools.ffmpeg} "$@"\n`);
    await chmod(wrapper, 0o755);
    const warned: string[] = [];
    const out = await runJob(job(videoUrl), { ...deps, tools: { ...deps.tools, ffmpeg: wrapper } }, {
      signal: new AbortController().signal,
      onProgress: () => {},
      onWarning: (m) => warned.push(m),
    });
    assert.equal(warned.length, 1);
    assert.match(warned[0]!, /^video analysis failed: .*simulated decoder failure/);
    assert.deepEqual(out.result.warnings, warned);
    assert.equal(out.result.video, undefined);
    assert.equal(out.thumbnails, undefined);
    assert.ok(out.waveform, 'the audio analysis is unaffected');
    assert.deepEqual(await leftovers(), []);
  });

  it('ends as CANCELLED when the cancel arrives during the video analysis, leaving no temp files', async () => {
    const ctl = new AbortController();
    const stages: JobStage[] = [];
    await assert.rejects(
      runJob(job(videoUrl), deps, {
        signal: ctl.signal,
        onProgress: (stage, fraction, message) => {
          stages.push(stage);
          // Past the step's first report: ffmpeg is decoding the frames and must be killed.
          if (/analysing the video/.test(message) && fraction > 0.25 && !ctl.signal.aborted) ctl.abort();
        },
      }),
      (err: unknown) => err instanceof ServiceError && err.code === 'CANCELLED',
    );
    assert.ok(ctl.signal.aborted, 'the cancel came while the frames were decoded');
    assert.equal(stages.at(-1), 'extracting', 'nothing runs after the cancel');
    assert.deepEqual(await leftovers(), []);
  });

  it('budgets the analysis 60 s plus half the media duration, and keeps earlier warnings', () => {
    assert.equal(videoAnalysisBudgetMs(null), 60_000);
    assert.equal(videoAnalysisBudgetMs(3600), 1_860_000);
    const base: TranscriptResult = { text: '', language: 'en', segments: [], warnings: ['analysis failed: x'] };
    assert.deepEqual(withVideo(base, undefined, 'video analysis failed: y').warnings, ['analysis failed: x', 'video analysis failed: y']);
    assert.deepEqual(withVideo(base, { fps: 25, width: 2, height: 2, shot_changes: [] }, undefined).video, { fps: 25, width: 2, height: 2, shot_changes: [] });
  });
});

describe('video analysis through the ML service', () => {
  let media: string;
  let dataDir: string;
  let standIn: StandIn;
  let ml: RunningService;

  before(async () => {
    requireWhisperCli();
    media = await mkdtemp(join(tmpdir(), 'ecg-ml-video-service-'));
    dataDir = await makeDataDir();
    standIn = await startStandIn({ secret: SECRET });
    ml = await startService({ DATA_DIR: dataDir, WHISPER_MODEL: await testModelPath('micro'), BACKEND_URL: standIn.origin, MAX_MEDIA_SECONDS: '20' });
  });
  after(async () => {
    await ml?.stop();
    await standIn?.close();
    await removeDir(dataDir);
    await rm(media, { recursive: true, force: true });
  });

  async function deliver(name: string, path: string) {
    const jobId = randomUUID();
    const res = await processVideo(ml.url, { job_id: jobId, video_url: standIn.serve(name, path), language: 'en' });
    assert.equal(res.status, 200);
    const last = (await pollUntilDone(ml.url, jobId, 50)).at(-1)!;
    assert.equal(last.status, 'completed', JSON.stringify(last));
    const delivery = await standIn.waitForDelivery((d) => d.body.job_id === jobId && d.body.status === 'completed');
    assert.deepEqual(delivery.verdict, { ok: true });
    return ResultCallbackRequest.parse(delivery.body);
  }

  it('delivers result.video with the known cuts and the thumbnail sprite for an MP4 with video', async () => {
    await ffmpeg(['-i', JFK_WAV, '-t', '3', join(media, 'short.wav')]);
    const v = await videoWithShots(SHOTS, join(media, 'shots.mp4'), { audio: join(media, 'short.wav') });
    const body = await deliver('shots.mp4', v.path);
    assert.deepEqual(body.result?.video, { fps: 30, width: 320, height: 180, shot_changes: v.cutSeconds });
    assert.deepEqual(body.thumbnails?.times, [0, ...v.cutSeconds]);
    assert.ok(Buffer.from(body.thumbnails!.jpeg_base64, 'base64').subarray(0, 3).equals(Buffer.from([0xff, 0xd8, 0xff])), 'a JPEG');
    assert.deepEqual(await tempLeftovers(ml.config), []);
  });

  it('delivers no video and no thumbnails for an audio-only upload, which still completes', async () => {
    await ffmpeg(['-i', JFK_WAV, '-t', '3', '-c:a', 'aac', join(media, 'short.m4a')]);
    const body = await deliver('short.m4a', join(media, 'short.m4a'));
    assert.equal(body.result?.video, undefined);
    assert.equal(body.thumbnails, undefined);
    assert.ok(body.result!.segments.length > 0);
  });
});
