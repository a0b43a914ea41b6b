import type { JobResultResponse, MlStatusResponse } from '@ecg/contracts';
import type { Job, JobStatusFields } from './job-repository.js';

/**
 * `GET /api/upload-video/result/:jobId`: 200 with the result, 200 with the
 * failure, or 202 while the job is still queued or processing.
 */
export function resultView(job: Job): { httpStatus: 200 | 202; body: JobResultResponse } {
  if (job.status === 'completed' && job.result) {
    return { httpStatus: 200, body: { job_id: job.id, status: 'completed', result: job.result } };
  }
  if (job.status === 'failed' || job.status === 'completed') {
    // A completed row without a result cannot be produced by the repository; answer it as a failure rather than 500.
    return {
      httpStatus: 200,
      body: {
        job_id: job.id,
        status: 'failed',
        error: {
          code: job.errorCode ?? 'INTERNAL_ERROR',
          message: job.errorMessage ?? job.message ?? 'the job failed',
        },
      },
    };
  }
  return {
    httpStatus: 202,
    body: {
      job_id: job.id,
      status: job.status,
      progress: job.progress,
      stage: job.stage,
      ...(job.message ? { message: job.message } : {}),
    },
  };
}

/** The ML service's status shape, answered from the backend's own record. */
export function statusView(job: JobStatusFields): MlStatusResponse {
  return {
    job_id: job.id,
    status: job.status,
    progress: job.progress,
    stage: job.stage,
    message: job.message ?? defaultMessage(job),
    // The backend does not know the ML service's pace; the ML service's own status has the estimate.
    eta_seconds: null,
    ...(job.errorCode ? { error_code: job.errorCode } : {}),
    ...(job.errorMessage ? { error_message: job.errorMessage } : {}),
  };
}

function defaultMessage(job: Pick<Job, 'status'>): string {
  switch (job.status) {
    case 'queued':
      return 'Waiting for the transcription service.';
    case 'processing':
      return 'Transcribing.';
    case 'completed':
      return 'Transcription completed.';
    case 'failed':
      return 'The job failed.';
  }
}
