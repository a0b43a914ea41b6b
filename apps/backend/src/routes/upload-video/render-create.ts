import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ErrorBody, JobIdParams, RenderJob, RenderRequest } from '@ecg/contracts';
import { z } from 'zod';
import { requireCompletedJob } from '../../captions/job-access.js';
import { AppError } from '../../errors.js';
import type { JobRepository } from '../../jobs/job-repository.js';
import type { RenderRepository } from '../../renders/render-repository.js';
import { renderView } from '../../renders/render-view.js';
import { PUBLIC_ROUTE_CONFIG } from '../public-route.js';

export interface RenderCreateOptions {
  jobs: Pick<JobRepository, 'get'>;
  renders: Pick<RenderRepository, 'createOrGetLive' | 'findLive' | 'countLive'>;
  /** Live renders (all jobs) beyond which a new one is refused with 429. */
  maxQueued: number;
  /** Wakes the render worker. */
  kickWorker: () => void;
}

/**
 * `POST /api/upload-video/result/:jobId/render`: queues a video with the
 * current captions burned in. The same job, options and captions version
 * already queued or rendering answers that render instead of a second one.
 */
export const renderCreateRoute: FastifyPluginAsyncZod<RenderCreateOptions> = async (app, opts) => {
  app.post(
    '/result/:jobId/render',
    {
      config: PUBLIC_ROUTE_CONFIG,
      schema: {
        summary: 'Render the video with the current captions burned in (ffmpeg + libass)',
        description:
          'Answers 202 with the render to poll (GET …/render/{renderId}). An identical render still queued or running is answered instead of a new one. An empty body means the defaults (expressive, strength 1).',
        tags: ['renders'],
        // A copy without the registry id: @fastify/swagger cannot resolve a $ref for path params.
        params: z.object(JobIdParams.shape),
        body: RenderRequest,
        response: { 202: RenderJob, 400: ErrorBody, 404: ErrorBody, 409: ErrorBody, 429: ErrorBody },
      },
      preValidation: async (request) => {
        // A bodiless POST (no content type) asks for the defaults.
        request.body ??= {} as typeof request.body;
      },
    },
    async (request, reply) => {
      const job = await requireCompletedJob(opts.jobs, request.params.jobId);
      const { expressive, strength } = request.body;
      const options = { expressive, strength, captionVersion: job.captionVersion };
      const live = await opts.renders.findLive(job.id, options);
      if (live) return reply.code(202).send(renderView(live));
      // Checked before inserting, so a refused request leaves nothing behind; a burst may overshoot by a few, which is fine for a soft cap.
      if ((await opts.renders.countLive()) >= opts.maxQueued) {
        throw new AppError('RATE_LIMITED', 429, `${opts.maxQueued} renders are already waiting or running; try again when some have finished`);
      }
      const result = await opts.renders.createOrGetLive(job.id, options);
      if (result.created) {
        request.log.info({ jobId: job.id, renderId: result.render.id, expressive, strength }, 'render queued');
        opts.kickWorker();
      }
      return reply.code(202).send(renderView(result.render));
    },
  );
};
