import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ErrorBody, JobIdParams, SaveCaptionsRequest, SaveCaptionsResponse } from '@ecg/contracts';
import { z } from 'zod';
import { captionsEtag } from '../../captions/caption-document.js';
import { explainRefusedWrite, requireJob } from '../../captions/job-access.js';
import type { JobRepository } from '../../jobs/job-repository.js';
import { API_ROUTE_CONFIG } from '../api-route.js';
import { requireUser } from '../../auth/principal.js';

export interface CaptionsSaveOptions {
  jobs: Pick<JobRepository, 'getOwned' | 'saveCaptions'>;
  /** Largest accepted body; captions with per-word analysis outgrow the app-wide JSON limit. */
  maxBodyBytes: number;
}

/**
 * `PUT /api/upload-video/result/:jobId`: saves edited captions. The transcript
 * stays untouched (restore goes back to it); the write only happens when
 * base_version is still current, decided inside one UPDATE.
 */
export const captionsSaveRoute: FastifyPluginAsyncZod<CaptionsSaveOptions> = async (app, opts) => {
  app.put(
    '/result/:jobId',
    {
      config: API_ROUTE_CONFIG,
      bodyLimit: opts.maxBodyBytes,
      schema: {
        summary: 'Save edited captions (optimistic concurrency on base_version)',
        description:
          'Captions must be in time order, with unique ids and no caption ending before it starts. 409 VERSION_CONFLICT (details.current_version) when someone saved or restored since base_version.',
        tags: ['captions'],
        // A copy without the registry id: @fastify/swagger cannot resolve a $ref for path params.
        params: z.object(JobIdParams.shape),
        body: SaveCaptionsRequest,
        response: { 200: SaveCaptionsResponse, 400: ErrorBody, 404: ErrorBody, 409: ErrorBody, 413: ErrorBody, 429: ErrorBody },
      },
    },
    async (request, reply) => {
      const { jobId } = request.params;
      const { base_version: baseVersion, captions, layout, speakers } = request.body;
      const owner = requireUser(request).userId;
      // Ownership first: the conditional write below knows versions, not owners.
      await requireJob(opts.jobs, jobId, owner);
      const saved = await opts.jobs.saveCaptions(jobId, baseVersion, captions, layout, speakers);
      if (!saved) throw await explainRefusedWrite(opts.jobs, jobId, owner, baseVersion);
      request.log.info({ jobId, version: saved.captionVersion, captions: captions.length }, 'captions saved');
      reply.header('etag', captionsEtag(saved));
      return {
        version: saved.captionVersion,
        // Set by the same UPDATE; the column is never null after a save.
        updated_at: (saved.captionsUpdatedAt ?? saved.updatedAt).toISOString(),
      };
    },
  );
};
