import type { Readable } from 'node:stream';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ErrorBody, JobIdParams, ThumbnailLayout, ThumbnailsResponse } from '@ecg/contracts';
import { z } from 'zod';
import { requireJob } from '../../captions/job-access.js';
import { ServiceError } from '@ecg/service-kit';
import type { JobRepository } from '../../jobs/job-repository.js';
import { thumbnailsKey, thumbnailsLayoutKey } from '../../storage/derived-keys.js';
import { readDerived } from '../../storage/read-derived.js';
import type { ObjectStorage } from '../../storage/storage.js';
import { API_ROUTE_CONFIG } from '../api-route.js';
import { requireUser } from '../../auth/principal.js';

export interface ThumbnailsReadOptions {
  jobs: Pick<JobRepository, 'getOwned'>;
  storage: Pick<ObjectStorage, 'read'>;
}

/** A layout holds at most 200 times (~10 kB as JSON); anything much larger is not one. */
const MAX_LAYOUT_BYTES = 64 * 1024;

async function readSmall(stream: Readable, limit: number): Promise<string> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      stream.destroy();
      throw new Error(`more than ${limit} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}


/**
 * `GET /api/upload-video/result/:jobId/thumbnails`: how the thumbnail sprite
 * the ML service delivered is laid out, and where it is;
 * `GET …/thumbnails.jpg`: the sprite itself, streamed from storage. The
 * sprite is served from this server rather than by a presigned storage URL
 * so that the editor may show it in an <img>: the app's CSP allows images
 * from its own origin (and data:/blob:) only, not from the object store.
 */
export const thumbnailsReadRoute: FastifyPluginAsyncZod<ThumbnailsReadOptions> = async (app, opts) => {
  const params = z.object(JobIdParams.shape);

  app.get(
    '/result/:jobId/thumbnails',
    {
      config: API_ROUTE_CONFIG,
      schema: {
        summary: 'The layout of the thumbnail sprite of a video job (one tile per shot) and its URL',
        description: 'Tiles of width x height, `columns` to a row, left to right; `times[i]` is the start of the shot tile i shows. 404 JOB_NOT_FOUND for an unknown job, 404 NOT_FOUND when the job has no thumbnails (audio-only, not finished, or none could be made).',
        tags: ['captions'],
        // A copy without the registry id: @fastify/swagger cannot resolve a $ref for path params.
        params,
        response: { 200: ThumbnailsResponse, 404: ErrorBody, 429: ErrorBody, 500: ErrorBody, 503: ErrorBody },
      },
    },
    async (request, reply) => {
      const job = await requireJob(opts.jobs, request.params.jobId, requireUser(request).userId);
      const stream = await readDerived(opts.storage, job.id, thumbnailsLayoutKey(job.fileKey), 'thumbnails', request.log);
      let layout: ThumbnailLayout;
      try {
        layout = ThumbnailLayout.parse(JSON.parse(await readSmall(stream, MAX_LAYOUT_BYTES)));
      } catch (err) {
        request.log.error({ err, jobId: job.id }, 'the stored thumbnail layout is unreadable');
        throw new ServiceError('INTERNAL_ERROR', `the thumbnails of job ${job.id} are stored damaged`);
      }
      reply.header('cache-control', 'no-cache');
      return {
        ...layout,
        rows: Math.ceil(layout.times.length / layout.columns),
        url: `/api/upload-video/result/${encodeURIComponent(job.id)}/thumbnails.jpg`,
      };
    },
  );

  app.get(
    '/result/:jobId/thumbnails.jpg',
    {
      config: API_ROUTE_CONFIG,
      schema: {
        summary: 'The thumbnail sprite of a video job (JPEG)',
        description: 'Laid out as GET …/thumbnails says. 404 JOB_NOT_FOUND for an unknown job, 404 NOT_FOUND when it has no thumbnails.',
        tags: ['captions'],
        params,
        response: {
          // The stored bytes are sent as they are.
          200: z.unknown().describe('image/jpeg'),
          404: ErrorBody,
          429: ErrorBody,
          503: ErrorBody,
        },
      },
    },
    async (request, reply) => {
      const job = await requireJob(opts.jobs, request.params.jobId, requireUser(request).userId);
      const body = await readDerived(opts.storage, job.id, thumbnailsKey(job.fileKey), 'thumbnails', request.log);
      return reply.header('content-type', 'image/jpeg').header('cache-control', 'no-cache').send(body);
    },
  );
};
