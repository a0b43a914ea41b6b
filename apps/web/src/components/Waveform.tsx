import { useEffect, useId, useMemo, useRef } from 'react';
import type { Caption, ThumbnailsResponse } from '@ecg/contracts';
import { useFollowPlayhead } from '../hooks/useFollowPlayhead.js';
import type { WaveformState } from '../hooks/useWaveform.js';
import { useWaveformPaint } from '../hooks/useWaveformPaint.js';
import { dragPreview, IDLE_POINTER, useWaveformPointer, type PointerState } from '../hooks/useWaveformPointer.js';
import { useWaveformView } from '../hooks/useWaveformView.js';
import { useI18n } from '../i18n/i18n.js';
import type { Edge, WordRef } from '../lib/waveform-boundaries.js';
import { WAVEFORM_HEIGHT } from '../lib/waveform-draw.js';
import { waveformSeconds } from '../lib/waveform-peaks.js';
import { MAX_SPAN, MIN_SPAN } from '../lib/waveform-view.js';
import { ThumbnailStrip } from './ThumbnailStrip.js';

interface Props {
  state: WaveformState;
  captions: readonly Caption[];
  video: HTMLVideoElement | null;
  /** Seconds of media, for clamping the last word and the scroll range; Infinity when unknown. */
  mediaEnd: number;
  /** Shot-change times (s, ascending) from the video analysis; empty for audio or older jobs. */
  shotChanges: readonly number[];
  /** One thumbnail per shot, drawn above the waveform; null when there are none. */
  thumbnails: ThumbnailsResponse | null;
  selectedWord: WordRef | null;
  onSelectWord: (ref: WordRef) => void;
  onSeek: (time: number) => void;
  onMoveEdge: (ref: WordRef, edge: Edge, time: number) => void;
}

/**
 * The recording's waveform around the playhead, with each word's start and
 * end, the shot changes, and a thumbnail of each shot above it. Clicking
 * seeks, dragging a word's edge retimes it (one undo step per drop),
 * dragging elsewhere or the wheel scrolls, Ctrl+wheel zooms. The drawing is
 * lib/waveform-draw.ts; the window, the pointer and following playback are
 * hooks of their own.
 */
export function Waveform(props: Props) {
  const { state, captions, video, mediaEnd, shotChanges, thumbnails, selectedWord } = props;
  const { t } = useI18n();
  const hintId = useId();
  const boxRef = useRef<HTMLDivElement>(null);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const pointer = useRef<PointerState>(IDLE_POINTER);

  const waveform = state.kind === 'ready' ? state.waveform : null;
  const total = useMemo(() => {
    if (Number.isFinite(mediaEnd)) return mediaEnd;
    const lastCaption = captions.at(-1)?.end ?? 0;
    return Math.max(lastCaption, waveform ? waveformSeconds(waveform) : 0);
  }, [mediaEnd, captions, waveform]);
  const { view, range, setRange, follow, setFollow, scroll, zoom, toPlayhead } = useWaveformView(boxRef, canvasRef, video, total);

  // Everything the drawing and the handlers read, in a ref, so a frame never waits for React.
  const live = useRef({ view, captions, waveform, selectedWord, total, follow, shotChanges });
  live.current = { view, captions, waveform, selectedWord, total, follow, shotChanges };

  const paint = useWaveformPaint(canvasRef, () => {
    const l = live.current;
    return {
      view: l.view,
      captions: l.captions,
      waveform: l.waveform,
      playhead: video?.currentTime ?? 0,
      selected: l.selectedWord,
      hover: pointer.current.hover,
      drag: dragPreview(pointer.current),
      shotChanges: l.shotChanges,
    };
  });

  // The frame callback reads the video too: a new element needs a new frame.
  useEffect(() => {
    paint();
  }, [paint, view, captions, waveform, selectedWord, shotChanges, video]);
  useFollowPlayhead(video, live, setRange, setFollow, paint);
  const handlers = useWaveformPointer({
    state: pointer,
    live,
    mediaEnd,
    paint,
    setRange,
    setFollow,
    onSelectWord: props.onSelectWord,
    onSeek: props.onSeek,
    onMoveEdge: props.onMoveEdge,
  });

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
        {shotChanges.length > 0 && (
          <span className="waveform-legend" data-testid="shot-legend">
            <span className="legend-shot" aria-hidden="true" />
            {shotChanges.length === 1 ? t('waveform.shotLegendOne') : t('waveform.shotLegend', { count: shotChanges.length })}
          </span>
        )}
        {!follow && (
          <button type="button" className="btn btn-small" onClick={toPlayhead}>
            {t('waveform.toPlayhead')}
          </button>
        )}
      </div>
      <div className="waveform-box" ref={boxRef}>
        {thumbnails && <ThumbnailStrip sprite={thumbnails} view={view} total={total} onSeek={props.onSeek} />}
        <canvas
          ref={canvasRef}
          className="waveform-canvas"
          style={{ height: WAVEFORM_HEIGHT }}
          role="img"
          aria-label={shotChanges.length > 0 ? t('waveform.labelShots') : t('waveform.label')}
          aria-describedby={hintId}
          {...handlers}
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
