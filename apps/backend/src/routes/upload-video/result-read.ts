import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ErrorBody, JobCompletedResponse, JobFailedResponse, JobIdParams, JobPendingResponse } from '@ecg/contracts';
import { z } from 'zod';
import { ServiceError } from '@ecg/service-kit';
import type { JobRepository } from '../../jobs/job-repository.js';
import { resultView } from '../../jobs/job-views.js';
import { API_ROUTE_CONFIG } from '../api-route.js';
import { requireUser } from '../../auth/principal.js';

export interface ResultReadOptions {
  jobs: JobRepository;
}

/** `GET /api/upload-video/result/:jobId`: the result, the failure, or 202 while running. */
export const resultReadRoute: FastifyPluginAsyncZod<ResultReadOptions> = async (app, opts) => {
  app.get(
    '/result/:jobId',
    {
      config: API_ROUTE_CONFIG,
      schema: {
        summary: 'Read a job: its result when completed, its error when failed, 202 while queued or processing',
        tags: ['upload-video'],
        // A copy without the registry id: @fastify/swagger cannot resolve a $ref for path params.
        params: z.object(JobIdParams.shape),
        response: {
          200: z.union([JobCompletedResponse, JobFailedResponse]),
          202: JobPendingResponse,
          404: ErrorBody,
          429: ErrorBody,
        },
      },
    },
    async (request, reply) => {
      const job = await opts.jobs.getOwned(request.params.jobId, requireUser(request).userId);
      if (!job) throw new ServiceError('JOB_NOT_FOUND', `no job ${request.params.jobId}`);
      const view = resultView(job);
      return reply.code(view.httpStatus).send(view.body as never);
    },
  );
};
