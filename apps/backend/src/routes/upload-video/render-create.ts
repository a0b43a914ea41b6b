import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ErrorBody, JobIdParams, RenderJob, RenderRequest } from '@ecg/contracts';
import { z } from 'zod';
import { requireCompletedJob } from '../../captions/job-access.js';
import { ServiceError } from '@ecg/service-kit';
import type { JobRepository } from '../../jobs/job-repository.js';
import type { RenderRepository } from '../../renders/render-repository.js';
import { renderView } from '../../renders/render-view.js';
import { API_ROUTE_CONFIG } from '../api-route.js';
import { requireUser } from '../../auth/principal.js';

export interface RenderCreateOptions {
  jobs: Pick<JobRepository, 'getOwned'>;
  renders: Pick<RenderRepository, 'queueForJob'>;
  /** Live renders (all jobs) beyond which a new one is refused with 429. */
  maxQueued: number;
  /** Live renders one client may have asked for before a new one is refused with 429. */
  maxPerClient: number;
  /** Wakes the render worker. */
  kickWorker: () => void;
}

/**
 * `POST /api/upload-video/result/:jobId/render`: queues a video with the
 * current captions burned in. Each job has at most one render waiting: the
 * same job, options and captions version joins the live render, other
 * options take over the waiting one; only a request that needs a new render
 * counts against the per-client and instance-wide caps.
 */
export const renderCreateRoute: FastifyPluginAsyncZod<RenderCreateOptions> = async (app, opts) => {
  app.post(
    '/result/:jobId/render',
    {
      config: API_ROUTE_CONFIG,
      schema: {
        summary: 'Render the video with the current captions burned in (ffmpeg + libass)',
        description:
          'Answers 202 with the render to poll (GET …/render/{renderId}). An identical render still queued or running is answered instead of a new one; a render of this job still waiting to start takes the new options instead of a second one queuing. 429 when this client already has RENDER_MAX_PER_CLIENT renders live, or the instance RENDER_MAX_QUEUED. An empty body means the defaults (expressive, strength 1).',
        tags: ['renders'],
        // A copy without the registry id: @fastify/swagger cannot resolve a $ref for path params.
        params: z.object(JobIdParams.shape),
        body: RenderRequest,
        response: { 202: RenderJob, 400: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody, 429: ErrorBody },
      },
      preValidation: async (request) => {
        // A bodiless POST (no content type) asks for the defaults; a cross-site one never gets here (request guards).
        request.body ??= {} as typeof request.body;
      },
    },
    async (request, reply) => {
      const job = await requireCompletedJob(opts.jobs, request.params.jobId, requireUser(request).userId);
      const { expressive, strength } = request.body;
      const options = { expressive, strength, captionVersion: job.captionVersion };
      const queued = await opts.renders.queueForJob(job.id, options, request.ip, {
        maxLive: opts.maxQueued,
        maxLivePerRequester: opts.maxPerClient,
      });
      if (queued.outcome === 'full') {
        reply.header('retry-after', '60');
        throw queued.scope === 'client'
          ? new ServiceError('RATE_LIMITED', `you already have ${opts.maxPerClient} renders waiting or running; try again when one has finished`)
          : new ServiceError('RATE_LIMITED', `${opts.maxQueued} renders are already waiting or running; try again when some have finished`);
      }
      if (queued.outcome !== 'joined') {
        request.log.info({ jobId: job.id, renderId: queued.render.id, expressive, strength, outcome: queued.outcome }, 'render queued');
        opts.kickWorker();
      }
      return reply.code(202).send(renderView(queued.render));
    },
  );
};
