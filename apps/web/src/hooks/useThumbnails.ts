import { useEffect, useState } from 'react';
import type { ThumbnailsResponse } from '@ecg/contracts';
import { getThumbnails } from '../api/backend.js';

/**
 * The job's shot thumbnails, or null while loading and whenever there are
 * none: audio-only media, a video analysed before thumbnails were kept, or a
 * failed load. The strip is a help for finding one's place, not something
 * to report an error about; the waveform works the same without it.
 */
export function useThumbnails(jobId: string): ThumbnailsResponse | null {
  const [sprite, setSprite] = useState<ThumbnailsResponse | null>(null);
  useEffect(() => {
    const abort = new AbortController();
    setSprite(null);
    getThumbnails(jobId, abort.signal)
      .then((s) => {
        if (!abort.signal.aborted) setSprite(s);
      })
      .catch(() => undefined); // none, as above
    return () => abort.abort();
  }, [jobId]);
  return sprite;
}
