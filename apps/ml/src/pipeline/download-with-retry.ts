import { setTimeout as sleep } from 'node:timers/promises';
import { ServiceError } from '@ecg/service-kit';
import { backoffDelayMs } from '@ecg/service-kit';
import { transientDownloadFailure } from './download-failure.js';
import { downloadToFile, type DownloadOptions, type DownloadResult } from './download.js';

/** A failed attempt that will be tried again. */
export interface DownloadRetry {
  /** The attempt that failed (1 = the first). */
  attempt: number;
  /** Why, in a word: "ECONNREFUSED", "HTTP 503". */
  reason: string;
  /** How long until the next attempt. */
  delayMs: number;
}

export interface RetryingDownloadOptions extends DownloadOptions {
  /** How long transient failures are retried, counted from the first one (DOWNLOAD_RETRY_SECONDS); 0 never retries. */
  retryForMs: number;
  onRetry?: (retry: DownloadRetry) => void;
  /** Delay after failed attempt n; tests shorten it. */
  backoff?: (attempt: number) => number;
}

/**
 * Half a second doubling to 10 s (with jitter): a backend restarting under
 * `npm start` listens again within seconds and is found within a second of
 * it, and storage that is down for minutes is asked only every 10 s.
 */
const defaultBackoff = (attempt: number) => backoffDelayMs(attempt, { baseMs: 500, maxMs: 10_000 });

/**
 * downloadToFile, with the failures that mean "storage is not there right
 * now" (a backend restarting, a proxy without its upstream: see
 * transientDownloadFailure) retried with backoff for `retryForMs`, so a job
 * resumed a moment before the backend listens waits for it instead of
 * failing. Anything else fails at once. Each attempt starts from an empty file
 * (downloadToFile removes a partial one) and has the whole `timeoutMs`. A
 * cancel (`signal`) ends a wait at once and rejects with the signal's reason.
 */
export async function downloadWithRetry(opts: RetryingDownloadOptions): Promise<DownloadResult> {
  const backoff = opts.backoff ?? defaultBackoff;
  let firstFailureAt: number | null = null;
  for (let attempt = 1; ; attempt++) {
    try {
      return await downloadToFile(opts);
    } catch (err) {
      const reason = transientDownloadFailure(err);
      if (reason === null || opts.signal?.aborted) throw err;
      const now = Date.now();
      firstFailureAt ??= now;
      const left = firstFailureAt + opts.retryForMs - now;
      if (left <= 0) {
        if (opts.retryForMs <= 0) throw err;
        const seconds = Math.round((now - firstFailureAt) / 1000);
        throw new ServiceError(
          'DOWNLOAD_ERROR',
          `could not download the video: storage was unreachable; retried for ${seconds} s (${attempt} attempts, DOWNLOAD_RETRY_SECONDS), last failure: ${reason}`,
          { details: (err as ServiceError).details },
        );
      }
      // The last wait is cut to the deadline, so one attempt is always made at the end of the period.
      const delayMs = Math.max(0, Math.min(backoff(attempt), left));
      opts.onRetry?.({ attempt, reason, delayMs });
      try {
        await sleep(delayMs, undefined, { signal: opts.signal });
      } catch (waitErr) {
        if (opts.signal?.aborted) throw opts.signal.reason;
        throw waitErr;
      }
    }
  }
}
