import { useEffect, useState } from 'react';
import { toVtt } from '@ecg/captions';
import type { Caption } from '@ecg/contracts';

/** Rebuilding the track on every keystroke would reload it as often; this waits for a pause in editing. */
const TRACK_REBUILD_MS = 300;

/** A Blob URL of the captions as WebVTT for the player, rebuilt shortly after edits stop; the old one is revoked. */
export function useVttUrl(captions: readonly Caption[]): string | null {
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    const timer = setTimeout(() => {
      setUrl(URL.createObjectURL(new Blob([toVtt(captions)], { type: 'text/vtt' })));
    }, TRACK_REBUILD_MS);
    return () => clearTimeout(timer);
  }, [captions]);
  useEffect(
    () => () => {
      if (url) URL.revokeObjectURL(url);
    },
    [url],
  );
  return url;
}
