import { useEffect, type Dispatch, type PointerEvent as ReactPointerEvent, type RefObject, type SetStateAction } from 'react';
import type { Caption } from '@ecg/contracts';
import { boundariesInRange, hitBoundary, wordAtTime, type Boundary, type Edge, type WordRef } from '../lib/waveform-boundaries.js';
import { clampEdge } from '../lib/waveform-drag.js';
import { WAVE_TOP, type DragPreview } from '../lib/waveform-draw.js';
import { clampStart, xToTime, type TimeView } from '../lib/waveform-view.js';
import type { TimeRange } from './useWaveformView.js';

/** A pointer this close (CSS px) to a boundary grabs it; fingers get more room. */
const GRAB_MOUSE = 6;
const GRAB_TOUCH = 14;
/** Movement (CSS px) after which pressing on the waveform pans instead of seeking. */
const PAN_AFTER = 4;

export type Gesture =
  | { mode: 'none' }
  | { mode: 'press'; x0: number; start0: number; id: number }
  | { mode: 'pan'; x0: number; start0: number; id: number }
  | { mode: 'drag'; boundary: Boundary; time: number; id: number };

/** What the pointer is doing and the edge under it: read by the drawing, written by the handlers. */
export interface PointerState {
  gesture: Gesture;
  hover: Boundary | null;
}

export const IDLE_POINTER: PointerState = { gesture: { mode: 'none' }, hover: null };

/** The edge being dragged, for the drawing; null when nothing is. */
export function dragPreview(state: PointerState): DragPreview | null {
  return state.gesture.mode === 'drag' ? state.gesture : null;
}

export interface PointerLive {
  view: TimeView;
  captions: readonly Caption[];
  total: number;
}

interface Options {
  state: RefObject<PointerState>;
  live: RefObject<PointerLive>;
  /** Seconds of media, for clamping the last word; Infinity when unknown. */
  mediaEnd: number;
  paint: () => void;
  setRange: Dispatch<SetStateAction<TimeRange>>;
  setFollow: (follow: boolean) => void;
  onSelectWord: (ref: WordRef) => void;
  onSeek: (time: number) => void;
  onMoveEdge: (ref: WordRef, edge: Edge, time: number) => void;
}

type Handler = (e: ReactPointerEvent<HTMLCanvasElement>) => void;

export interface PointerHandlers {
  onPointerDown: Handler;
  onPointerMove: Handler;
  onPointerUp: Handler;
  onPointerCancel: () => void;
  onPointerLeave: () => void;
}

/**
 * The waveform's pointer: pressing on a word edge and dragging retimes it
 * (one edit on release, none when dropped where it was; Escape cancels),
 * pressing elsewhere seeks on release or pans once moved PAN_AFTER pixels,
 * and hovering an edge highlights it and shows a resize cursor. The ruler
 * only seeks.
 */
export function useWaveformPointer(o: Options): PointerHandlers {
  const { state, live, paint } = o;

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
  const setGesture = (gesture: Gesture): void => {
    state.current = { ...state.current, gesture };
  };

  const onPointerDown: Handler = (e) => {
    if (e.button !== 0) return;
    const hit = grab(e);
    e.currentTarget.setPointerCapture(e.pointerId);
    if (hit) {
      setGesture({ mode: 'drag', boundary: hit, time: hit.time, id: e.pointerId });
      o.onSelectWord(hit);
    } else {
      setGesture({ mode: 'press', x0: localX(e), start0: live.current.view.start, id: e.pointerId });
    }
    paint();
  };

  const onPointerMove: Handler = (e) => {
    const g = state.current.gesture;
    const x = localX(e);
    const v = live.current.view;
    if (g.mode === 'drag') {
      const time = clampEdge(live.current.captions, g.boundary, g.boundary.edge, xToTime(v, x), o.mediaEnd);
      if (time !== null) setGesture({ ...g, time });
      paint();
    } else if (g.mode === 'press' || g.mode === 'pan') {
      if (g.mode === 'press' && Math.abs(x - g.x0) < PAN_AFTER) return;
      o.setFollow(false);
      setGesture({ ...g, mode: 'pan' });
      const start = clampStart(g.start0 - ((x - g.x0) / Math.max(1, v.width)) * v.span, v.span, live.current.total);
      o.setRange((r) => (r.start === start ? r : { ...r, start }));
    } else {
      const hit = grab(e);
      if (hit !== state.current.hover) {
        state.current = { ...state.current, hover: hit };
        e.currentTarget.style.cursor = hit ? 'ew-resize' : 'pointer';
        paint();
      }
    }
  };

  const onPointerUp: Handler = (e) => {
    const g = state.current.gesture;
    setGesture({ mode: 'none' });
    if (g.mode === 'drag' && g.time !== g.boundary.time) o.onMoveEdge(g.boundary, g.boundary.edge, g.time);
    if (g.mode === 'press') {
      const time = Math.max(0, xToTime(live.current.view, localX(e)));
      o.onSeek(time);
      const word = wordAtTime(live.current.captions, time);
      if (word) o.onSelectWord(word);
    }
    paint();
  };

  const onPointerCancel = (): void => {
    setGesture({ mode: 'none' });
    paint();
  };

  const onPointerLeave = (): void => {
    if (state.current.hover && state.current.gesture.mode === 'none') {
      state.current = { ...state.current, hover: null };
      paint();
    }
  };

  // Escape drops a drag without changing anything.
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (e.key === 'Escape' && state.current.gesture.mode === 'drag') {
        state.current = { ...state.current, gesture: { mode: 'none' } };
        paint();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [state, paint]);

  return { onPointerDown, onPointerMove, onPointerUp, onPointerCancel, onPointerLeave };
}
