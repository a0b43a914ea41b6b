import { useEffect, type Dispatch, type RefObject, type SetStateAction } from 'react';
import { followPlayhead, type TimeView } from '../lib/waveform-view.js';
import type { TimeRange } from './useWaveformView.js';

export interface FollowState {
  view: TimeView;
  total: number;
  follow: boolean;
}

/**
 * Keeps the playhead in the waveform's window: every frame while the video
 * plays (turning the window like a page, see followPlayhead) unless the
 * person scrolled away, and on every seek whatever they did. Starting
 * playback follows again. Each frame also repaints, so the playhead moves.
 */
export function useFollowPlayhead(
  video: HTMLVideoElement | null,
  live: RefObject<FollowState>,
  setRange: Dispatch<SetStateAction<TimeRange>>,
  setFollow: (follow: boolean) => void,
  paint: () => void,
): void {
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
      // Now, not at the next render: the first frames of playback already follow.
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
  }, [video, live, setRange, setFollow, paint]);
}
