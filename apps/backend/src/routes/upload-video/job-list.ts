import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ErrorBody, JobListQuery, JobListResponse } from '@ecg/contracts';
import { z } from 'zod';
import type { JobRepository } from '../../jobs/job-repository.js';
import { summarizeJobs, type SummaryDeps } from '../../jobs/job-summary.js';
import { API_ROUTE_CONFIG } from '../api-route.js';
import { requireUser } from '../../auth/principal.js';

export interface JobListOptions extends SummaryDeps {
  jobs: Pick<JobRepository, 'listRecent'>;
}

/**
 * `GET /api/upload-video/jobs?limit=N`: the signed-in user's most recent
 * jobs, newest first (with ECG_AUTH=off, the jobs of `anonymous`, the single
 * user). Nobody sees another user's jobs here. No transcripts.
 */
export const jobListRoute: FastifyPluginAsyncZod<JobListOptions> = async (app, opts) => {
  app.get(
    '/jobs',
    {
      config: API_ROUTE_CONFIG,
      schema: {
        summary: 'Recent jobs, newest first',
        description: 'Your jobs only. limit defaults to 20, at most 100.',
        tags: ['upload-video'],
        // A copy without the registry id: @fastify/swagger cannot resolve a $ref for a query string.
        querystring: z.object(JobListQuery.shape),
        response: { 200: JobListResponse, 400: ErrorBody, 429: ErrorBody },
      },
    },
    async (request, reply) => {
      const listed = await opts.jobs.listRecent(requireUser(request).userId, request.query.limit);
      reply.header('cache-control', 'no-store');
      return { jobs: await summarizeJobs(opts, listed) };
    },
  );
};
