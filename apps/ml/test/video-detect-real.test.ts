/**
 * Shot changes of real H.264 videos made here with ffmpeg, cuts known to the
 * frame: hard cuts between shots of different looks, noisy shots (and a cut
 * from one to colour bars), zooms that must give no cut, a variable frame
 * rate, a rotated phone video, and the old static ffmpeg without ffprobe.
 * Every cut must be found within one frame and nothing else; the precision
 * and recall over all of them are printed as test diagnostics.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { ThumbnailSprite, VideoAnalysis } from '@ecg/contracts';
import { resolveFfmpegTools, type FfmpegTools } from '../src/pipeline/ffmpeg.js';
import { probeMedia } from '../src/pipeline/probe-media.js';
import { analyzeVideo, type VideoAnalysisOutput } from '../src/video/analyze-video.js';
import { ffmpeg, videoWithShots, type ShotSpec } from './helpers/media.js';

const run = promisify(execFile);
const S = 's=320x180:r=30';
const NOISY = `color=c=gray:${S},noise=alls=40:allf=t`;
const NOISIER = `color=c=0x606060:${S},noise=alls=60:allf=t+u`;
/** testsrc2 zoomed in from 1x to 2x over 3 s (scale evaluated per frame, centre crop). */
const ZOOM = `testsrc2=${S},scale=w='320*(1+t/3)':h='180*(1+t/3)':eval=frame,crop=320:180`;
/** A zoompan on still colour bars: 0.4 % a frame about the centre. */
const ZOOMPAN = `smptebars=${S},zoompan=z='min(zoom+0.004\\,2)':d=1:x='iw/2-(iw/zoom/2)':y='ih/2-(ih/zoom/2)':s=320x180:fps=30`;

interface Case {
  name: string;
  shots: ShotSpec[];
}

const CASES: Case[] = [
  {
    name: 'hard cuts between shots of different looks',
    shots: [
      { source: `testsrc2=${S}`, frames: 30 },
      { source: `smptebars=${S}`, frames: 30 },
      { source: `mandelbrot=${S}`, frames: 40 },
      { source: `color=c=navy:${S}`, frames: 30 },
      { source: `testsrc=${S}`, frames: 30 },
      { source: `rgbtestsrc=${S}`, frames: 30 },
      { source: `smptehdbars=${S}`, frames: 30 },
      { source: `color=c=0xd08020:${S}`, frames: 30 },
    ],
  },
  {
    name: 'noisy shots, and a cut from a noisy shot to colour bars',
    shots: [
      { source: NOISY, frames: 45 },
      { source: `smptebars=${S}`, frames: 30 },
      { source: NOISIER, frames: 45 },
      { source: `testsrc2=${S}`, frames: 30 },
      { source: NOISY, frames: 45 },
    ],
  },
  {
    name: 'zooming shots between cuts',
    shots: [
      { source: ZOOM, frames: 90 },
      { source: `mandelbrot=${S}`, frames: 45 },
      { source: ZOOMPAN, frames: 60 },
    ],
  },
  { name: 'one zooming shot, no cut', shots: [{ source: ZOOM, frames: 90 }] },
];

/** Matches found cuts to expected ones within `tolerance` seconds, each expected cut once. */
function score(found: readonly number[], expected: readonly number[], tolerance: number) {
  const left = [...expected];
  let hits = 0;
  const misses: number[] = [];
  const falses: number[] = [];
  for (const t of found) {
    const i = left.findIndex((e) => Math.abs(e - t) <= tolerance);
    if (i >= 0) {
      hits++;
      left.splice(i, 1);
    } else falses.push(t);
  }
  misses.push(...left);
  return { hits, misses, falses };
}

describe('shot changes of ffmpeg-made videos', () => {
  let dir: string;
  let tools: FfmpegTools;
  const totals = { expected: 0, found: 0, hits: 0 };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ecg-ml-video-'));
    tools = resolveFfmpegTools(process.env);
  });
  after(() => rm(dir, { recursive: true, force: true }));

  async function analyse(path: string, t: FfmpegTools = tools): Promise<VideoAnalysisOutput> {
    const info = await probeMedia(t, path);
    assert.ok(info.video, 'a video stream is probed');
    return analyzeVideo({ tools: t, inputPath: path, stream: info.video, workDir: dir, durationSeconds: info.durationSeconds });
  }

  /** Checks one video's cuts: every expected one within a frame, none else; adds to the totals. */
  function check(out: VideoAnalysisOutput, expected: readonly number[], fps: number) {
    const { hits, misses, falses } = score(out.video.shot_changes, expected, 1 / fps + 1e-3);
    totals.expected += expected.length;
    totals.found += out.video.shot_changes.length;
    totals.hits += hits;
    assert.deepEqual({ misses, falses }, { misses: [], falses: [] }, `found ${out.video.shot_changes.join(', ')}; expected ${expected.join(', ')}`);
  }

  for (const c of CASES) {
    it(`finds every cut within one frame and no false cut: ${c.name}`, async () => {
      const v = await videoWithShots(c.shots, join(dir, `${c.name.replace(/\W+/g, '-')}.mp4`));
      const out = await analyse(v.path);
      VideoAnalysis.parse(out.video);
      assert.deepEqual({ fps: out.video.fps, width: out.video.width, height: out.video.height }, { fps: 30, width: 320, height: 180 });
      check(out, v.cutSeconds, v.fps);

      const sprite = ThumbnailSprite.parse(out.thumbnails);
      assert.deepEqual(sprite.times, [0, ...out.video.shot_changes], 'one thumbnail per shot, at its start');
      assert.deepEqual({ w: sprite.width, h: sprite.height, cols: sprite.columns }, { w: 160, h: 90, cols: Math.min(10, c.shots.length) });
      const jpeg = join(dir, 'sprite.jpg');
      await writeFile(jpeg, Buffer.from(sprite.jpeg_base64, 'base64'));
      const { stdout } = await run('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_name,width,height', '-of', 'csv=p=0', jpeg]);
      assert.equal(stdout.trim(), `mjpeg,${160 * sprite.columns},${90 * Math.ceil(sprite.times.length / sprite.columns)}`);
    });
  }

  it('places cuts at the frames own times in a variable-frame-rate video', async () => {
    // Frames from 45 on are held back 0.5 s (15 frame slots): the cut at frame 60 shows at 2.5 s, not 2.0 s.
    const v = await videoWithShots(
      [
        { source: `testsrc2=${S}`, frames: 30 },
        { source: `smptebars=${S}`, frames: 30 },
        { source: `color=c=navy:${S}`, frames: 30 },
      ],
      join(dir, 'vfr.mp4'),
      { setpts: '(N+gte(N\\,45)*15)/(30*TB)' },
    );
    const out = await analyse(v.path);
    check(out, [1, 2.5], 30);
    assert.deepEqual(out.video.shot_changes, [1, 2.5]);
  });

  it('reports the displayed size of a rotated phone video and tiles portrait thumbnails', async () => {
    const v = await videoWithShots(
      [
        { source: `testsrc2=${S}`, frames: 30 },
        { source: `smptebars=${S}`, frames: 30 },
      ],
      join(dir, 'landscape.mp4'),
    );
    const rotated = join(dir, 'portrait.mp4');
    // Stored landscape with a 90° display matrix, as phones record portrait video.
    await ffmpeg(['-i', v.path, '-c', 'copy', '-metadata:s:v:0', 'rotate=90', rotated]);
    const out = await analyse(rotated);
    assert.deepEqual({ w: out.video.width, h: out.video.height }, { w: 180, h: 320 });
    check(out, v.cutSeconds, v.fps);
    assert.deepEqual({ w: out.thumbnails?.width, h: out.thumbnails?.height }, { w: 90, h: 160 });
  });

  it('gives the same cuts with the old static ffmpeg of @ffmpeg-installer and no ffprobe', async () => {
    const bundled = resolveFfmpegTools({ PATH: '' });
    assert.equal(bundled.ffprobe, null);
    const v = await videoWithShots(CASES[0]!.shots, join(dir, 'bundled.mp4'));
    const out = await analyse(v.path, bundled);
    assert.equal(out.video.fps, 30);
    check(out, v.cutSeconds, v.fps);
  });

  it('precision and recall over all test videos: 1 and 1', (t) => {
    const precision = totals.found === 0 ? 1 : totals.hits / totals.found;
    const recall = totals.expected === 0 ? 1 : totals.hits / totals.expected;
    t.diagnostic(`shot changes: ${totals.hits} of ${totals.expected} cuts found within one frame, ${totals.found - totals.hits} false; precision ${precision.toFixed(3)}, recall ${recall.toFixed(3)}`);
    assert.ok(totals.expected >= 15, 'runs after the videos above');
    assert.equal(precision, 1);
    assert.equal(recall, 1);
  });
});
