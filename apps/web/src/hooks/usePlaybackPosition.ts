import { useEffect, useState } from 'react';
import { captionIndexAt, wordAt } from '@ecg/captions';
import type { Caption } from '@ecg/contracts';

export interface PlaybackPosition {
  captionIndex: number;
  wordIndex: number;
}

/**
 * Which caption and word the video is at. Read every animation frame while
 * playing (timeupdate fires only ~4 times a second, too coarse for words),
 * but state changes only when the caption or word changes, so the list does
 * not re-render sixty times a second.
 */
export function usePlaybackPosition(el: HTMLVideoElement | null, captions: readonly Caption[]): PlaybackPosition {
  const [pos, setPos] = useState<PlaybackPosition>({ captionIndex: -1, wordIndex: -1 });
  useEffect(() => {
    if (!el) return;
    let frame = 0;
    const read = (): void => {
      const t = el.currentTime;
      const captionIndex = captionIndexAt(captions, t);
      const wordIndex = captionIndex >= 0 ? wordAt(captions[captionIndex]!.words, t) : -1;
      setPos((p) => (p.captionIndex === captionIndex && p.wordIndex === wordIndex ? p : { captionIndex, wordIndex }));
    };
    const loop = (): void => {
      read();
      if (!el.paused && !el.ended) frame = requestAnimationFrame(loop);
    };
    const onPlay = (): void => {
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(loop);
    };
    read();
    el.addEventListener('play', onPlay);
    el.addEventListener('seeked', read);
    el.addEventListener('timeupdate', read);
    if (!el.paused) onPlay();
    return () => {
      cancelAnimationFrame(frame);
      el.removeEventListener('play', onPlay);
      el.removeEventListener('seeked', read);
      el.removeEventListener('timeupdate', read);
    };
  }, [el, captions]);
  return pos;
}
