import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { CaptionDocument, ErrorBody, JobIdParams } from '@ecg/contracts';
import { z } from 'zod';
import { captionDocument, captionsEtag } from '../../captions/caption-document.js';
import { requireCompletedJob } from '../../captions/job-access.js';
import type { JobRepository } from '../../jobs/job-repository.js';
import { API_ROUTE_CONFIG } from '../api-route.js';
import { requireUser } from '../../auth/principal.js';

export interface CaptionsReadOptions {
  jobs: Pick<JobRepository, 'getOwned'>;
}

/** `GET /api/upload-video/result/:jobId/captions`: the captions the editor starts from. */
export const captionsReadRoute: FastifyPluginAsyncZod<CaptionsReadOptions> = async (app, opts) => {
  app.get(
    '/result/:jobId/captions',
    {
      config: API_ROUTE_CONFIG,
      schema: {
        summary: 'The current captions of a completed job: the saved edits, or those derived from the transcript',
        description: 'version is the base for the next save or restore; edited is false until someone saves.',
        tags: ['captions'],
        // A copy without the registry id: @fastify/swagger cannot resolve a $ref for path params.
        params: z.object(JobIdParams.shape),
        response: { 200: CaptionDocument, 404: ErrorBody, 409: ErrorBody, 429: ErrorBody },
      },
    },
    async (request, reply) => {
      const job = await requireCompletedJob(opts.jobs, request.params.jobId, requireUser(request).userId);
      // Another tab may save at any moment; a cached copy would hand out a stale base version.
      reply.header('cache-control', 'no-store').header('etag', captionsEtag(job));
      return captionDocument(job);
    },
  );
};
