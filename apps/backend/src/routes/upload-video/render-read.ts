import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ErrorBody, RenderIdParams, RenderJob } from '@ecg/contracts';
import { z } from 'zod';
import { requireJob } from '../../captions/job-access.js';
import { ServiceError } from '@ecg/service-kit';
import type { JobRepository } from '../../jobs/job-repository.js';
import type { RenderRepository } from '../../renders/render-repository.js';
import { renderDownloadName, renderView } from '../../renders/render-view.js';
import type { ObjectStorage } from '../../storage/storage.js';
import { API_ROUTE_CONFIG } from '../api-route.js';
import { requireUser } from '../../auth/principal.js';

export interface RenderReadOptions {
  jobs: Pick<JobRepository, 'getOwned'>;
  renders: Pick<RenderRepository, 'get'>;
  storage: Pick<ObjectStorage, 'createDownloadUrl'>;
  downloadUrlExpiresSeconds: number;
}

/**
 * `GET /api/upload-video/result/:jobId/render/:renderId`: a render's state;
 * once completed, a presigned URL that downloads it as `<video>-captions.mp4`.
 */
export const renderReadRoute: FastifyPluginAsyncZod<RenderReadOptions> = async (app, opts) => {
  app.get(
    '/result/:jobId/render/:renderId',
    {
      config: API_ROUTE_CONFIG,
      schema: {
        summary: 'The state of a burned-in render, with its download URL once completed',
        description: '404 JOB_NOT_FOUND for an unknown job, 404 NOT_FOUND for a render this job does not have.',
        tags: ['renders'],
        // A copy without the registry id: @fastify/swagger cannot resolve a $ref for path params.
        params: z.object(RenderIdParams.shape),
        response: { 200: RenderJob, 404: ErrorBody, 429: ErrorBody, 503: ErrorBody },
      },
    },
    async (request, reply) => {
      const job = await requireJob(opts.jobs, request.params.jobId, requireUser(request).userId);
      const render = await opts.renders.get(request.params.renderId);
      if (!render || render.jobId !== job.id) {
        throw new ServiceError('NOT_FOUND', `job ${job.id} has no render ${request.params.renderId}`);
      }
      let downloadUrl: string | undefined;
      if (render.status === 'completed' && render.outputKey) {
        try {
          downloadUrl = await opts.storage.createDownloadUrl(render.outputKey, opts.downloadUrlExpiresSeconds, {
            downloadName: renderDownloadName(job.fileName),
          });
        } catch (err) {
          request.log.error({ err, renderId: render.id }, 'storage failed while signing a render URL');
          throw new ServiceError('STORAGE_UNAVAILABLE', 'storage is not available; try again shortly');
        }
      }
      // Progress changes from one poll to the next, and the URL expires.
      reply.header('cache-control', 'no-store');
      return renderView(render, downloadUrl);
    },
  );
};
