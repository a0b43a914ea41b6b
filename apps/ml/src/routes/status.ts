import { ErrorBody, errorBody, MlStatusResponse } from '@ecg/contracts';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { estimateEtaSeconds } from '../pipeline/progress.js';
import type { JobRecord, JobStore } from '../queue/job-store.js';

export interface StatusRouteOptions {
  store: JobStore;
  now?: () => number;
}

export function statusOf(job: JobRecord, nowMs: number): MlStatusResponse {
  let eta: number | null = null;
  if (job.status === 'completed') eta = 0;
  else if (job.status === 'processing' && job.started_at) {
    eta = estimateEtaSeconds((nowMs - Date.parse(job.started_at)) / 1000, job.progress);
  }
  const out: MlStatusResponse = {
    job_id: job.job_id,
    status: job.status,
    progress: job.progress,
    stage: job.stage,
    message: job.message,
    eta_seconds: eta,
  };
  if (job.error_code) out.error_code = job.error_code;
  if (job.error_message) out.error_message = job.error_message;
  if (job.partial_segments && job.status === 'processing') out.partial_segments = job.partial_segments;
  return out;
}

/**
 * The status the browser polls directly (the seed's flow), so no token: job
 * ids are random UUIDs, and the answer holds no URL or secret.
 */
export const statusRoutes: FastifyPluginAsyncZod<StatusRouteOptions> = async (app, opts) => {
  const now = opts.now ?? Date.now;
  app.get(
    '/api/upload-video/status/:job_id',
    {
      schema: {
        summary: 'Progress of a job',
        params: z.object({ job_id: z.string().min(1).max(128) }),
        response: { 200: MlStatusResponse, 404: ErrorBody },
      },
    },
    async (req, reply) => {
      const job = await opts.store.get(req.params.job_id);
      if (!job) return reply.code(404).send(errorBody('JOB_NOT_FOUND', `no job ${req.params.job_id}`));
      return statusOf(job, now());
    },
  );
};
