import { useEffect, useState } from 'react';

/** The video's length once known (Infinity before), for clamping the last word and scrolling the waveform. */
export function useMediaEnd(el: HTMLVideoElement | null): number {
  const [end, setEnd] = useState(Infinity);
  useEffect(() => {
    if (!el) return;
    const read = (): void => setEnd(Number.isFinite(el.duration) && el.duration > 0 ? el.duration : Infinity);
    read();
    el.addEventListener('durationchange', read);
    el.addEventListener('loadedmetadata', read);
    return () => {
      el.removeEventListener('durationchange', read);
      el.removeEventListener('loadedmetadata', read);
    };
  }, [el]);
  return end;
}
