/**
 * Asks the ML service to stop a job: `DELETE /api/upload-video/jobs/:job_id`
 * with the shared ML_API_TOKEN, as the dispatcher's own calls. 200 (cancelled,
 * or already finished there) and 404 (the ML service never had it or forgot
 * it) both mean nothing runs for the job any more; anything else, or no
 * answer, throws, and the caller tries again later.
 */
export type CancelOnMl = (jobId: string) => Promise<'cancelled' | 'unknown'>;

export function createMlCanceller(opts: {
  mlUrl: string;
  mlApiToken: string;
  fetch?: typeof fetch;
  /** The dispatcher's default per-call limit. */
  timeoutMs?: number;
}): CancelOnMl {
  const doFetch = opts.fetch ?? fetch;
  const timeoutMs = opts.timeoutMs ?? 15_000;
  return async (jobId) => {
    const res = await doFetch(`${opts.mlUrl}/api/upload-video/jobs/${encodeURIComponent(jobId)}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${opts.mlApiToken}` },
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text().catch(() => '');
    if (res.ok) return 'cancelled';
    if (res.status === 404) return 'unknown';
    throw new Error(`the ML service answered the cancel with HTTP ${res.status} ${text.slice(0, 200)}`);
  };
}
