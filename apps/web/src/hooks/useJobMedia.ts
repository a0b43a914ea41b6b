import { useEffect, useState } from 'react';
import { getMedia } from '../api/backend.js';

export type JobMedia = { kind: 'loading' } | { kind: 'ready'; url: string; fileName: string | null } | { kind: 'none'; fileName: string | null };

/** Where the job's video plays from; `none` when the server cannot give it (the captions still load). */
export function useJobMedia(jobId: string): JobMedia {
  const [media, setMedia] = useState<JobMedia>({ kind: 'loading' });
  useEffect(() => {
    let live = true;
    getMedia(jobId)
      .then((m) => live && setMedia({ kind: 'ready', url: m.url, fileName: m.file_name ?? null }))
      .catch(() => live && setMedia({ kind: 'none', fileName: null }));
    return () => {
      live = false;
    };
  }, [jobId]);
  return media;
}
