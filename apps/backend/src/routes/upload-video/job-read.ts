import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ErrorBody, JobIdParams, JobSummary } from '@ecg/contracts';
import { z } from 'zod';
import { requireJob } from '../../captions/job-access.js';
import type { JobRepository } from '../../jobs/job-repository.js';
import { summarizeJobs, type SummaryDeps } from '../../jobs/job-summary.js';
import { API_ROUTE_CONFIG } from '../api-route.js';
import { requireUser } from '../../auth/principal.js';

export interface JobReadOptions extends SummaryDeps {
  jobs: Pick<JobRepository, 'getOwned'>;
}

/** `GET /api/upload-video/jobs/:jobId`: one job as the recent list shows it (the job page's expiry and storage used). */
export const jobReadRoute: FastifyPluginAsyncZod<JobReadOptions> = async (app, opts) => {
  app.get(
    '/jobs/:jobId',
    {
      config: API_ROUTE_CONFIG,
      schema: {
        summary: 'One job: status, expiry (RETENTION_DAYS) and the bytes it keeps in storage',
        tags: ['upload-video'],
        // A copy without the registry id: @fastify/swagger cannot resolve a $ref for path params.
        params: z.object(JobIdParams.shape),
        response: { 200: JobSummary, 404: ErrorBody, 429: ErrorBody },
      },
    },
    async (request, reply) => {
      const job = await requireJob(opts.jobs, request.params.jobId, requireUser(request).userId);
      const [summary] = await summarizeJobs(opts, [job]);
      reply.header('cache-control', 'no-store');
      return summary!;
    },
  );
};
