import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { CaptionDocument, ErrorBody, JobIdParams, RestoreCaptionsRequest } from '@ecg/contracts';
import { z } from 'zod';
import { captionDocument, captionsEtag } from '../../captions/caption-document.js';
import { explainRefusedWrite, requireJob } from '../../captions/job-access.js';
import type { JobRepository } from '../../jobs/job-repository.js';
import { API_ROUTE_CONFIG } from '../api-route.js';
import { requireUser } from '../../auth/principal.js';

export interface CaptionsRestoreOptions {
  jobs: Pick<JobRepository, 'getOwned' | 'restoreCaptions'>;
}

/** `POST /api/upload-video/result/:jobId/restore`: drops the saved edits, back to the transcript's captions. */
export const captionsRestoreRoute: FastifyPluginAsyncZod<CaptionsRestoreOptions> = async (app, opts) => {
  app.post(
    '/result/:jobId/restore',
    {
      config: API_ROUTE_CONFIG,
      schema: {
        summary: 'Restore the captions derived from the transcript (drops saved edits)',
        description: 'Answers the restored captions with a new version; 409 VERSION_CONFLICT as for a save.',
        tags: ['captions'],
        // A copy without the registry id: @fastify/swagger cannot resolve a $ref for path params.
        params: z.object(JobIdParams.shape),
        body: RestoreCaptionsRequest,
        response: { 200: CaptionDocument, 400: ErrorBody, 404: ErrorBody, 409: ErrorBody, 429: ErrorBody },
      },
    },
    async (request, reply) => {
      const { jobId } = request.params;
      const baseVersion = request.body.base_version;
      const owner = requireUser(request).userId;
      // Ownership first: the conditional write below knows versions, not owners.
      await requireJob(opts.jobs, jobId, owner);
      const restored = await opts.jobs.restoreCaptions(jobId, baseVersion);
      if (!restored) throw await explainRefusedWrite(opts.jobs, jobId, owner, baseVersion);
      request.log.info({ jobId, version: restored.captionVersion }, 'captions restored');
      reply.header('cache-control', 'no-store').header('etag', captionsEtag(restored));
      return captionDocument(restored);
    },
  );
};
