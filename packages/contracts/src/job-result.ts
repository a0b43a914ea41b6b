import { z } from 'zod';
import { ErrorCode } from './errors.js';
import { JobStage, Progress } from './jobs.js';
import { TranscriptResult } from './result.js';

export const JobIdParams = z.object({ jobId: z.string() }).meta({ id: 'JobIdParams' });

/** `GET /api/upload-video/result/{jobId}`: 200 when completed. */
export const JobCompletedResponse = z
  .object({
    job_id: z.string(),
    status: z.literal('completed'),
    result: TranscriptResult,
  })
  .meta({ id: 'JobCompletedResponse' });

/** 202 while queued or processing. */
export const JobPendingResponse = z
  .object({
    job_id: z.string(),
    status: z.enum(['queued', 'processing']),
    progress: Progress,
    stage: JobStage.optional(),
    message: z.string().optional(),
  })
  .meta({ id: 'JobPendingResponse' });

/** 200 with status failed: the job ended; `error` says why and what to do. */
export const JobFailedResponse = z
  .object({
    job_id: z.string(),
    status: z.literal('failed'),
    error: z.object({ code: ErrorCode, message: z.string() }),
  })
  .meta({ id: 'JobFailedResponse' });

export const JobResultResponse = z.union([JobCompletedResponse, JobPendingResponse, JobFailedResponse]);
export type JobResultResponse = z.infer<typeof JobResultResponse>;
