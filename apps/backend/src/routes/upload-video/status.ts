import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ErrorBody, JobIdSnakeParams, MlStatusResponse } from '@ecg/contracts';
import { z } from 'zod';
import { ServiceError } from '@ecg/service-kit';
import type { JobRepository } from '../../jobs/job-repository.js';
import { statusView } from '../../jobs/job-views.js';
import { API_ROUTE_CONFIG } from '../api-route.js';
import { requireUser } from '../../auth/principal.js';

export interface StatusOptions {
  jobs: JobRepository;
}

/**
 * `GET /api/upload-video/status/:job_id`: the ML service's status shape from
 * the backend's own record, so the browser can poll the backend when the ML
 * service is not reachable from outside.
 */
export const statusRoute: FastifyPluginAsyncZod<StatusOptions> = async (app, opts) => {
  app.get(
    '/status/:job_id',
    {
      config: API_ROUTE_CONFIG,
      schema: {
        summary: 'Job status in the ML service status shape (progress, stage, message)',
        tags: ['upload-video'],
        // A copy without the registry id: @fastify/swagger cannot resolve a $ref for path params.
        params: z.object(JobIdSnakeParams.shape),
        response: { 200: MlStatusResponse, 404: ErrorBody, 429: ErrorBody },
      },
    },
    async (request) => {
      const job = await opts.jobs.getStatusOwned(request.params.job_id, requireUser(request).userId);
      if (!job) throw new ServiceError('JOB_NOT_FOUND', `no job ${request.params.job_id}`);
      return statusView(job);
    },
  );
};
