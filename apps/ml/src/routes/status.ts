import { ErrorBody, errorBody, MlStatusResponse } from '@ecg/contracts';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { hasBearerToken } from '../auth.js';
import { estimateEtaSeconds } from '../pipeline/progress.js';
import type { JobRecord, JobStore } from '../queue/job-store.js';
import { redactUrls } from '../text/redact-urls.js';
import { stripControlChars } from '../text/strip-control-chars.js';

export interface StatusRouteOptions {
  store: JobStore;
  apiToken: string;
  /** ML_STATUS_RATE_LIMIT_PER_MINUTE: requests per client address without the token. */
  rateLimitPerMinute: number;
  now?: () => number;
}

// Version 4, the RFC 4122 variant: 122 random bits, what the backend's randomUUID() makes.
const RANDOM_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

/** True for an id nobody can guess (a random UUID), the only kind the status route answers without the token. */
export function isUnguessableJobId(id: string): boolean {
  return RANDOM_UUID.test(id);
}

const shown = (text: string) => redactUrls(stripControlChars(text));

/**
 * A job's status as anyone holding its id may see it: progress, stage, a
 * message, the error, and the transcript decoded so far. Never the video or
 * delivery URL; URLs quoted in messages are cut to their origin (see
 * redactUrls) and control characters removed.
 */
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
    message: shown(job.message),
    eta_seconds: eta,
  };
  if (job.error_code) out.error_code = job.error_code;
  if (job.error_message) out.error_message = shown(job.error_message);
  if (job.partial_segments && job.status === 'processing') {
    out.partial_segments = job.partial_segments.map((s) => ({ ...s, text: stripControlChars(s.text) }));
  }
  return out;
}

/**
 * The status the browser polls directly (the seed's flow: ML_PUBLIC_URL), so
 * it needs no token, on three conditions: the job id must be a random UUID
 * (any other id answers the same 404 as an unknown job, so ids cannot be
 * enumerated; callers with the token, the backend's dispatcher and
 * compatibility clients, may use any id), each client address gets
 * `rateLimitPerMinute` requests a minute (the web app polls once a second per
 * job and falls back to the backend's status when refused), and the answer
 * is statusOf's, which holds no URL or secret.
 */
export const statusRoutes: FastifyPluginAsyncZod<StatusRouteOptions> = async (app, opts) => {
  const now = opts.now ?? Date.now;
  const hasToken = (authorization: string | undefined) => hasBearerToken(authorization, opts.apiToken);
  app.get(
    '/api/upload-video/status/:job_id',
    {
      config: {
        rateLimit: { max: opts.rateLimitPerMinute, timeWindow: 60_000, allowList: (req) => hasToken(req.headers.authorization) },
      },
      schema: {
        summary: 'Progress of a job (no token needed for a random job id)',
        params: z.object({ job_id: z.string().min(1).max(128) }),
        response: { 200: MlStatusResponse, 404: ErrorBody, 429: ErrorBody },
      },
    },
    async (req, reply) => {
      const id = req.params.job_id;
      const visible = isUnguessableJobId(id) || hasToken(req.headers.authorization);
      const job = visible ? await opts.store.get(id) : null;
      if (!job) return reply.code(404).send(errorBody('JOB_NOT_FOUND', `no job ${id}`));
      return statusOf(job, now());
    },
  );
};
