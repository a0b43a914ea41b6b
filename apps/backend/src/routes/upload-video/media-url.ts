import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ErrorBody, JobIdParams, MediaUrlResponse } from '@ecg/contracts';
import { z } from 'zod';
import { requireJob } from '../../captions/job-access.js';
import { ServiceError } from '@ecg/service-kit';
import type { JobRepository } from '../../jobs/job-repository.js';
import type { ObjectInfo, ObjectStorage } from '../../storage/storage.js';
import { API_ROUTE_CONFIG } from '../api-route.js';
import { requireUser } from '../../auth/principal.js';

export interface MediaUrlOptions {
  jobs: Pick<JobRepository, 'getOwned'>;
  storage: Pick<ObjectStorage, 'head' | 'createDownloadUrl'>;
  expiresInSeconds: number;
}

/** `GET /api/upload-video/result/:jobId/media`: a short-lived URL of the uploaded video, for the editor's player. */
export const mediaUrlRoute: FastifyPluginAsyncZod<MediaUrlOptions> = async (app, opts) => {
  app.get(
    '/result/:jobId/media',
    {
      config: API_ROUTE_CONFIG,
      schema: {
        summary: 'A presigned GET URL of the uploaded video',
        description: 'The URL supports range requests, so a video element can seek. 404 OBJECT_NOT_FOUND once the upload is gone.',
        tags: ['captions'],
        // A copy without the registry id: @fastify/swagger cannot resolve a $ref for path params.
        params: z.object(JobIdParams.shape),
        response: { 200: MediaUrlResponse, 404: ErrorBody, 429: ErrorBody, 503: ErrorBody },
      },
    },
    async (request, reply) => {
      const job = await requireJob(opts.jobs, request.params.jobId, requireUser(request).userId);
      let info: ObjectInfo | null;
      let url: string;
      try {
        info = await opts.storage.head(job.fileKey);
        // No download name: the player streams it inline; an attachment disposition would not play.
        url = info ? await opts.storage.createDownloadUrl(job.fileKey, opts.expiresInSeconds) : '';
      } catch (err) {
        request.log.error({ err, jobId: job.id }, 'storage failed while signing a media URL');
        throw new ServiceError('STORAGE_UNAVAILABLE', 'storage is not available; try again shortly');
      }
      if (!info) throw new ServiceError('OBJECT_NOT_FOUND', `the video of job ${job.id} is no longer stored`);
      // The URL expires; a cached answer would outlive it.
      reply.header('cache-control', 'no-store');
      return {
        url,
        file_name: job.fileName,
        expires_in: opts.expiresInSeconds,
        ...(info.contentType ? { content_type: info.contentType } : {}),
      };
    },
  );
};
