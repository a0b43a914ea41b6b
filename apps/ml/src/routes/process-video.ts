import { ErrorBody, errorBody, ProcessVideoRequest, ProcessVideoResponse, givenSpeakerCounts, type TranscribeOptions } from '@ecg/contracts';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { hasBearerToken } from '../auth.js';
import { callbackUrl } from '../pipeline/deliver-result.js';
import { isCallbackBaseAllowed } from '@ecg/net-policy';
import { newJobRecord, type JobStore } from '../queue/job-store.js';
import type { JobQueue } from '../queue/job-queue.js';
import type { Readiness } from '../readiness.js';

export interface ProcessVideoRouteOptions {
  apiToken: string;
  backendUrl: string;
  callbackAllowedOrigins: readonly string[];
  store: JobStore;
  queue: Pick<JobQueue, 'submit' | 'cancel' | 'isAccepting'>;
  readiness: () => Promise<Readiness>;
}

/**
 * backend → ML: start a job, and cancel one. Both need the shared
 * ML_API_TOKEN: they spend this machine's CPU. Starting is idempotent on
 * job_id, so a backend retrying after a timeout never runs a job twice.
 * The video URL is checked by the pipeline, not here: a refused URL ends the
 * job failed with URL_NOT_ALLOWED, delivered to the backend like any failure.
 */

/** Task, prompt and temperature, kept with the job only when the request set any. */
function decodeOptions(body: TranscribeOptions): { decode?: TranscribeOptions } {
  const { task, prompt, temperature } = body;
  const given: TranscribeOptions = {
    ...(task !== undefined ? { task } : {}),
    ...(prompt !== undefined ? { prompt } : {}),
    ...(temperature !== undefined ? { temperature } : {}),
  };
  return Object.keys(given).length === 0 ? {} : { decode: given };
}

export const processVideoRoutes: FastifyPluginAsyncZod<ProcessVideoRouteOptions> = async (app, opts) => {
  app.addHook('onRequest', async (req, reply) => {
    if (!hasBearerToken(req.headers.authorization, opts.apiToken)) {
      await reply.code(401).header('www-authenticate', 'Bearer').send(errorBody('UNAUTHORIZED', 'missing or wrong Authorization: Bearer <ML_API_TOKEN>'));
    }
  });

  app.post(
    '/api/upload-video/process-video',
    {
      schema: {
        summary: 'Start transcribing a video (backend only)',
        security: [{ bearer: [] }],
        body: ProcessVideoRequest,
        response: { 200: ProcessVideoResponse, 400: ErrorBody, 401: ErrorBody, 503: ErrorBody },
      },
    },
    async (req, reply) => {
      const body = req.body;
      const existing = await opts.store.get(body.job_id);
      if (existing) return { job_id: existing.job_id, status: existing.status };

      if (body.fastapi_base_url !== undefined && !isCallbackBaseAllowed(body.fastapi_base_url, opts.callbackAllowedOrigins)) {
        const base = new URL(body.fastapi_base_url);
        const message = `fastapi_base_url must be an origin listed in ML_CALLBACK_ALLOWED_ORIGINS, with no path, query or fragment; ${base.origin}${base.pathname === '/' ? '' : ` with path ${base.pathname}`} is not`;
        return reply.code(400).send(errorBody('URL_NOT_ALLOWED', message));
      }
      const readiness = await opts.readiness();
      if (!readiness.ready) return reply.code(503).send(errorBody('MODEL_UNAVAILABLE', `no model is loaded: ${readiness.reason}`));
      if (!opts.queue.isAccepting()) {
        return reply.code(503).send(errorBody('INSUFFICIENT_RESOURCES', 'the ML service is shutting down; retry shortly'));
      }

      const speakers = givenSpeakerCounts(body);
      const record = newJobRecord({
        job_id: body.job_id,
        video_url: body.video_url,
        language: body.language ?? 'auto',
        callback_url: callbackUrl(body.fastapi_base_url ?? opts.backendUrl),
        // The job record names `speakers` only when the request named any.
        ...(speakers ? { speakers } : {}),
        ...decodeOptions(body),
      });
      const { record: stored, created } = await opts.store.create(record);
      if (!created) return { job_id: stored.job_id, status: stored.status };
      req.log.info({ jobId: stored.job_id }, 'job accepted');
      return { job_id: stored.job_id, status: await opts.queue.submit(stored.job_id) };
    },
  );

  app.delete(
    '/api/upload-video/jobs/:job_id',
    {
      schema: {
        summary: 'Cancel a queued or running job (backend only)',
        security: [{ bearer: [] }],
        params: z.object({ job_id: z.string().min(1).max(128) }),
        response: { 200: ProcessVideoResponse, 401: ErrorBody, 404: ErrorBody },
      },
    },
    async (req, reply) => {
      const job = await opts.queue.cancel(req.params.job_id);
      if (!job) return reply.code(404).send(errorBody('JOB_NOT_FOUND', `no job ${req.params.job_id}`));
      return { job_id: job.job_id, status: job.status };
    },
  );
};
