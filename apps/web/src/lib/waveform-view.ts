/**
 * The time window the waveform shows, and the mapping between its CSS pixels
 * and seconds. Pure, so the drawing, the hit-testing and the tests agree on
 * one definition.
 */
export interface TimeView {
  /** Seconds at the left edge. */
  start: number;
  /** Seconds across the whole width. */
  span: number;
  /** Width in CSS pixels. */
  width: number;
}

export const MIN_SPAN = 2;
export const MAX_SPAN = 60;
export const DEFAULT_SPAN = 10;
/** Below this width (CSS px) the first window is shorter, so words stay wide enough to grab and read. */
const NARROW = 480;
const NARROW_SPAN = 6;

/** While following playback, the playhead is kept between these fractions of the width. */
const FOLLOW_LEAD = 0.1;
const FOLLOW_EDGE = 0.9;

const clamp = (v: number, lo: number, hi: number): number => Math.min(Math.max(v, lo), hi);

export function timeToX(view: TimeView, time: number): number {
  return ((time - view.start) / view.span) * view.width;
}

export function xToTime(view: TimeView, x: number): number {
  return view.start + (x / view.width) * view.span;
}

/** The window's first length for a waveform this wide. */
export function defaultSpan(width: number): number {
  return width < NARROW ? NARROW_SPAN : DEFAULT_SPAN;
}

/** Seconds one CSS pixel stands for. */
export function secondsPerPixel(view: TimeView): number {
  return view.span / Math.max(1, view.width);
}

/** A left edge that keeps the window inside the recording (a recording shorter than the window starts at 0). */
export function clampStart(start: number, span: number, total: number): number {
  return clamp(start, 0, Math.max(0, total - span));
}

/**
 * The window that keeps `time` in view while playing: unchanged while the
 * playhead is inside its middle part, else turned like a page so the playhead
 * sits near the left edge and the next seconds are visible ahead of it.
 */
export function followPlayhead(view: TimeView, time: number, total: number): TimeView {
  if (time >= view.start && time <= view.start + view.span * FOLLOW_EDGE) return view;
  const start = clampStart(time - view.span * FOLLOW_LEAD, view.span, total);
  return start === view.start ? view : { ...view, start };
}

/** Zooms by `factor` (below 1 zooms in) keeping the time under `anchor` at the same pixel. */
export function zoomAround(view: TimeView, factor: number, anchor: number, total: number): TimeView {
  const span = clamp(view.span * factor, MIN_SPAN, MAX_SPAN);
  const ratio = view.span > 0 ? (anchor - view.start) / view.span : 0;
  return { ...view, span, start: clampStart(anchor - ratio * span, span, total) };
}

/** Scrolls by a fraction of the window (negative is earlier). */
export function scrollBy(view: TimeView, fraction: number, total: number): TimeView {
  return { ...view, start: clampStart(view.start + fraction * view.span, view.span, total) };
}

/** Spacing of the ruler's labelled ticks: about one per 80 px, on a round number of seconds. */
export function tickStep(view: TimeView): number {
  const want = secondsPerPixel(view) * 80;
  return [0.5, 1, 2, 5, 10, 15, 30, 60].find((s) => s >= want) ?? 60;
}
