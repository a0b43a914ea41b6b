import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ErrorBody, JobIdParams } from '@ecg/contracts';
import { z } from 'zod';
import { requireJob } from '../../captions/job-access.js';
import type { JobRepository } from '../../jobs/job-repository.js';
import { waveformKey } from '../../storage/derived-keys.js';
import { readDerived } from '../../storage/read-derived.js';
import type { ObjectStorage } from '../../storage/storage.js';
import { API_ROUTE_CONFIG } from '../api-route.js';
import { requireUser } from '../../auth/principal.js';

export interface WaveformReadOptions {
  jobs: Pick<JobRepository, 'getOwned'>;
  storage: Pick<ObjectStorage, 'read'>;
}

/**
 * `GET /api/upload-video/result/:jobId/waveform`: the waveform overview the
 * ML service delivered with the result, streamed from storage as stored.
 */
export const waveformReadRoute: FastifyPluginAsyncZod<WaveformReadOptions> = async (app, opts) => {
  app.get(
    '/result/:jobId/waveform',
    {
      config: API_ROUTE_CONFIG,
      schema: {
        summary: 'The audio waveform overview of a job (audiowaveform JSON v2, 100 points a second)',
        description: 'Shape: WaveformJson. 404 JOB_NOT_FOUND for an unknown job, 404 NOT_FOUND when the job has no waveform (yet).',
        tags: ['captions'],
        // A copy without the registry id: @fastify/swagger cannot resolve a $ref for path params.
        params: z.object(JobIdParams.shape),
        response: {
          // The stored bytes are sent as they are, never re-serialised; see WaveformJson for the shape.
          200: z.unknown().describe('WaveformJson'),
          404: ErrorBody,
          429: ErrorBody,
          503: ErrorBody,
        },
      },
    },
    async (request, reply) => {
      const job = await requireJob(opts.jobs, request.params.jobId, requireUser(request).userId);
      const body = await readDerived(opts.storage, job.id, waveformKey(job.fileKey), 'waveform', request.log);
      return reply.header('content-type', 'application/json; charset=utf-8').header('cache-control', 'no-cache').send(body);
    },
  );
};
