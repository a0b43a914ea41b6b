import type { Caption, WaveformJson } from '@ecg/contracts';
import { boundariesInRange, type Boundary, type WordRef } from './waveform-boundaries.js';
import { setWordEdge } from './waveform-drag.js';
import { peaksForView } from './waveform-peaks.js';
import { tickStep, timeToX, type TimeView } from './waveform-view.js';

/*
 * The waveform's picture, drawn from values only: the canvas context, the
 * view and what to show. No DOM reads, no React; the component sizes the
 * canvas and reads the colours (useWaveformPaint), the pointer hook uses the
 * same bands for hit-testing.
 */

/** CSS pixels, top to bottom: the ruler, the waveform, the band of words. */
export const WAVEFORM_HEIGHT = 156;
export const RULER = 16;
export const WORD_BAND = 34;
export const WAVE_TOP = RULER + 4;
export const WAVE_BOTTOM = WAVEFORM_HEIGHT - WORD_BAND - 4;

export interface Palette {
  text: string;
  muted: string;
  border: string;
  accent: string;
  accentSoft: string;
  wave: string;
  playhead: string;
  highlight: string;
  shot: string;
}

/** A word edge being dragged, at the time it would be dropped. */
export interface DragPreview {
  boundary: Boundary;
  time: number;
}

export interface WaveformFrame {
  view: TimeView;
  captions: readonly Caption[];
  waveform: WaveformJson | null;
  playhead: number;
  selected: WordRef | null;
  hover: Boundary | null;
  drag: DragPreview | null;
  /** Shot-change times, seconds, ascending. */
  shotChanges: readonly number[];
}

/** The subset of CanvasRenderingContext2D the drawing uses (a test can record calls on a stand-in). */
export type Ctx = Pick<
  CanvasRenderingContext2D,
  | 'beginPath'
  | 'moveTo'
  | 'lineTo'
  | 'stroke'
  | 'fill'
  | 'fillRect'
  | 'fillText'
  | 'measureText'
  | 'rect'
  | 'clip'
  | 'save'
  | 'restore'
  | 'closePath'
  | 'setLineDash'
  | 'clearRect'
  | 'font'
  | 'textBaseline'
  | 'fillStyle'
  | 'strokeStyle'
  | 'lineWidth'
>;

/** A ruler label: "12s", "1:05", "4.5s", "1:04.5". */
export function formatSeconds(t: number, step: number): string {
  const m = Math.floor(t / 60);
  const s = t - m * 60;
  const sec = step < 1 ? s.toFixed(1) : String(Math.round(s));
  return m > 0 ? `${m}:${sec.padStart(step < 1 ? 4 : 2, '0')}` : `${sec}s`;
}

/** The captions as they would be after dropping the dragged edge: what is drawn during a drag. */
export function shownCaptions(captions: readonly Caption[], drag: DragPreview | null): readonly Caption[] {
  if (!drag) return captions;
  const r = setWordEdge(captions, drag.boundary, drag.boundary.edge, drag.time);
  return r.ok ? r.captions : captions;
}

/** Index of the first time at or after `t` in an ascending list. */
function lowerBound(times: readonly number[], t: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (times[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The shot changes inside the view, as x positions (CSS px), left to right. */
export function shotChangesInView(shotChanges: readonly number[], view: TimeView): number[] {
  const out: number[] = [];
  const end = view.start + view.span;
  for (let i = lowerBound(shotChanges, view.start); i < shotChanges.length && shotChanges[i]! <= end; i++) {
    out.push(timeToX(view, shotChanges[i]!));
  }
  return out;
}

export function drawRuler(ctx: Ctx, view: TimeView, p: Palette): void {
  const step = tickStep(view);
  const end = view.start + view.span;
  ctx.font = '11px system-ui, sans-serif';
  ctx.textBaseline = 'top';
  ctx.fillStyle = p.muted;
  ctx.strokeStyle = p.border;
  ctx.lineWidth = 1;
  for (let t = Math.ceil(view.start / step) * step; t <= end; t += step) {
    const x = Math.round(timeToX(view, t)) + 0.5;
    ctx.beginPath();
    ctx.moveTo(x, RULER - 5);
    ctx.lineTo(x, RULER);
    ctx.stroke();
    ctx.fillText(formatSeconds(t, step), x + 3, 2);
  }
}

/** Each caption's span, a soft band behind the waveform. */
export function drawCaptionSpans(ctx: Ctx, view: TimeView, captions: readonly Caption[], p: Palette): void {
  const end = view.start + view.span;
  ctx.fillStyle = p.accentSoft;
  for (const c of captions) {
    if (c.end < view.start) continue;
    if (c.start > end) break;
    const x0 = timeToX(view, c.start);
    ctx.fillRect(x0, WAVE_TOP, timeToX(view, c.end) - x0, WAVE_BOTTOM - WAVE_TOP);
  }
}

export function drawPeaks(ctx: Ctx, view: TimeView, waveform: WaveformJson | null, p: Palette): void {
  const mid = (WAVE_TOP + WAVE_BOTTOM) / 2;
  const half = (WAVE_BOTTOM - WAVE_TOP) / 2;
  ctx.strokeStyle = p.border;
  ctx.lineWidth = 1;
  ctx.beginPath();
  ctx.moveTo(0, Math.round(mid) + 0.5);
  ctx.lineTo(view.width, Math.round(mid) + 0.5);
  ctx.stroke();
  if (!waveform) return;
  const columns = Math.floor(view.width);
  const peaks = peaksForView(waveform, view, columns);
  ctx.fillStyle = p.wave;
  for (let c = 0; c < columns; c++) {
    const lo = peaks[2 * c]!;
    const hi = peaks[2 * c + 1]!;
    if (Number.isNaN(lo)) continue;
    const y0 = mid - hi * half;
    ctx.fillRect(c, y0, 1, Math.max(1, mid - lo * half - y0));
  }
}

/**
 * Shot changes: a dotted line through ruler and waveform with a notch on the
 * ruler, in their own colour and dash (not colour alone tells them from the
 * word edges' solid and dashed lines), under the word edges so those stay grabbable.
 */
export function drawShotChanges(ctx: Ctx, view: TimeView, shotChanges: readonly number[], p: Palette): void {
  const xs = shotChangesInView(shotChanges, view);
  if (xs.length === 0) return;
  ctx.strokeStyle = p.shot;
  ctx.fillStyle = p.shot;
  ctx.lineWidth = 2;
  ctx.setLineDash([2, 3]);
  for (const raw of xs) {
    const x = Math.round(raw) + 0.5;
    ctx.beginPath();
    ctx.moveTo(x, 0);
    ctx.lineTo(x, WAVE_BOTTOM);
    ctx.stroke();
  }
  ctx.setLineDash([]);
  for (const raw of xs) {
    const x = Math.round(raw) + 0.5;
    ctx.beginPath();
    ctx.moveTo(x - 4, 0);
    ctx.lineTo(x + 4, 0);
    ctx.lineTo(x, 6);
    ctx.closePath();
    ctx.fill();
  }
}

/**
 * Words: a bar per word in the band below, labelled. Labels alternate between
 * two rows, so each may run on to where the word after next begins: short
 * words stay readable without overlapping.
 */
export function drawWords(ctx: Ctx, view: TimeView, captions: readonly Caption[], selected: WordRef | null, p: Palette): void {
  const end = view.start + view.span;
  const bandTop = WAVEFORM_HEIGHT - WORD_BAND;
  const rowHeight = (WORD_BAND - 4) / 2;
  ctx.textBaseline = 'middle';
  ctx.font = '12px system-ui, sans-serif';
  for (const c of captions) {
    if (c.end < view.start) continue;
    if (c.start > end) break;
    c.words.forEach((word, wi) => {
      if (word.end < view.start || word.start > end) return;
      const x0 = timeToX(view, word.start);
      const x1 = timeToX(view, word.end);
      const isSelected = selected?.captionId === c.id && selected.wordIndex === wi;
      ctx.fillStyle = isSelected ? p.highlight : p.accentSoft;
      ctx.fillRect(x0, bandTop + 2, Math.max(1, x1 - x0), WORD_BAND - 4);
      const limit = c.words[wi + 2] ? timeToX(view, c.words[wi + 2]!.start) : Math.max(x1, timeToX(view, c.end));
      if (limit - x0 > 12) {
        const row = wi % 2;
        ctx.save();
        ctx.beginPath();
        ctx.rect(x0 + 2, bandTop + 2 + row * rowHeight, limit - x0 - 4, rowHeight);
        ctx.clip();
        ctx.fillStyle = p.text;
        ctx.fillText(word.word.trim(), x0 + 4, bandTop + 2 + row * rowHeight + rowHeight / 2 + 1);
        ctx.restore();
      }
    });
  }
}

const sameBoundary = (a: Boundary | null, b: Boundary): boolean =>
  !!a && a.captionId === b.captionId && a.wordIndex === b.wordIndex && a.edge === b.edge;

/** Each word's start (solid) and end (dashed) line, with a grip pointing into its word. */
export function drawBoundaries(ctx: Ctx, view: TimeView, frame: Pick<WaveformFrame, 'selected' | 'hover' | 'drag'>, captions: readonly Caption[], p: Palette): void {
  const { selected, hover, drag } = frame;
  const bandTop = WAVEFORM_HEIGHT - WORD_BAND;
  for (const b of boundariesInRange(captions, view.start, view.start + view.span)) {
    const x = Math.round(timeToX(view, b.time)) + 0.5;
    const strong = sameBoundary(hover, b) || (drag !== null && sameBoundary(drag.boundary, b));
    const isSelected = selected?.captionId === b.captionId && selected.wordIndex === b.wordIndex;
    ctx.strokeStyle = p.accent;
    ctx.lineWidth = strong ? 3 : isSelected ? 2 : 1;
    ctx.setLineDash(b.edge === 'end' ? [3, 3] : []);
    ctx.beginPath();
    ctx.moveTo(x, WAVE_TOP);
    ctx.lineTo(x, WAVEFORM_HEIGHT - 2);
    ctx.stroke();
    // A grip on the band, pointing into the word, shows which side the line belongs to.
    ctx.setLineDash([]);
    ctx.fillStyle = p.accent;
    ctx.beginPath();
    const dir = b.edge === 'start' ? 1 : -1;
    ctx.moveTo(x, bandTop + 2);
    ctx.lineTo(x + 5 * dir, bandTop + 2);
    ctx.lineTo(x, bandTop + 9);
    ctx.closePath();
    ctx.fill();
  }
  ctx.setLineDash([]);
}

/** The time a dragged edge would drop at, in a label above it. */
export function drawDragLabel(ctx: Ctx, view: TimeView, drag: DragPreview, p: Palette): void {
  const x = timeToX(view, drag.time);
  const label = `${drag.time.toFixed(3)} s`;
  ctx.font = '12px ui-monospace, monospace';
  const tw = ctx.measureText(label).width + 8;
  const lx = Math.min(Math.max(0, x - tw / 2), view.width - tw);
  ctx.fillStyle = p.text;
  ctx.fillRect(lx, WAVE_TOP, tw, 18);
  ctx.fillStyle = p.accentSoft;
  ctx.textBaseline = 'middle';
  ctx.fillText(label, lx + 4, WAVE_TOP + 9);
}

export function drawPlayhead(ctx: Ctx, view: TimeView, playhead: number, p: Palette): void {
  if (playhead < view.start || playhead > view.start + view.span) return;
  const x = Math.round(timeToX(view, playhead)) + 0.5;
  ctx.strokeStyle = p.playhead;
  ctx.lineWidth = 2;
  ctx.beginPath();
  ctx.moveTo(x, 0);
  ctx.lineTo(x, WAVEFORM_HEIGHT);
  ctx.stroke();
}

/** The whole picture, back to front, on a context already scaled to CSS pixels. */
export function drawWaveform(ctx: Ctx, frame: WaveformFrame, p: Palette): void {
  const { view } = frame;
  ctx.clearRect(0, 0, view.width, WAVEFORM_HEIGHT);
  // The caption being dragged is drawn as it would be after the drop.
  const shown = shownCaptions(frame.captions, frame.drag);
  drawRuler(ctx, view, p);
  drawCaptionSpans(ctx, view, shown, p);
  drawPeaks(ctx, view, frame.waveform, p);
  drawShotChanges(ctx, view, frame.shotChanges, p);
  drawWords(ctx, view, shown, frame.selected, p);
  drawBoundaries(ctx, view, frame, shown, p);
  if (frame.drag) drawDragLabel(ctx, view, frame.drag, p);
  drawPlayhead(ctx, view, frame.playhead, p);
}
