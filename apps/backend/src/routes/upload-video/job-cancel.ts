import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ErrorBody, JobIdParams, JobSummary } from '@ecg/contracts';
import { z } from 'zod';
import { requireJob } from '../../captions/job-access.js';
import { requireUser } from '../../auth/principal.js';
import type { JobRepository } from '../../jobs/job-repository.js';
import type { CancelOnMl } from '../../jobs/ml-cancel.js';
import { summarizeJobs, type SummaryDeps } from '../../jobs/job-summary.js';
import { API_ROUTE_CONFIG } from '../api-route.js';

export interface JobCancelOptions extends SummaryDeps {
  jobs: Pick<JobRepository, 'getOwned' | 'fail'>;
  cancelOnMl: CancelOnMl;
}

export const CANCELLED_MESSAGE = 'Cancelled by its owner.';

/**
 * `POST /api/upload-video/jobs/:jobId/cancel`: stops a queued or running job.
 * The job ends first, in the database (failed, CANCELLED, its webhook queued),
 * so no dispatcher sends it again and every reader sees it stopped at once;
 * then the ML service is told to kill whisper-cli and drop the job's files.
 * If the ML service cannot be reached, the job stays cancelled here and any
 * result it still delivers is refused (a finished job never changes again).
 * A job that already ended is answered as it is: cancelling is idempotent.
 */
export const jobCancelRoute: FastifyPluginAsyncZod<JobCancelOptions> = async (app, opts) => {
  app.post(
    '/jobs/:jobId/cancel',
    {
      config: API_ROUTE_CONFIG,
      schema: {
        summary: 'Cancel a queued or running job (it ends failed with CANCELLED)',
        description: 'Answers the job as it is now; a job that already ended is left as it was. 404 for an unknown job or another user’s.',
        tags: ['upload-video'],
        // A copy without the registry id: @fastify/swagger cannot resolve a $ref for path params.
        params: z.object(JobIdParams.shape),
        response: { 200: JobSummary, 404: ErrorBody, 429: ErrorBody },
      },
    },
    async (request, reply) => {
      const owner = requireUser(request).userId;
      const job = await requireJob(opts.jobs, request.params.jobId, owner);
      const ended = await opts.jobs.fail(job.id, 'CANCELLED', CANCELLED_MESSAGE);
      if (ended) {
        request.log.info({ jobId: job.id, was: job.status }, 'job cancelled');
        // Queued ones too: the dispatcher may be handing it over this very moment (404 there is fine).
        await opts
          .cancelOnMl(job.id)
          .catch((err: unknown) => request.log.warn({ jobId: job.id, err }, 'the ML service could not be told to stop the job; its result will be refused'));
      }
      const [summary] = await summarizeJobs(opts, [ended ?? job]);
      reply.header('cache-control', 'no-store');
      return summary!;
    },
  );
};
