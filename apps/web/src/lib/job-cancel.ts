import type { ErrorCode, JobStatus, JobSummary } from '@ecg/contracts';

/** Only a job that has not ended can be cancelled; the backend answers an ended one unchanged. */
export function isCancellable(status: JobStatus | undefined): boolean {
  return status === 'queued' || status === 'processing';
}

/**
 * What the job page does with the backend's answer to a cancel. A failed job
 * is shown failed at once with the code it ended with (CANCELLED, or the
 * failure that came first), so no status poll is needed to notice it. One
 * that completed before the cancel arrived, or (never expected) still runs,
 * is read again from the backend, which shows the editor or follows it on.
 */
export type CancelOutcome = { kind: 'failed'; code: ErrorCode } | { kind: 'recheck' };

export function outcomeOfCancel(summary: Pick<JobSummary, 'status' | 'error_code'>): CancelOutcome {
  if (summary.status === 'failed') return { kind: 'failed', code: summary.error_code ?? 'INTERNAL_ERROR' };
  return { kind: 'recheck' };
}

/** The recent list's badge: a cancelled job reads "Cancelled", not "Failed". */
export function statusBadgeKey(
  status: JobStatus,
  errorCode: string | undefined,
): 'status.queued' | 'status.processing' | 'status.completed' | 'status.failed' | 'status.cancelled' {
  return status === 'failed' && errorCode === 'CANCELLED' ? 'status.cancelled' : `status.${status}`;
}

/** The failure view's heading: a cancel is something the person did, not a failure of the service. */
export function failedTitleKey(code: string): 'job.cancelledTitle' | 'job.failedTitle' {
  return code === 'CANCELLED' ? 'job.cancelledTitle' : 'job.failedTitle';
}
