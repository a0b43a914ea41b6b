import { useEffect, useState } from 'react';

/** Whether `el` itself is fullscreen: the overlay is not shown there, so the native captions come back. */
export function useIsFullscreen(el: HTMLElement | null): boolean {
  const [full, setFull] = useState(false);
  useEffect(() => {
    const read = (): void => setFull(el !== null && document.fullscreenElement === el);
    read();
    document.addEventListener('fullscreenchange', read);
    return () => document.removeEventListener('fullscreenchange', read);
  }, [el]);
  return full;
}
