/**
 * The pure core of the video analysis: content scores, the adaptive cut
 * detector and the per-shot thumbnails, on synthetic frames made here
 * (no ffmpeg). Real decoded videos are in video-detect-real.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analysisFrameSize } from '../src/video/analyze-video.js';
import { FrameTimes, parseFrameTimeLine } from '../src/video/decode-frames.js';
import { AdaptiveCutDetector, detectCuts } from '../src/video/detect-cuts.js';
import { EvenSample } from '../src/video/even-sample.js';
import { frameDifference } from '../src/video/frame-difference.js';
import { ShotAnalyzer } from '../src/video/shot-analyzer.js';
import { tileSprite } from '../src/video/tile-sprite.js';
import { seededRandom } from '../../../tests/helpers/seeded-random.js';
import { displaySize, parseRate } from '../src/pipeline/probe-media.js';

const W = 160;
const H = 90;

type Rgb = [number, number, number];
type Look = (x: number, y: number) => Rgb;

const clamp = (v: number) => Math.max(0, Math.min(255, Math.round(v)));

/** Smooth colourful waves: detail at every scale, so a zoom or pan changes every frame. */
const waves = (phase = 0): Look => (x, y) => [
  128 + 100 * Math.sin(x / 7 + phase),
  128 + 100 * Math.cos(y / 5 + phase),
  128 + 100 * Math.sin((x + y) / 11 + phase),
];
const checker = (a: Rgb, b: Rgb, size = 16): Look => (x, y) => ((Math.floor(x / size) + Math.floor(y / size)) % 2 ? a : b);
const solid = (c: Rgb): Look => () => c;
const radial: Look = (x, y) => {
  const r = Math.hypot(x - W / 2, y - H / 2);
  return [255 - 2 * r, 80 + r, 40 + 3 * r];
};

function render(look: Look, opts: { zoom?: number; panX?: number; noise?: () => number; noiseAmp?: number } = {}): Uint8Array {
  const f = new Uint8Array(W * H * 3);
  const z = opts.zoom ?? 1;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      // Zoom about the centre: the picture's point under (x, y) moves in as z grows.
      const sx = (x - W / 2) / z + W / 2 + (opts.panX ?? 0);
      const sy = (y - H / 2) / z + H / 2;
      const [r, g, b] = look(sx, sy);
      const n = opts.noise ? () => (opts.noise!() * 2 - 1) * (opts.noiseAmp ?? 40) : () => 0;
      const i = (y * W + x) * 3;
      f[i] = clamp(r + n());
      f[i + 1] = clamp(g + n());
      f[i + 2] = clamp(b + n());
    }
  }
  return f;
}

/** A video as frames: each shot renders its `frames` frames with `frame(k)` (k counts from the shot's start). */
function video(shots: Array<{ frames: number; frame: (k: number) => Uint8Array }>): { frames: Uint8Array[]; cuts: number[] } {
  const frames: Uint8Array[] = [];
  const cuts: number[] = [];
  for (const s of shots) {
    if (frames.length > 0) cuts.push(frames.length);
    for (let k = 0; k < s.frames; k++) frames.push(s.frame(k));
  }
  return { frames, cuts };
}

function analyse(frames: readonly Uint8Array[]) {
  const a = new ShotAnalyzer(W, H);
  for (const f of frames) a.push(f);
  return a.finish();
}

describe('frame difference', () => {
  it('is 0 for identical frames, symmetric, and large for unrelated looks', () => {
    const a = render(waves());
    const b = render(checker([250, 20, 20], [20, 20, 250]));
    assert.equal(frameDifference(a, a, W), 0);
    assert.equal(frameDifference(a, b, W), frameDifference(b, a, W));
    assert.ok(frameDifference(a, b, W) > 40, String(frameDifference(a, b, W)));
  });

  it('sees a colour change at equal brightness (red to blue of the same luma)', () => {
    // Y' of (200, 0, 0) is 59.8, of (0, 0, 255) ~29; (0, 102, 0) has Y' 59.9 like the red.
    const red = render(solid([200, 0, 0]));
    const green = render(solid([0, 102, 0]));
    assert.ok(frameDifference(red, green, W) > 40, String(frameDifference(red, green, W)));
  });

  it('scores pixel noise lower over cells than pixel by pixel would', () => {
    const noise = seededRandom(7);
    const a = render(solid([128, 128, 128]), { noise, noiseAmp: 40 });
    const b = render(solid([128, 128, 128]), { noise, noiseAmp: 40 });
    // Uniform noise of ±40 on each frame: |a−b| per pixel averages ~27 in each of R, G, B.
    assert.ok(frameDifference(a, b, W) < 15, String(frameDifference(a, b, W)));
  });

  it('refuses frames of different sizes', () => {
    assert.throws(() => frameDifference(new Uint8Array(W * H * 3), new Uint8Array(W * 3), W), RangeError);
  });
});

describe('adaptive cut detection on synthetic frames', () => {
  it('finds no cut in a constant scene', () => {
    const still = render(waves());
    assert.deepEqual(analyse(Array.from({ length: 90 }, () => still)).shotChanges, []);
  });

  it('finds a single hard cut exactly, at the first frame of the new shot', () => {
    const a = render(waves());
    const b = render(checker([230, 200, 40], [30, 60, 90]));
    const v = video([
      { frames: 40, frame: () => a },
      { frames: 50, frame: () => b },
    ]);
    assert.deepEqual(analyse(v.frames).shotChanges, [40]);
  });

  it('finds no cut in a slow zoom (1 % a frame) or a pan (1.5 px a frame)', () => {
    const zoom = Array.from({ length: 120 }, (_, k) => render(waves(), { zoom: 1 + 0.01 * k }));
    assert.deepEqual(analyse(zoom).shotChanges, []);
    const pan = Array.from({ length: 120 }, (_, k) => render(radial, { panX: 1.5 * k }));
    assert.deepEqual(analyse(pan).shotChanges, []);
  });

  it('finds no cut inside a noisy shot, and the cut out of it to another look', () => {
    const noise = seededRandom(42);
    const bars = render(checker([235, 235, 16], [16, 180, 235], 20));
    const v = video([
      { frames: 60, frame: () => render(solid([128, 128, 128]), { noise, noiseAmp: 60 }) },
      { frames: 30, frame: () => bars },
    ]);
    assert.deepEqual(analyse(v.frames).shotChanges, [60]);
  });

  it('finds a cut between two moving shots', () => {
    const v = video([
      { frames: 45, frame: (k) => render(waves(), { panX: 2 * k }) },
      { frames: 45, frame: (k) => render(radial, { zoom: 1 + 0.01 * k }) },
    ]);
    assert.deepEqual(analyse(v.frames).shotChanges, [45]);
  });

  it('takes a flash (two white frames) for no cut', () => {
    const a = render(waves());
    const white = render(solid([250, 250, 250]));
    const frames = Array.from({ length: 90 }, (_, i) => (i === 40 || i === 41 ? white : a));
    assert.deepEqual(analyse(frames).shotChanges, []);
  });

  it('keeps shots at least 15 frames long: a second spike sooner is not a new shot', () => {
    const looks = [render(waves()), render(radial), render(checker([0, 0, 0], [255, 255, 255]))];
    const v = video([
      { frames: 30, frame: () => looks[0]! },
      { frames: 5, frame: () => looks[1]! },
      { frames: 40, frame: () => looks[2]! },
    ]);
    assert.deepEqual(analyse(v.frames).shotChanges, [30]);
  });

  it('finds every cut of random shot sequences exactly and nothing else (80 seeded cases)', () => {
    const looks: Look[] = [
      waves(),
      waves(1.3),
      radial,
      checker([250, 30, 30], [30, 30, 250]),
      checker([240, 240, 240], [10, 10, 10], 8),
      solid([20, 120, 60]),
      solid([200, 180, 40]),
    ];
    const rendered = looks.map((l) => render(l));
    let found = 0;
    let expected = 0;
    let false_ = 0;
    for (let seed = 1; seed <= 80; seed++) {
      const r = seededRandom(seed);
      const shots = 2 + Math.floor(r() * 4);
      const spec: Array<{ frames: number; frame: (k: number) => Uint8Array }> = [];
      let last = -1;
      for (let s = 0; s < shots; s++) {
        let look = Math.floor(r() * looks.length);
        if (look === last) look = (look + 1) % looks.length;
        last = look;
        const moving = r() < 0.3;
        const phase = r() * 6;
        const l = looks[look]!;
        // At least 16 frames (0.53 s): longer than the shortest shot the detector keeps.
        spec.push({ frames: 16 + Math.floor(r() * 30), frame: moving ? (k) => render(l, { panX: phase + 0.7 * k }) : () => rendered[look]! });
      }
      const v = video(spec);
      const got = analyse(v.frames).shotChanges;
      expected += v.cuts.length;
      found += v.cuts.filter((c) => got.includes(c)).length;
      false_ += got.filter((c) => !v.cuts.includes(c)).length;
      assert.deepEqual(got, v.cuts, `seed ${seed}`);
    }
    assert.equal(found, expected);
    assert.equal(false_, 0);
  });

  it('scores-only detection: a ratio over the neighbourhood, not a fixed level', () => {
    // A noisy run scoring 20 a frame, a real cut scoring 14 between two still shots (the trap, scaled).
    const noisy = [0, ...Array<number>(30).fill(20), 14, ...Array<number>(30).fill(0)];
    const clean = [0, ...Array<number>(30).fill(0.5), 14, ...Array<number>(30).fill(0.5)];
    // The same 14 is a cut between still shots and none after a noisy run whose every frame scores 20:
    // no fixed threshold can spare the noise (> 20) and keep the cut (< 14).
    assert.deepEqual(detectCuts(noisy), []);
    assert.deepEqual(detectCuts(clean), [31]);
    const spikes = [0, ...Array<number>(40).fill(20)];
    spikes[20] = 70;
    assert.deepEqual(detectCuts(spikes), [20], 'a spike well over a noisy neighbourhood is a cut');
  });

  it('refuses settings that cannot work', () => {
    assert.throws(() => new AdaptiveCutDetector({ windowFrames: 0 }), RangeError);
    assert.throws(() => new AdaptiveCutDetector({ minShotFrames: 0 }), RangeError);
  });
});

describe('per-shot thumbnails', () => {
  const looks = [render(waves()), render(radial), render(checker([250, 30, 30], [30, 30, 250]))];

  it('keeps one per shot, a few frames into it (the last frame of a shorter shot)', () => {
    const frames: Uint8Array[] = [];
    for (const [look, n] of [[0, 30], [1, 20], [2, 20]] as const) {
      for (let k = 0; k < n; k++) {
        const f = looks[look]!.slice();
        f[0] = k; // marks which frame of its shot this is
        frames.push(f);
      }
    }
    const r = analyse(frames);
    assert.deepEqual(r.shotChanges, [30, 50]);
    assert.deepEqual(r.thumbnails.map((t) => t.shotStart), [0, 30, 50]);
    assert.deepEqual(r.thumbnails.map((t) => t.frame[0]), [3, 3, 3], 'the 4th frame of each shot');
    const short = analyse([looks[0]!, looks[0]!]);
    assert.equal(short.thumbnails.length, 1, 'a video shorter than the offset still gets its thumbnail');
  });

  it('keeps an even sample when there are more shots than the sprite holds', () => {
    const frames: Uint8Array[] = [];
    for (let s = 0; s < 30; s++) for (let k = 0; k < 16; k++) frames.push(looks[s % 3]!);
    const a = new ShotAnalyzer(W, H, { maxThumbnails: 8 });
    for (const f of frames) a.push(f);
    const r = a.finish();
    assert.equal(r.shotChanges.length, 29);
    // 30 shots into at most 8: every 4th shot (stride doubled twice), 8 of them.
    assert.deepEqual(r.thumbnails.map((t) => t.shotStart / 16), [0, 4, 8, 12, 16, 20, 24, 28]);
  });

  it('EvenSample keeps between cap/2 and cap items, evenly spaced from the first', () => {
    for (const n of [1, 5, 8, 9, 100, 1000]) {
      const s = new EvenSample<number>(8);
      for (let i = 0; i < n; i++) s.offer(i, i);
      const items = s.items;
      assert.ok(items.length <= 8 && items.length >= Math.min(n, 4), `${n}: ${items.length}`);
      assert.equal(items[0], 0);
      const steps = new Set(items.slice(1).map((v, i) => v - items[i]!));
      assert.ok(steps.size <= 1, `${n}: uneven ${[...steps].join(',')}`);
    }
  });

  it('tiles frames left to right, top to bottom, black after the last', () => {
    const tile = (v: number) => new Uint8Array(4 * 2 * 3).fill(v);
    const s = tileSprite([tile(1), tile(2), tile(3)], 4, 2, 2);
    assert.deepEqual({ w: s.width, h: s.height, c: s.columns }, { w: 8, h: 4, c: 2 });
    const at = (x: number, y: number) => s.rgb[(y * s.width + x) * 3];
    assert.deepEqual([at(0, 0), at(4, 0), at(0, 2), at(4, 2), at(7, 3)], [1, 2, 3, 0, 0]);
    assert.equal(tileSprite([tile(1)], 4, 2).columns, 1, 'one tile: one column');
  });
});

describe('frame times and sizes', () => {
  it('reads the exact pts (microseconds), not the rounded pts_time', () => {
    assert.deepEqual(parseFrameTimeLine('frame:12   pts:400000  pts_time:0.4'), { frame: 12, seconds: 0.4 });
    assert.deepEqual(parseFrameTimeLine('frame:99999 pts:3723456789 pts_time:3723.46'), { frame: 99999, seconds: 3723.456789 });
    assert.deepEqual(parseFrameTimeLine('frame:3 pts:NOPTS pts_time:NOPTS'), { frame: 3, seconds: null });
    assert.equal(parseFrameTimeLine('lavfi.scene_score=0.041429'), null);
  });

  it('keeps frame times strictly ascending: a missing pts is one step on, a pts going back is nudged forward', () => {
    const t = new FrameTimes();
    for (const s of [0, 0.04, null, 0.05, 0.2]) t.add(s);
    const got = Array.from({ length: 6 }, (_, i) => Math.round(t.at(i) * 1e6) / 1e6);
    // 0.05 is before 0.08, so it becomes 0.08 + the last step (0.04); frame 5 was never printed: extrapolated.
    assert.deepEqual(got, [0, 0.04, 0.08, 0.12, 0.2, 0.28]);
    const many = new FrameTimes();
    for (let i = 0; i < 5000; i++) many.add(i / 30);
    assert.equal(many.count, 5000);
    assert.equal(many.at(4999), 4999 / 30);
  });

  it('gives the displayed size: sample aspect ratio applied, sides swapped by a quarter turn', () => {
    assert.deepEqual(displaySize(1920, 1080, 1, null), { width: 1920, height: 1080 });
    assert.deepEqual(displaySize(720, 576, 16 / 15, 0), { width: 768, height: 576 });
    assert.deepEqual(displaySize(1920, 1080, 1, -90), { width: 1080, height: 1920 });
    assert.deepEqual(displaySize(1920, 1080, null, 180), { width: 1920, height: 1080 });
    assert.equal(parseRate('30000/1001')?.toFixed(3), '29.970');
    assert.equal(parseRate('0/0'), null);
    assert.equal(parseRate('25'), 25);
  });

  it('analyses frames of the picture aspect, 160 px on the long side, even sides', () => {
    assert.deepEqual(analysisFrameSize(1920, 1080), { width: 160, height: 90 });
    assert.deepEqual(analysisFrameSize(1080, 1920), { width: 90, height: 160 });
    assert.deepEqual(analysisFrameSize(768, 576), { width: 160, height: 120 });
    assert.deepEqual(analysisFrameSize(4000, 10), { width: 160, height: 2 });
  });
});
