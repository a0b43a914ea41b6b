import { useCallback, useEffect, useRef, type RefObject } from 'react';
import { drawWaveform, WAVEFORM_HEIGHT, type Palette, type WaveformFrame } from '../lib/waveform-draw.js';

/** The waveform's colours from the page's CSS variables, so dark mode and the theme apply to the canvas too. */
export function readPalette(el: HTMLElement): Palette {
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
    shot: v('--shot', '#b45309'),
  };
}

/**
 * A `paint()` that draws the frame `readFrame` gives at the next animation
 * frame, at most once per frame however often it is called. The canvas is
 * sized to its CSS width times the device pixel ratio, so lines stay sharp.
 * `readFrame` is read when the frame is drawn, not when paint is called: it
 * should read refs, so a frame never waits for React to render.
 */
export function useWaveformPaint(canvasRef: RefObject<HTMLCanvasElement | null>, readFrame: () => WaveformFrame): () => void {
  const frameId = useRef(0);
  const read = useRef(readFrame);
  read.current = readFrame;

  const paint = useCallback(() => {
    cancelAnimationFrame(frameId.current);
    frameId.current = requestAnimationFrame(() => {
      const canvas = canvasRef.current;
      const ctx = canvas?.getContext('2d');
      if (!canvas || !ctx) return;
      const frame = read.current();
      if (frame.view.width <= 0) return;
      const dpr = window.devicePixelRatio || 1;
      const w = Math.round(frame.view.width * dpr);
      const h = Math.round(WAVEFORM_HEIGHT * dpr);
      if (canvas.width !== w || canvas.height !== h) {
        canvas.width = w;
        canvas.height = h;
      }
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      drawWaveform(ctx, frame, readPalette(canvas));
    });
  }, [canvasRef]);

  // Redraw when the colour scheme changes.
  useEffect(() => {
    const mq = window.matchMedia('(prefers-color-scheme: dark)');
    mq.addEventListener('change', paint);
    return () => mq.removeEventListener('change', paint);
  }, [paint]);

  useEffect(() => () => cancelAnimationFrame(frameId.current), []);
  return paint;
}
