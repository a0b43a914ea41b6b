import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ErrorBody, JobIdParams } from '@ecg/contracts';
import { z } from 'zod';
import { ServiceError } from '@ecg/service-kit';
import type { JobDeletionRepository } from '../../jobs/job-deletion-repository.js';
import type { FinishDeletion } from '../../jobs/job-deleter.js';
import { API_ROUTE_CONFIG } from '../api-route.js';
import { requireUser } from '../../auth/principal.js';

export interface JobDeleteOptions {
  deletions: Pick<JobDeletionRepository, 'markForDeletion'>;
  finishDeletion: FinishDeletion;
}

/**
 * `DELETE /api/upload-video/jobs/:jobId`: the job and everything it owns
 * (video, waveform, thumbnails, renders, captions) leave storage and the
 * database. The mark comes first and hides the job from every read at once;
 * then the deletion is finished here. If that is cut short (storage or the ML
 * service down, the process killed) the answer is still 204: the job is gone
 * for every reader, and the retention sweep finishes what is left.
 * Only the job's owner may; anyone else gets 404, as for a job that never was.
 */
export const jobDeleteRoute: FastifyPluginAsyncZod<JobDeleteOptions> = async (app, opts) => {
  app.delete(
    '/jobs/:jobId',
    {
      config: API_ROUTE_CONFIG,
      schema: {
        summary: 'Delete a job and everything it owns (a running job is cancelled first)',
        description: '204 also for a job already being deleted; 404 for an unknown id.',
        tags: ['upload-video'],
        // A copy without the registry id: @fastify/swagger cannot resolve a $ref for path params.
        params: z.object(JobIdParams.shape),
        response: { 204: z.null().describe('Deleted'), 404: ErrorBody, 429: ErrorBody },
      },
    },
    async (request, reply) => {
      const job = await opts.deletions.markForDeletion(request.params.jobId, requireUser(request).userId);
      if (!job) throw new ServiceError('JOB_NOT_FOUND', `no job ${request.params.jobId}`);
      try {
        await opts.finishDeletion(job);
      } catch (err) {
        request.log.warn({ jobId: job.id, err }, 'job marked as deleted; the retention sweep finishes removing it');
      }
      return reply.code(204).send(null);
    },
  );
};
