import { useCallback, useEffect, useRef, useState } from 'react';
import type { JobSummary, MlStatusResponse, TranscriptResult } from '@ecg/contracts';
import { getClientConfig, getResult, getStatus } from '../api/backend.js';
import { ApiError, asApiError, type ClientErrorCode } from '../api/http.js';
import { outcomeOfCancel } from '../lib/job-cancel.js';

export type JobLifecycle =
  | { phase: 'loading'; connectionLost: boolean }
  | { phase: 'processing'; status: MlStatusResponse | null; connectionLost: boolean }
  | { phase: 'completed'; result: TranscriptResult }
  /** `message`: the server's words; '' when only the code is known (a cancel's answer carries none). */
  | { phase: 'failed'; code: ClientErrorCode; message: string }
  | { phase: 'not_found' };

export type JobLifecycleHandle = JobLifecycle & {
  /** Takes the backend's answer to a cancel: polling stops and the page shows the job's end at once. */
  cancelled: (summary: JobSummary) => void;
};

const POLL_MS = 1000;
const RETRY_MS = 2000;
// After this many failed polls in a row the page says the connection is lost
// (one miss is normal on a busy server and would only make the page flicker).
const LOST_AFTER = 3;

const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => { clearTimeout(timer); resolve(); }, { once: true });
  });

/**
 * Follows a job from any state to its end. The backend's result endpoint
 * says whether the job is already finished (a reload or shared link); while
 * it runs, status is polled about once a second from the ML service's public
 * URL, or from the backend's same path when there is none or it stops
 * answering. A "completed" status is confirmed by the backend before the
 * result is shown, since delivery to the backend can lag a moment.
 */
export function useJobLifecycle(jobId: string): JobLifecycleHandle {
  const [state, setRawState] = useState<JobLifecycle>({ phase: 'loading', connectionLost: false });
  // Bumped to follow the job again from a result check (after a cancel that did not end it failed).
  const [round, setRound] = useState(0);
  const followed = useRef<string | null>(null);
  const stopFollowing = useRef<() => void>(() => undefined);

  useEffect(() => {
    const ctrl = new AbortController();
    const { signal } = ctrl;
    stopFollowing.current = () => ctrl.abort();
    // A poll answered just before the abort must not overwrite what the cancel set.
    const setState: typeof setRawState = (next) => {
      if (!signal.aborted) setRawState(next);
    };
    if (followed.current !== jobId) {
      followed.current = jobId;
      setState({ phase: 'loading', connectionLost: false });
    }

    async function run(): Promise<void> {
      let failures = 0;
      let lastStatus: MlStatusResponse | null = null;
      const config = await getClientConfig();
      let base = config.ml_public_url ?? '';

      /** true when the job ended (state set), false while it still runs. */
      const checkResult = async (): Promise<boolean> => {
        const r = await getResult(jobId, signal);
        if (r.status === 'completed') {
          setState({ phase: 'completed', result: r.result });
          return true;
        }
        if (r.status === 'failed') {
          setState({ phase: 'failed', code: r.error.code, message: r.error.message });
          return true;
        }
        return false;
      };

      let needResultCheck = true;
      while (!signal.aborted) {
        try {
          if (needResultCheck) {
            if (await checkResult()) return;
            needResultCheck = false;
            failures = 0;
            setState({ phase: 'processing', status: lastStatus, connectionLost: false });
          }
          const status = await getStatus(base, jobId, signal);
          failures = 0;
          lastStatus = status;
          if (status.status === 'failed') {
            setState({
              phase: 'failed',
              code: status.error_code ?? 'INTERNAL_ERROR',
              message: status.error_message ?? status.message,
            });
            return;
          }
          setState({ phase: 'processing', status, connectionLost: false });
          if (status.status === 'completed') needResultCheck = true;
          await sleep(POLL_MS, signal);
        } catch (err) {
          if (signal.aborted) return;
          const e = asApiError(err);
          if (e.code === 'JOB_NOT_FOUND' && (needResultCheck || base === '')) {
            setState({ phase: 'not_found' });
            return;
          }
          if (base !== '' && !needResultCheck) {
            // The ML service is unreachable from this browser (CORS, network,
            // restarted without the job): the backend answers the same shape.
            base = '';
            continue;
          }
          failures++;
          const lost = failures >= LOST_AFTER;
          setState((s) =>
            s.phase === 'processing' ? { ...s, connectionLost: lost } : s.phase === 'loading' ? { phase: 'loading', connectionLost: lost } : s,
          );
          if (e instanceof ApiError && e.code === 'BAD_RESPONSE' && failures > 30) {
            setState({ phase: 'failed', code: e.code, message: e.message });
            return;
          }
          await sleep(RETRY_MS, signal);
        }
      }
    }

    run().catch((err: unknown) => {
      if (!signal.aborted) {
        const e = asApiError(err);
        setState({ phase: 'failed', code: e.code, message: e.message });
      }
    });
    return () => ctrl.abort();
  }, [jobId, round]);

  const cancelled = useCallback((summary: JobSummary) => {
    stopFollowing.current();
    const outcome = outcomeOfCancel(summary);
    if (outcome.kind === 'failed') setRawState({ phase: 'failed', code: outcome.code, message: '' });
    else setRound((n) => n + 1);
  }, []);

  return { ...state, cancelled };
}
