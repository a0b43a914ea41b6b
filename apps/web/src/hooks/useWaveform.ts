import { useEffect, useState } from 'react';
import type { WaveformJson } from '@ecg/contracts';
import { getWaveform } from '../api/backend.js';
import { asApiError, type ClientErrorCode } from '../api/http.js';

export type WaveformState =
  | { kind: 'loading' }
  | { kind: 'ready'; waveform: WaveformJson }
  | { kind: 'missing' }
  | { kind: 'error'; code: ClientErrorCode };

/** The job's waveform; `missing` when the server has none for it (404), which is normal for older jobs. */
export function useWaveform(jobId: string): WaveformState {
  const [state, setState] = useState<WaveformState>({ kind: 'loading' });
  useEffect(() => {
    const abort = new AbortController();
    setState({ kind: 'loading' });
    getWaveform(jobId, abort.signal)
      .then((waveform) => setState({ kind: 'ready', waveform }))
      .catch((err: unknown) => {
        if (abort.signal.aborted) return;
        const e = asApiError(err);
        setState(e.code === 'NOT_FOUND' || e.code === 'JOB_NOT_FOUND' ? { kind: 'missing' } : { kind: 'error', code: e.code });
      });
    return () => abort.abort();
  }, [jobId]);
  return state;
}
