import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { checkCaptions } from '@ecg/captions';
import { CaptionCheckQuery, CaptionCheckResponse, ErrorBody, JobIdParams } from '@ecg/contracts';
import { z } from 'zod';
import { currentCaptions, jobProfile, videoTiming } from '../../captions/caption-document.js';
import { requireCompletedJob } from '../../captions/job-access.js';
import type { JobRepository } from '../../jobs/job-repository.js';
import { API_ROUTE_CONFIG } from '../api-route.js';
import { requireUser } from '../../auth/principal.js';

export interface CaptionsCheckOptions {
  jobs: Pick<JobRepository, 'getOwned'>;
}

/**
 * `GET /api/upload-video/result/:jobId/captions/check?profile=&vertical=`:
 * every rule each current caption breaks, like a subtitle QC report. Without
 * a profile the job's own layout is the measure.
 */
export const captionsCheckRoute: FastifyPluginAsyncZod<CaptionsCheckOptions> = async (app, opts) => {
  app.get(
    '/result/:jobId/captions/check',
    {
      config: API_ROUTE_CONFIG,
      schema: {
        summary: 'Quality-check the captions against a subtitle profile',
        description:
          'Lists caption id, rule, value and limit for every broken rule (line length, lines, duration, reading speed, gaps, overlaps, shot changes). 400 VALIDATION_ERROR for an unknown profile.',
        tags: ['captions'],
        // A copy without the registry id: @fastify/swagger cannot resolve a $ref for path params.
        params: z.object(JobIdParams.shape),
        // A copy without the registry id, as for path params.
        querystring: z.object(CaptionCheckQuery.shape),
        response: { 200: CaptionCheckResponse, 400: ErrorBody, 404: ErrorBody, 409: ErrorBody, 429: ErrorBody },
      },
    },
    async (request) => {
      const job = await requireCompletedJob(opts.jobs, request.params.jobId, requireUser(request).userId);
      const { profile: name, vertical } = request.query;
      // A named profile is checked as published; without a name, the job's own layout (overrides
      // included), made vertical when asked.
      const profile = name
        ? jobProfile(job, { profile: name, vertical })
        : jobProfile(job, vertical ? { ...job.captionLayout, vertical } : undefined);
      const captions = currentCaptions(job);
      const issues = checkCaptions(captions, profile, videoTiming(job.result));
      return { profile, caption_count: captions.length, issues };
    },
  );
};
