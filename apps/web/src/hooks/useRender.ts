import { useCallback, useEffect, useRef, useState } from 'react';
import type { RenderJob } from '@ecg/contracts';
import { getRender, startRender } from '../api/backend.js';
import { asApiError, type ClientErrorCode } from '../api/http.js';
import { browserStore } from '../lib/local-store.js';
import { forgetRender, rememberedRender, rememberRender } from '../lib/render-memory.js';

const POLL_MS = 1000;
/** Failed polls in a row before the panel says the server is out of reach (it keeps trying). */
const LOST_AFTER = 3;

export type RenderState =
  | { kind: 'idle' }
  /** A remembered render is being looked up after a reload. */
  | { kind: 'checking' }
  | { kind: 'saving' }
  /** Pending edits could not be saved, so no render was started. */
  | { kind: 'unsaved' }
  | { kind: 'starting' }
  | { kind: 'running'; job: RenderJob; connectionLost: boolean }
  | { kind: 'completed'; job: RenderJob }
  | { kind: 'failed'; code: ClientErrorCode; message: string };

function settle(job: RenderJob): RenderState {
  if (job.status === 'completed') return { kind: 'completed', job };
  if (job.status === 'failed') {
    return { kind: 'failed', code: job.error?.code ?? 'INTERNAL_ERROR', message: job.error?.message ?? '' };
  }
  return { kind: 'running', job, connectionLost: false };
}

/**
 * A burned-in caption render of one job: starts it (after saving pending
 * edits, so the video shows what is on screen), polls it about once a second,
 * and remembers its id in this browser, so a reload resumes the same render.
 */
export function useRender(jobId: string, flush: () => Promise<boolean>) {
  const [renderId, setRenderId] = useState<string | null>(() => rememberedRender(browserStore(), jobId));
  const [state, setState] = useState<RenderState>(() => (renderId ? { kind: 'checking' } : { kind: 'idle' }));
  const misses = useRef(0);

  useEffect(() => {
    setRenderId(rememberedRender(browserStore(), jobId));
  }, [jobId]);

  useEffect(() => {
    if (!renderId) return;
    const abort = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async (): Promise<void> => {
      try {
        const job = await getRender(jobId, renderId, abort.signal);
        misses.current = 0;
        const next = settle(job);
        setState(next);
        if (next.kind === 'running') timer = setTimeout(() => void poll(), POLL_MS);
      } catch (err) {
        if (abort.signal.aborted) return;
        const e = asApiError(err);
        if (e.code === 'NOT_FOUND') {
          // The server no longer knows this render (cleaned up, or another server): start over.
          forgetRender(browserStore(), jobId);
          setState({ kind: 'idle' });
          return;
        }
        misses.current++;
        setState((s) => (s.kind === 'running' ? { ...s, connectionLost: misses.current >= LOST_AFTER } : s));
        timer = setTimeout(() => void poll(), POLL_MS);
      }
    };
    void poll();
    return () => {
      abort.abort();
      clearTimeout(timer);
    };
  }, [jobId, renderId]);

  const start = useCallback(
    async (expressive: boolean, strength: number): Promise<void> => {
      setState({ kind: 'saving' });
      if (!(await flush())) {
        setState({ kind: 'unsaved' });
        return;
      }
      setState({ kind: 'starting' });
      try {
        const job = await startRender(jobId, { expressive, strength });
        rememberRender(browserStore(), jobId, job.render_id);
        setState(settle(job));
        setRenderId(job.render_id);
      } catch (err) {
        const e = asApiError(err);
        setState({ kind: 'failed', code: e.code, message: e.message });
      }
    },
    [flush, jobId],
  );

  return { state, start };
}
