import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ErrorBody, JobListQuery, JobListResponse } from '@ecg/contracts';
import { z } from 'zod';
import type { JobRepository } from '../../jobs/job-repository.js';
import { summarizeJobs, type SummaryDeps } from '../../jobs/job-summary.js';
import { PUBLIC_ROUTE_CONFIG } from '../public-route.js';

export interface JobListOptions extends SummaryDeps {
  jobs: Pick<JobRepository, 'listRecent'>;
}

/**
 * `GET /api/upload-video/jobs?limit=N`: the most recent jobs, newest first.
 *
 * ECG has no user accounts: every upload goes under `videos/anonymous/`, so
 * every job belongs to whoever runs the instance, and listing all of them is
 * what a single-user, self-hosted tool does. Anyone who can reach the backend
 * can read this list (names of uploaded files included), exactly as they can
 * already upload and read results; put the instance behind your own access
 * control when it faces others. The list is rate limited like every public
 * route and carries no transcripts.
 */
export const jobListRoute: FastifyPluginAsyncZod<JobListOptions> = async (app, opts) => {
  app.get(
    '/jobs',
    {
      config: PUBLIC_ROUTE_CONFIG,
      schema: {
        summary: 'Recent jobs, newest first',
        description: 'Single-user instance: lists every job. limit defaults to 20, at most 100.',
        tags: ['upload-video'],
        // A copy without the registry id: @fastify/swagger cannot resolve a $ref for a query string.
        querystring: z.object(JobListQuery.shape),
        response: { 200: JobListResponse, 400: ErrorBody, 429: ErrorBody },
      },
    },
    async (request, reply) => {
      const listed = await opts.jobs.listRecent(request.query.limit);
      reply.header('cache-control', 'no-store');
      return { jobs: await summarizeJobs(opts, listed) };
    },
  );
};
