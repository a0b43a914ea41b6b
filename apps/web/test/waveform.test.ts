import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Caption, WaveformJson } from '@ecg/contracts';
import { boundariesInRange, hitBoundary, nearestWord, stepWord, wordAtTime } from '../src/lib/waveform-boundaries.js';
import { clampEdge, edgeLimits, MIN_WORD_SECONDS, setWordEdge } from '../src/lib/waveform-drag.js';
import { drawShotChanges, drawWaveform, formatSeconds, shotChangesInView, shownCaptions, WAVE_BOTTOM, type Ctx, type Palette } from '../src/lib/waveform-draw.js';
import { peaksForView, waveformSeconds } from '../src/lib/waveform-peaks.js';
import {
  clampStart,
  defaultSpan,
  followPlayhead,
  MAX_SPAN,
  MIN_SPAN,
  scrollBy,
  tickStep,
  timeToX,
  xToTime,
  zoomAround,
  type TimeView,
} from '../src/lib/waveform-view.js';

const view: TimeView = { start: 10, span: 20, width: 800 };

/** Two captions with three and two words; the first caption starts before its first word. */
function sample(): Caption[] {
  return [
    {
      id: 'c0',
      start: 1,
      end: 3,
      text: 'And so my',
      words: [
        { word: ' And', start: 1.2, end: 1.5 },
        { word: ' so', start: 1.5, end: 2 },
        { word: ' my', start: 2.2, end: 3 },
      ],
    },
    {
      id: 'c1',
      start: 4,
      end: 6,
      text: 'fellow Americans',
      words: [
        { word: ' fellow', start: 4, end: 4.6 },
        { word: ' Americans', start: 4.8, end: 5.5 },
      ],
    },
  ];
}

describe('waveform pixels and seconds', () => {
  test('map each way and back', () => {
    assert.equal(timeToX(view, 10), 0);
    assert.equal(timeToX(view, 30), 800);
    assert.equal(timeToX(view, 15), 200);
    assert.equal(xToTime(view, 400), 20);
    for (const t of [10, 12.345, 29.9]) assert.ok(Math.abs(xToTime(view, timeToX(view, t)) - t) < 1e-9);
  });

  test('keep the window inside the recording, and at 0 when the recording is shorter than the window', () => {
    assert.equal(clampStart(-3, 20, 100), 0);
    assert.equal(clampStart(95, 20, 100), 80);
    assert.equal(clampStart(5, 20, 11), 0);
    assert.deepEqual(scrollBy(view, 0.5, 100), { ...view, start: 20 });
    assert.deepEqual(scrollBy(view, -1, 100), { ...view, start: 0 });
  });

  test('follow the playhead by turning a page when it nears the right edge or leaves the window', () => {
    assert.equal(followPlayhead(view, 20, 100), view, 'inside: unchanged');
    const turned = followPlayhead(view, 29, 100);
    assert.equal(turned.start, 27, 'the playhead sits a tenth in from the left');
    assert.equal(followPlayhead(view, 3, 100).start, 1, 'jumps back when the playhead is before the window');
    assert.equal(followPlayhead(view, 99, 100).start, 80, 'never past the end');
  });

  test('zoom keeps the time under the pointer in place, within the span limits', () => {
    const z = zoomAround(view, 0.5, 15, 100);
    assert.equal(z.span, 10);
    assert.equal(timeToX(z, 15), timeToX(view, 15));
    assert.equal(zoomAround(view, 0.01, 15, 100).span, MIN_SPAN);
    assert.equal(zoomAround(view, 100, 15, 1000).span, MAX_SPAN);
  });

  test('start with a 10 s window, shorter on a phone-sized waveform', () => {
    assert.equal(defaultSpan(560), 10);
    assert.equal(defaultSpan(320), 6);
  });

  test('ruler ticks are round seconds about 80 px apart', () => {
    assert.equal(tickStep(view), 2);
    assert.equal(tickStep({ start: 0, span: 60, width: 360 }), 15);
  });
});

describe('waveform peaks', () => {
  // 100 pixels per second at 16 kHz: 160 samples per pixel.
  const wf: WaveformJson = {
    version: 2,
    channels: 1,
    sample_rate: 16000,
    samples_per_pixel: 160,
    bits: 8,
    length: 4,
    data: [-10, 10, -64, 127, -128, 32, 0, 0],
  };

  test('know how long the recording is', () => {
    assert.equal(waveformSeconds(wf), 0.04);
  });

  test('give each column the extremes of the waveform pixels it covers, scaled to -1..1', () => {
    const p = peaksForView(wf, { start: 0, span: 0.04, width: 2 }, 2);
    assert.deepEqual([...p], [-64 / 128, 127 / 128, -1, 32 / 128]);
  });

  test('leave columns outside the recording empty', () => {
    const p = peaksForView(wf, { start: 0, span: 0.08, width: 4 }, 4);
    assert.ok(!Number.isNaN(p[0]) && !Number.isNaN(p[2]));
    assert.ok(Number.isNaN(p[4]) && Number.isNaN(p[6]), 'after the end');
    const before = peaksForView(wf, { start: -0.02, span: 0.04, width: 2 }, 2);
    assert.ok(Number.isNaN(before[0]), 'before the start');
  });

  test('stop at the data actually sent when length claims more', () => {
    const short = { ...wf, length: 10 };
    assert.equal(waveformSeconds(short), 0.04);
  });
});

describe('word boundaries on the waveform', () => {
  test('list the starts and ends inside the window with their words', () => {
    const b = boundariesInRange(sample(), 1.9, 4.1);
    assert.deepEqual(
      b.map((x) => `${x.word}:${x.edge}@${x.time}`),
      ['so:end@2', 'my:start@2.2', 'my:end@3', 'fellow:start@4'],
    );
    assert.equal(b[3]!.captionId, 'c1');
    assert.equal(b[3]!.wordIndex, 0);
  });

  test('a pointer grabs the nearest boundary within the tolerance, and nothing further away', () => {
    const v: TimeView = { start: 0, span: 10, width: 1000 }; // 100 px per second
    const b = boundariesInRange(sample(), 0, 10);
    const hit = hitBoundary(b, v, 221, 6);
    assert.equal(hit?.word, 'my');
    assert.equal(hit?.edge, 'start');
    assert.equal(hitBoundary(b, v, 210, 6), null, '10 px away from every line');
  });

  test('on a line shared by two words, the side of the pointer picks the word', () => {
    const v: TimeView = { start: 0, span: 10, width: 1000 };
    const b = boundariesInRange(sample(), 0, 10); // "And" ends at 1.5 where "so" starts
    assert.deepEqual([hitBoundary(b, v, 148, 6)?.word, hitBoundary(b, v, 148, 6)?.edge], ['And', 'end']);
    assert.deepEqual([hitBoundary(b, v, 152, 6)?.word, hitBoundary(b, v, 152, 6)?.edge], ['so', 'start']);
  });

  test('find the word under the playhead, the next word to select, and step across captions', () => {
    const cs = sample();
    assert.deepEqual(wordAtTime(cs, 1.6), { captionId: 'c0', wordIndex: 1 });
    assert.equal(wordAtTime(cs, 2.1), null, 'a pause between words');
    assert.deepEqual(nearestWord(cs, 3.5), { captionId: 'c1', wordIndex: 0 });
    assert.deepEqual(nearestWord(cs, 9), { captionId: 'c1', wordIndex: 1 });
    assert.deepEqual(stepWord(cs, { captionId: 'c0', wordIndex: 2 }, 1), { captionId: 'c1', wordIndex: 0 });
    assert.deepEqual(stepWord(cs, { captionId: 'c1', wordIndex: 0 }, -1), { captionId: 'c0', wordIndex: 2 });
    assert.equal(stepWord(cs, { captionId: 'c1', wordIndex: 1 }, 1), null);
  });
});

describe('dragging a word boundary', () => {
  test('a middle word stays between its neighbours and keeps a minimum length', () => {
    const cs = sample();
    const so = { captionId: 'c0', wordIndex: 1 };
    assert.deepEqual(edgeLimits(cs, so, 'start'), { min: 1.5, max: 2 - MIN_WORD_SECONDS });
    assert.deepEqual(edgeLimits(cs, so, 'end'), { min: 1.5 + MIN_WORD_SECONDS, max: 2.2 });
    assert.equal(clampEdge(cs, so, 'start', 0.2), 1.5, 'not into the previous word');
    assert.equal(clampEdge(cs, so, 'end', 2.9), 2.2, 'not into the next word');
    assert.equal(clampEdge(cs, so, 'end', 1.0), 1.52, 'not before its own start');
    assert.equal(clampEdge(cs, so, 'end', 2.12345), 2.123, 'rounded to the millisecond');
  });

  test('moving a middle word changes only that word', () => {
    const cs = sample();
    const r = setWordEdge(cs, { captionId: 'c0', wordIndex: 1 }, 'end', 2.1);
    assert.ok(r.ok);
    assert.equal(r.captions[0]!.words[1]!.end, 2.1);
    assert.equal(r.captions[0]!.words[1]!.start, 1.5);
    assert.equal(r.captions[0]!.start, 1);
    assert.equal(r.captions[0]!.end, 3);
    assert.equal(r.captions[1], cs[1], 'other captions are untouched');
    assert.equal(cs[0]!.words[1]!.end, 2, 'the input is not mutated');
  });

  test("the caption's start follows its first word, but never into the previous caption", () => {
    const cs = sample();
    const fellow = { captionId: 'c1', wordIndex: 0 };
    const earlier = setWordEdge(cs, fellow, 'start', 3.5);
    assert.ok(earlier.ok);
    assert.equal(earlier.captions[1]!.start, 3.5);
    assert.equal(earlier.captions[1]!.words[0]!.start, 3.5);
    const tooEarly = setWordEdge(cs, fellow, 'start', 2);
    assert.ok(tooEarly.ok);
    assert.equal(tooEarly.captions[1]!.start, 3, 'stops at the previous caption end');
    const later = setWordEdge(cs, { captionId: 'c0', wordIndex: 0 }, 'start', 1.3);
    assert.ok(later.ok);
    assert.equal(later.captions[0]!.start, 1.3, 'follows inward too');
  });

  test("the caption's end follows its last word, up to the next caption or the end of the media", () => {
    const cs = sample();
    const r = setWordEdge(cs, { captionId: 'c0', wordIndex: 2 }, 'end', 10);
    assert.ok(r.ok);
    assert.equal(r.captions[0]!.end, 4, 'stops at the next caption start');
    const last = setWordEdge(cs, { captionId: 'c1', wordIndex: 1 }, 'end', 10, 7.25);
    assert.ok(last.ok);
    assert.equal(last.captions[1]!.end, 7.25, 'stops at the end of the media');
    assert.equal(last.captions[1]!.words[1]!.end, 7.25);
  });

  test('grabbing a word that already overlaps its neighbour does not make it jump', () => {
    const cs = sample();
    cs[0]!.words[1] = { word: ' so', start: 1.4, end: 2 }; // starts before "And" ends
    assert.equal(clampEdge(cs, { captionId: 'c0', wordIndex: 1 }, 'start', 1.4), 1.4);
  });

  test('refuses a word that is not there', () => {
    const r = setWordEdge(sample(), { captionId: 'c9', wordIndex: 0 }, 'start', 1);
    assert.deepEqual(r, { ok: false, reason: 'CAPTION_NOT_FOUND' });
    const w = setWordEdge(sample(), { captionId: 'c0', wordIndex: 7 }, 'start', 1);
    assert.deepEqual(w, { ok: false, reason: 'CAPTION_NOT_FOUND' });
  });
});

describe('waveform drawing', () => {
  const palette: Palette = {
    text: 'text',
    muted: 'muted',
    border: 'border',
    accent: 'accent',
    accentSoft: 'accent-soft',
    wave: 'wave',
    playhead: 'playhead',
    highlight: 'highlight',
    shot: 'shot',
  };

  /** A stand-in context that records each stroke with the style it was drawn in. */
  function recorder() {
    const strokes: Array<{ style: string; dash: number[]; from: [number, number]; to: [number, number] }> = [];
    let path: Array<[number, number]> = [];
    let dash: number[] = [];
    const ctx = {
      font: '',
      textBaseline: 'alphabetic',
      fillStyle: '',
      strokeStyle: '',
      lineWidth: 1,
      beginPath: () => void (path = []),
      moveTo: (x: number, y: number) => void path.push([x, y]),
      lineTo: (x: number, y: number) => void path.push([x, y]),
      stroke: () => void strokes.push({ style: String(ctx.strokeStyle), dash, from: path[0]!, to: path.at(-1)! }),
      setLineDash: (d: number[]) => void (dash = d),
      fill: () => undefined,
      fillRect: () => undefined,
      fillText: () => undefined,
      measureText: (text: string) => ({ width: text.length * 6 }) as TextMetrics,
      rect: () => undefined,
      clip: () => undefined,
      save: () => undefined,
      restore: () => undefined,
      closePath: () => undefined,
      clearRect: () => undefined,
    } satisfies Ctx;
    return { ctx, strokes };
  }

  test('ruler labels read seconds, then minutes:seconds', () => {
    assert.equal(formatSeconds(5, 1), '5s');
    assert.equal(formatSeconds(4.5, 0.5), '4.5s');
    assert.equal(formatSeconds(65, 5), '1:05');
    assert.equal(formatSeconds(64.5, 0.5), '1:04.5');
  });

  test('shot changes in view, as x positions, by binary search over the ascending list', () => {
    assert.deepEqual(shotChangesInView([1, 12, 15, 29.5, 31], view), [80, 200, 780]);
    assert.deepEqual(shotChangesInView([], view), []);
  });

  test('a shot change is a dotted line in its own colour through ruler and waveform, not into the word band', () => {
    const { ctx, strokes } = recorder();
    drawShotChanges(ctx, view, [15], palette);
    assert.equal(strokes.length, 1);
    assert.equal(strokes[0]!.style, 'shot');
    assert.deepEqual(strokes[0]!.dash, [2, 3]);
    assert.deepEqual(strokes[0]!.from, [200.5, 0]);
    assert.deepEqual(strokes[0]!.to, [200.5, WAVE_BOTTOM]);
  });

  test('the whole frame draws shot changes apart from word edges and the playhead', () => {
    const { ctx, strokes } = recorder();
    drawWaveform(
      ctx,
      { view: { start: 0, span: 10, width: 1000 }, captions: sample(), waveform: null, playhead: 2, selected: null, hover: null, drag: null, shotChanges: [3.5] },
      palette,
    );
    const styles = new Set(strokes.map((s) => s.style));
    assert.ok(styles.has('shot') && styles.has('accent') && styles.has('playhead'));
    assert.deepEqual(strokes.filter((s) => s.style === 'shot').map((s) => s.from[0]), [350.5]);
    assert.ok(strokes.filter((s) => s.style === 'accent').every((s) => s.dash.length === 0 || s.dash[0] === 3), 'edges solid or dashed, never dotted like a shot');
  });

  test('while a word edge is dragged, the captions are drawn as they would be after the drop', () => {
    const captions = sample();
    const boundary = boundariesInRange(captions, 0, 10).find((b) => b.captionId === 'c1' && b.edge === 'end' && b.wordIndex === 1)!;
    const shown = shownCaptions(captions, { boundary, time: 5.9 });
    assert.equal(shown[1]!.end, 5.9);
    assert.equal(shownCaptions(captions, null), captions);
  });
});
