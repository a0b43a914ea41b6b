import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { reflowCaptions } from '@ecg/captions';
import { CaptionDocument, CaptionReflowRequest, ErrorBody, JobIdParams } from '@ecg/contracts';
import { z } from 'zod';
import { captionDocument, captionsEtag, currentCaptions, jobProfile, videoTiming } from '../../captions/caption-document.js';
import { explainRefusedWrite, requireCompletedJob } from '../../captions/job-access.js';
import type { JobRepository } from '../../jobs/job-repository.js';
import { API_ROUTE_CONFIG } from '../api-route.js';
import { requireUser } from '../../auth/principal.js';

export interface CaptionsReflowOptions {
  jobs: Pick<JobRepository, 'getOwned' | 'saveCaptions'>;
}

/**
 * `POST /api/upload-video/result/:jobId/captions/reflow`: lays the current
 * captions out again under a profile (name, vertical, overrides), keeping
 * every text edit, and saves the result as a new version with that layout
 * as the job's own (later restores and checks follow it). Concurrency as for
 * a save: base_version must still be current.
 */
export const captionsReflowRoute: FastifyPluginAsyncZod<CaptionsReflowOptions> = async (app, opts) => {
  app.post(
    '/result/:jobId/captions/reflow',
    {
      config: API_ROUTE_CONFIG,
      schema: {
        summary: 'Re-lay the captions out under a subtitle profile, keeping text edits',
        description:
          'Body: base_version and a layout request ({profile?, vertical?, overrides?}); an empty layout is the transcript language’s profile. Answers the new captions document. 400 VALIDATION_ERROR for an unknown profile or an override out of range; 409 VERSION_CONFLICT as for a save.',
        tags: ['captions'],
        // A copy without the registry id: @fastify/swagger cannot resolve a $ref for path params.
        params: z.object(JobIdParams.shape),
        body: CaptionReflowRequest,
        response: { 200: CaptionDocument, 400: ErrorBody, 404: ErrorBody, 409: ErrorBody, 429: ErrorBody },
      },
    },
    async (request, reply) => {
      const { jobId } = request.params;
      const { base_version: baseVersion, ...layout } = request.body;
      const job = await requireCompletedJob(opts.jobs, jobId, requireUser(request).userId);
      const captions = reflowCaptions(currentCaptions(job), jobProfile(job, layout), videoTiming(job.result));
      const saved = await opts.jobs.saveCaptions(jobId, baseVersion, captions, layout);
      if (!saved) throw await explainRefusedWrite(opts.jobs, jobId, requireUser(request).userId, baseVersion);
      request.log.info({ jobId, version: saved.captionVersion, captions: captions.length, layout }, 'captions re-laid out');
      reply.header('cache-control', 'no-store').header('etag', captionsEtag(saved));
      return captionDocument(saved);
    },
  );
};
