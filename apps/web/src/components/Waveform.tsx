import { useCallback, useEffect, useId, useMemo, useRef, useState, type PointerEvent as ReactPointerEvent } from 'react';
import type { Caption, WaveformJson } from '@ecg/contracts';
import type { WaveformState } from '../hooks/useWaveform.js';
import { useI18n } from '../i18n/i18n.js';
import { boundariesInRange, hitBoundary, wordAtTime, type Boundary, type Edge, type WordRef } from '../lib/waveform-boundaries.js';
import { clampEdge, setWordEdge } from '../lib/waveform-drag.js';
import { peaksForView, waveformSeconds } from '../lib/waveform-peaks.js';
import {
  clampStart,
  DEFAULT_SPAN,
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
} from '../lib/waveform-view.js';

const HEIGHT = 156;
const RULER = 16;
const WORD_BAND = 34;
const WAVE_TOP = RULER + 4;
const WAVE_BOTTOM = HEIGHT - WORD_BAND - 4;
/** A pointer this close (CSS px) to a boundary grabs it; fingers get more room. */
const GRAB_MOUSE = 6;
const GRAB_TOUCH = 14;
/** Movement (CSS px) after which pressing on the waveform pans instead of seeking. */
const PAN_AFTER = 4;

interface Props {
  state: WaveformState;
  captions: readonly Caption[];
  video: HTMLVideoElement | null;
  /** Seconds of media, for clamping the last word and the scroll range; Infinity when unknown. */
  mediaEnd: number;
  selectedWord: WordRef | null;
  onSelectWord: (ref: WordRef) => void;
  onSeek: (time: number) => void;
  onMoveEdge: (ref: WordRef, edge: Edge, time: number) => void;
}

type Pointer =
  | { mode: 'none' }
  | { mode: 'press'; x0: number; start0: number; id: number }
  | { mode: 'pan'; x0: number; start0: number; id: number }
  | { mode: 'drag'; boundary: Boundary; time: number; id: number };

interface Palette {
  text: string;
  muted: string;
  border: string;
  accent: string;
  accentSoft: string;
  wave: string;
  playhead: string;
  highlight: string;
}

function readPalette(el: HTMLElement): Palette {
  const css = getComputedStyle(el);
  const v = (name: string, fallback: string): string => css.getPropertyValue(name).trim() || fallback;
  return {
    text: v('--text', '#1a1d29'),
    muted: v('--muted', '#5b6275'),
    border: v('--border', '#dfe3ee'),
    accent: v('--accent', '#4f46e5'),
    accentSoft: v('--accent-soft', '#eef0ff'),
    wave: v('--wave', '#7c86a8'),
    playhead: v('--danger', '#c62828'),
    highlight: v('--highlight', '#fff1a8'),
  };
}

function formatSeconds(t: number, step: number): string {
  const m = Math.floor(t / 60);
  const s = t - m * 60;
  const sec = step < 1 ? s.toFixed(1) : String(Math.round(s));
  return m > 0 ? `${m}:${sec.padStart(step < 1 ? 4 : 2, '0')}` : `${sec}s`;
}

function draw(
  canvas: HTMLCanvasElement,
  view: TimeView,
  captions: readonly Caption[],
  waveform: WaveformJson | null,
  playhead: number,
  selected: WordRef | null,
  hover: Boundary | null,
  drag: { boundary: Boundary; time: number } | null,
): void {
  const ctx = canvas.getContext('2d');
  if (!ctx || view.width <= 0) return;
  const dpr = window.devicePixelRatio || 1;
  const w = Math.round(view.width * dpr);
  const h = Math.round(HEIGHT * dpr);
  if (canvas.width !== w || canvas.height !== h) {
    canvas.width = w;
    canvas.height = h;
  }
  const p = readPalette(canvas);
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, view.width, HEIGHT);
  const end = view.start + view.span;
  // The caption being dragged is drawn as it would be after the drop.
  let shown = captions;
  if (drag) {
    const r = setWordEdge(captions, drag.boundary, drag.boundary.edge, drag.time);
    if (r.ok) shown = r.captions;
  }

  // Ruler.
  const step = tickStep(view);
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

  // Caption spans behind the waveform.
  const visible = boundariesInRange(shown, view.start, end);
  ctx.fillStyle = p.accentSoft;
  for (const c of shown) {
    if (c.end < view.start) continue;
    if (c.start > end) break;
    const x0 = timeToX(view, c.start);
    ctx.fillRect(x0, WAVE_TOP, timeToX(view, c.end) - x0, WAVE_BOTTOM - WAVE_TOP);
  }

  // Peaks.
  const mid = (WAVE_TOP + WAVE_BOTTOM) / 2;
  const half = (WAVE_BOTTOM - WAVE_TOP) / 2;
  ctx.strokeStyle = p.border;
  ctx.beginPath();
  ctx.moveTo(0, Math.round(mid) + 0.5);
  ctx.lineTo(view.width, Math.round(mid) + 0.5);
  ctx.stroke();
  if (waveform) {
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

  // Words: a bar per word in the band below, with its start and end lines. Labels
  // alternate between two rows, so each may run on to where the word after next
  // begins: short words stay readable without overlapping.
  const bandTop = HEIGHT - WORD_BAND;
  const rowHeight = (WORD_BAND - 4) / 2;
  ctx.textBaseline = 'middle';
  ctx.font = '12px system-ui, sans-serif';
  for (const c of shown) {
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
  const same = (a: Boundary | null, b: Boundary): boolean =>
    !!a && a.captionId === b.captionId && a.wordIndex === b.wordIndex && a.edge === b.edge;
  for (const b of visible) {
    const x = Math.round(timeToX(view, b.time)) + 0.5;
    const strong = same(hover, b) || (drag !== null && same(drag.boundary, b));
    const isSelected = selected?.captionId === b.captionId && selected.wordIndex === b.wordIndex;
    ctx.strokeStyle = p.accent;
    ctx.lineWidth = strong ? 3 : isSelected ? 2 : 1;
    ctx.setLineDash(b.edge === 'end' ? [3, 3] : []);
    ctx.beginPath();
    ctx.moveTo(x, WAVE_TOP);
    ctx.lineTo(x, HEIGHT - 2);
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

  if (drag) {
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

  // Playhead.
  if (playhead >= view.start && playhead <= end) {
    const x = Math.round(timeToX(view, playhead)) + 0.5;
    ctx.strokeStyle = p.playhead;
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.moveTo(x, 0);
    ctx.lineTo(x, HEIGHT);
    ctx.stroke();
  }
}

/**
 * The recording's waveform around the playhead, with each word's start and
 * end. Clicking seeks, dragging a word's edge retimes it (one undo step per
 * drop), dragging elsewhere or the wheel scrolls, Ctrl+wheel zooms.
 */
export function Waveform({ state, captions, video, mediaEnd, selectedWord, onSelectWord, onSeek, onMoveEdge }: Props) {
  const { t } = useI18n();
  const hintId = useId();
  const boxRef = useRef<HTMLDivElement>(null);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const [width, setWidth] = useState(0);
  const [range, setRange] = useState({ start: 0, span: DEFAULT_SPAN });
  const [follow, setFollow] = useState(true);
  const pointer = useRef<Pointer>({ mode: 'none' });
  const hover = useRef<Boundary | null>(null);
  const frame = useRef(0);

  const waveform = state.kind === 'ready' ? state.waveform : null;
  const total = useMemo(() => {
    if (Number.isFinite(mediaEnd)) return mediaEnd;
    const lastCaption = captions.at(-1)?.end ?? 0;
    return Math.max(lastCaption, waveform ? waveformSeconds(waveform) : 0);
  }, [mediaEnd, captions, waveform]);
  const view = useMemo<TimeView>(() => ({ ...range, width }), [range, width]);

  // Everything the drawing reads, in refs, so a frame never waits for React.
  const live = useRef({ view, captions, waveform, selectedWord, total, follow });
  live.current = { view, captions, waveform, selectedWord, total, follow };

  const paint = useCallback(() => {
    cancelAnimationFrame(frame.current);
    frame.current = requestAnimationFrame(() => {
      const canvas = canvasRef.current;
      if (!canvas) return;
      const l = live.current;
      const p = pointer.current;
      draw(canvas, l.view, l.captions, l.waveform, video?.currentTime ?? 0, l.selectedWord, hover.current, p.mode === 'drag' ? p : null);
    });
  }, [video]);

  useEffect(() => {
    paint();
  }, [paint, view, captions, waveform, selectedWord]);

  useEffect(() => {
    const box = boxRef.current;
    if (!box) return;
    let first = true;
    const ro = new ResizeObserver(([entry]) => {
      const w = Math.floor(entry?.contentRect.width ?? 0);
      setWidth(w);
      if (first && w > 0) {
        first = false;
        setRange((r) => ({ ...r, span: defaultSpan(w) }));
      }
    });
    ro.observe(box);
    return () => ro.disconnect();
  }, []);

  // Redraw dark/light changes.
  useEffect(() => {
    const mq = window.matchMedia('(prefers-color-scheme: dark)');
    mq.addEventListener('change', paint);
    return () => mq.removeEventListener('change', paint);
  }, [paint]);

  // Follow playback: every frame while playing, and on each seek.
  useEffect(() => {
    if (!video) return;
    let loop = 0;
    const keepInView = (force: boolean): void => {
      const l = live.current;
      if (!force && !l.follow) return;
      const next = followPlayhead(l.view, video.currentTime, l.total);
      if (next !== l.view) setRange({ start: next.start, span: next.span });
    };
    const tick = (): void => {
      keepInView(false);
      paint();
      if (!video.paused && !video.ended) loop = requestAnimationFrame(tick);
    };
    const onPlay = (): void => {
      setFollow(true);
      live.current.follow = true;
      cancelAnimationFrame(loop);
      loop = requestAnimationFrame(tick);
    };
    const onSeeked = (): void => {
      keepInView(true);
      paint();
    };
    video.addEventListener('play', onPlay);
    video.addEventListener('seeked', onSeeked);
    video.addEventListener('timeupdate', paint);
    video.addEventListener('loadedmetadata', paint);
    if (!video.paused) onPlay();
    return () => {
      cancelAnimationFrame(loop);
      video.removeEventListener('play', onPlay);
      video.removeEventListener('seeked', onSeeked);
      video.removeEventListener('timeupdate', paint);
      video.removeEventListener('loadedmetadata', paint);
    };
  }, [video, paint]);

  const scroll = useCallback((fraction: number) => {
    setFollow(false);
    setRange((r) => {
      const v = scrollBy({ ...r, width: 1 }, fraction, live.current.total);
      return { start: v.start, span: v.span };
    });
  }, []);

  const zoom = useCallback(
    (factor: number, anchor?: number) => {
      setRange((r) => {
        const at = anchor ?? (video && video.currentTime >= r.start && video.currentTime <= r.start + r.span ? video.currentTime : r.start + r.span / 2);
        const v = zoomAround({ ...r, width: 1 }, factor, at, live.current.total);
        return { start: v.start, span: v.span };
      });
    },
    [video],
  );

  // Wheel: horizontal (or Shift) scrolls, Ctrl/⌘ zooms; plain vertical wheel is left to the page.
  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas) return;
    const onWheel = (e: WheelEvent): void => {
      const v = live.current.view;
      if (e.ctrlKey || e.metaKey) {
        e.preventDefault();
        zoom(e.deltaY > 0 ? 1.25 : 0.8, xToTime(v, e.offsetX));
      } else if (e.shiftKey || Math.abs(e.deltaX) > Math.abs(e.deltaY)) {
        e.preventDefault();
        const delta = e.shiftKey && e.deltaX === 0 ? e.deltaY : e.deltaX;
        scroll(delta / Math.max(1, v.width));
      }
    };
    canvas.addEventListener('wheel', onWheel, { passive: false });
    return () => canvas.removeEventListener('wheel', onWheel);
  }, [zoom, scroll]);

  const toPlayhead = (): void => {
    setFollow(true);
    const l = live.current;
    const time = video?.currentTime ?? 0;
    setRange((r) => ({ ...r, start: clampStart(time - r.span * 0.1, r.span, l.total) }));
  };

  const localX = (e: ReactPointerEvent<HTMLCanvasElement>): number => e.clientX - e.currentTarget.getBoundingClientRect().left;
  const grab = (e: ReactPointerEvent<HTMLCanvasElement>): Boundary | null => {
    const v = live.current.view;
    const y = e.clientY - e.currentTarget.getBoundingClientRect().top;
    if (y < WAVE_TOP) return null; // the ruler is for seeking only
    const tolerance = e.pointerType === 'touch' ? GRAB_TOUCH : GRAB_MOUSE;
    const spp = v.span / Math.max(1, v.width);
    const candidates = boundariesInRange(live.current.captions, v.start - tolerance * spp, v.start + v.span + tolerance * spp);
    return hitBoundary(candidates, v, localX(e), tolerance);
  };

  const onPointerDown = (e: ReactPointerEvent<HTMLCanvasElement>): void => {
    if (e.button !== 0) return;
    const hit = grab(e);
    e.currentTarget.setPointerCapture(e.pointerId);
    if (hit) {
      pointer.current = { mode: 'drag', boundary: hit, time: hit.time, id: e.pointerId };
      onSelectWord(hit);
    } else {
      pointer.current = { mode: 'press', x0: localX(e), start0: live.current.view.start, id: e.pointerId };
    }
    paint();
  };

  const onPointerMove = (e: ReactPointerEvent<HTMLCanvasElement>): void => {
    const p = pointer.current;
    const x = localX(e);
    const v = live.current.view;
    if (p.mode === 'drag') {
      const time = clampEdge(live.current.captions, p.boundary, p.boundary.edge, xToTime(v, x), mediaEnd);
      if (time !== null) pointer.current = { ...p, time };
      paint();
    } else if (p.mode === 'press' || p.mode === 'pan') {
      if (p.mode === 'press' && Math.abs(x - p.x0) < PAN_AFTER) return;
      setFollow(false);
      pointer.current = { ...p, mode: 'pan' };
      const start = clampStart(p.start0 - ((x - p.x0) / Math.max(1, v.width)) * v.span, v.span, live.current.total);
      setRange((r) => (r.start === start ? r : { ...r, start }));
    } else {
      const hit = grab(e);
      if (hit !== hover.current) {
        hover.current = hit;
        e.currentTarget.style.cursor = hit ? 'ew-resize' : 'pointer';
        paint();
      }
    }
  };

  const onPointerUp = (e: ReactPointerEvent<HTMLCanvasElement>): void => {
    const p = pointer.current;
    pointer.current = { mode: 'none' };
    if (p.mode === 'drag' && p.time !== p.boundary.time) onMoveEdge(p.boundary, p.boundary.edge, p.time);
    if (p.mode === 'press') {
      const time = Math.max(0, xToTime(live.current.view, localX(e)));
      onSeek(time);
      const word = wordAtTime(live.current.captions, time);
      if (word) onSelectWord(word);
    }
    paint();
  };

  const onPointerCancel = (): void => {
    pointer.current = { mode: 'none' };
    paint();
  };

  // Escape drops a drag without changing anything.
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (e.key === 'Escape' && pointer.current.mode === 'drag') {
        pointer.current = { mode: 'none' };
        paint();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [paint]);

  return (
    <div className="waveform" data-testid="waveform">
      <div className="waveform-tools" role="toolbar" aria-label={t('waveform.tools')}>
        <button type="button" className="btn btn-small" onClick={() => scroll(-0.5)} aria-label={t('waveform.earlier')}>
          ◀
        </button>
        <button type="button" className="btn btn-small" onClick={() => scroll(0.5)} aria-label={t('waveform.later')}>
          ▶
        </button>
        <button type="button" className="btn btn-small" onClick={() => zoom(0.5)} disabled={range.span <= MIN_SPAN} aria-label={t('waveform.zoomIn')}>
          +
        </button>
        <button type="button" className="btn btn-small" onClick={() => zoom(2)} disabled={range.span >= MAX_SPAN} aria-label={t('waveform.zoomOut')}>
          −
        </button>
        <span className="waveform-span">{t('waveform.span', { seconds: Math.round(range.span * 10) / 10 })}</span>
        {!follow && (
          <button type="button" className="btn btn-small" onClick={toPlayhead}>
            {t('waveform.toPlayhead')}
          </button>
        )}
      </div>
      <div className="waveform-box" ref={boxRef}>
        <canvas
          ref={canvasRef}
          className="waveform-canvas"
          style={{ height: HEIGHT }}
          role="img"
          aria-label={t('waveform.label')}
          aria-describedby={hintId}
          onPointerDown={onPointerDown}
          onPointerMove={onPointerMove}
          onPointerUp={onPointerUp}
          onPointerCancel={onPointerCancel}
          onPointerLeave={() => {
            if (hover.current && pointer.current.mode === 'none') {
              hover.current = null;
              paint();
            }
          }}
        />
      </div>
      <p id={hintId} className="hint waveform-hint">
        {state.kind === 'missing'
          ? t('waveform.missing')
          : state.kind === 'error'
            ? t('waveform.failed')
            : state.kind === 'loading'
              ? t('waveform.loading')
              : t('waveform.hint')}
      </p>
    </div>
  );
}
