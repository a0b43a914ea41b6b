import { useCallback, useEffect, useMemo, useRef, useState, type Dispatch, type RefObject, type SetStateAction } from 'react';
import { clampStart, DEFAULT_SPAN, defaultSpan, scrollBy, xToTime, zoomAround, type TimeView } from '../lib/waveform-view.js';

/** The window's start and length; its width comes from the element. */
export interface TimeRange {
  start: number;
  span: number;
}

export interface WaveformViewState {
  view: TimeView;
  range: TimeRange;
  setRange: Dispatch<SetStateAction<TimeRange>>;
  /** Whether the window follows the playhead; scrolling by hand stops that until playback starts again. */
  follow: boolean;
  setFollow: (follow: boolean) => void;
  /** Scrolls by a fraction of the window (negative is earlier) and stops following. */
  scroll: (fraction: number) => void;
  /** Zooms by `factor` (below 1 zooms in) around `anchor`, else the playhead when in view, else the middle. */
  zoom: (factor: number, anchor?: number) => void;
  /** Brings the playhead back into view and follows it again. */
  toPlayhead: () => void;
}

/**
 * The time window the waveform shows: as wide as `boxRef`'s element (watched
 * by a ResizeObserver, the first width choosing the first length), scrolled
 * and zoomed by the buttons and by the wheel on `canvasRef` (horizontal or
 * Shift scrolls, Ctrl/⌘ zooms; a plain vertical wheel is left to the page).
 * `total` is the recording's length, which the window stays inside.
 */
export function useWaveformView(
  boxRef: RefObject<HTMLElement | null>,
  canvasRef: RefObject<HTMLElement | null>,
  video: HTMLVideoElement | null,
  total: number,
): WaveformViewState {
  const [width, setWidth] = useState(0);
  const [range, setRange] = useState<TimeRange>({ start: 0, span: DEFAULT_SPAN });
  const [follow, setFollow] = useState(true);
  const view = useMemo<TimeView>(() => ({ ...range, width }), [range, width]);
  const live = useRef({ view, total });
  live.current = { view, total };

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
  }, [boxRef]);

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

  const toPlayhead = useCallback(() => {
    setFollow(true);
    const time = video?.currentTime ?? 0;
    setRange((r) => ({ ...r, start: clampStart(time - r.span * 0.1, r.span, live.current.total) }));
  }, [video]);

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
  }, [canvasRef, zoom, scroll]);

  return { view, range, setRange, follow, setFollow, scroll, zoom, toPlayhead };
}
