import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  CALLBACK_SIGNATURE_HEADER,
  CALLBACK_TIMESTAMP_HEADER,
  ErrorBody,
  ResultCallbackRequest,
  ResultCallbackResponse,
  isTerminal,
} from '@ecg/contracts';
import { checkCallbackHeaders, verifyCallback } from '@ecg/signing';
import { ServiceError } from '@ecg/service-kit';
import { containsNulEscape, nulRefusal } from '../../security/json-body.js';
import type { JobRepository } from '../../jobs/job-repository.js';
import { storeThumbnails } from '../../storage/store-thumbnails.js';
import { storeWaveform } from '../../storage/store-waveform.js';
import type { ObjectStorage } from '../../storage/storage.js';
import type { BackendMetrics } from '../../metrics/backend-metrics.js';

export interface ResultCallbackOptions {
  /** Counts completed and failed jobs (GET /metrics); optional so tests may leave it out. */
  metrics?: Pick<BackendMetrics, 'jobCompleted' | 'jobFailed'>;
  jobs: JobRepository;
  callbackSecret: string;
  /** Where a delivered waveform and thumbnail sprite are kept, next to the video. */
  storage: Pick<ObjectStorage, 'write'>;
  /** A full transcript with word timings runs to megabytes for an hour of speech. */
  bodyLimitBytes?: number;
  /** Deliveries one client (the ML service's address) may make in a minute. */
  rateLimitPerMinute: number;
  /**
   * Bodies over SMALL_BODY_BYTES read at once; more answer 503 (the ML
   * service's outbox retries). Headers that merely look signed can still
   * carry junk, and each such body is held in memory until its MAC is checked.
   */
  maxLargeBodiesInFlight?: number;
  now?: () => number;
}

/** Progress and failure deliveries are a few hundred bytes; only results are larger. */
const SMALL_BODY_BYTES = 1024 * 1024;

const RAW = Symbol('ecg.rawBody');
type WithRaw = { [RAW]?: string };

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * `POST /api/upload-video/result`: the ML service's progress, result and
 * failure deliveries. The signature is checked over the exact bytes received,
 * before anything is parsed, so an unsigned body is never even read as JSON.
 * Deliveries are idempotent: a finished job answers "received" and stays as it is.
 */
export const resultCallbackRoute: FastifyPluginAsyncZod<ResultCallbackOptions> = async (app, opts) => {
  const bodyLimit = opts.bodyLimitBytes ?? 64 * 1024 * 1024;
  const maxLarge = opts.maxLargeBodiesInFlight ?? 2;
  const nowSeconds = () => Math.floor((opts.now ?? Date.now)() / 1000);
  let largeInFlight = 0;
  const holdsLargeSlot = new WeakSet<object>();
  const releaseLargeSlot = async (request: object) => {
    if (holdsLargeSlot.delete(request)) largeInFlight -= 1;
  };

  // Encapsulated: only this plugin's routes keep the raw text (the app-wide JSON parser is replaced here).
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit }, (request, body, done) => {
    (request as unknown as WithRaw)[RAW] = body as string;
    done(null, body);
  });

  app.post(
    '/result',
    {
      bodyLimit,
      // auth 'signed': the ML service proves itself with the HMAC signature, not with a user's credentials.
      config: { auth: 'signed', rateLimit: { max: opts.rateLimitPerMinute, timeWindow: 60_000 } },
      schema: {
        summary: 'ML service → backend: progress, result or failure of a job (HMAC-signed)',
        description: `Signed like a webhook: ${CALLBACK_TIMESTAMP_HEADER}: <unix seconds>, ${CALLBACK_SIGNATURE_HEADER}: sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>" with CALLBACK_SECRET>.`,
        tags: ['ml-callback'],
        body: ResultCallbackRequest,
        response: { 200: ResultCallbackResponse, 400: ErrorBody, 401: ErrorBody, 404: ErrorBody, 413: ErrorBody, 429: ErrorBody, 503: ErrorBody },
      },
      // preParsing: after the rate limit (onRequest) has counted the request, before the body is
      // read, so a delivery without signature headers that could be valid has nothing buffered.
      preParsing: async (request, reply, payload) => {
        const verdict = checkCallbackHeaders(
          header(request.headers[CALLBACK_TIMESTAMP_HEADER]),
          header(request.headers[CALLBACK_SIGNATURE_HEADER]),
          nowSeconds(),
        );
        if (!verdict.ok) {
          reply.header('connection', 'close');
          throw new ServiceError(verdict.code, verdict.message, { status: 401 });
        }
        const declared = Number(request.headers['content-length'] ?? Number.NaN);
        // A chunked body (no length) is counted as large: its size is unknown until read.
        if (!(declared <= SMALL_BODY_BYTES)) {
          if (largeInFlight >= maxLarge) {
            reply.header('connection', 'close').header('retry-after', '5');
            throw new ServiceError('STORAGE_UNAVAILABLE', `${maxLarge} large deliveries are being read; retry shortly`);
          }
          largeInFlight += 1;
          holdsLargeSlot.add(request);
        }
        return payload;
      },
      onResponse: async (request) => releaseLargeSlot(request),
      onRequestAbort: async (request) => releaseLargeSlot(request),
      preValidation: async (request) => {
        const raw = (request as unknown as WithRaw)[RAW] ?? '';
        const verdict = verifyCallback(
          opts.callbackSecret,
          raw,
          header(request.headers[CALLBACK_TIMESTAMP_HEADER]),
          header(request.headers[CALLBACK_SIGNATURE_HEADER]),
          nowSeconds(),
        );
        if (!verdict.ok) throw new ServiceError(verdict.code, verdict.message, { status: 401 });
        if (containsNulEscape(raw)) throw nulRefusal();
        try {
          request.body = JSON.parse(raw) as typeof request.body;
        } catch {
          throw new ServiceError('INVALID_JSON', 'the body is not valid JSON');
        }
      },
    },
    async (request) => {
      const b = request.body;
      const status = b.status ?? 'completed';
      const isProgress = status !== 'failed' && !(status === 'completed' && b.result);
      // The common delivery (several a second while jobs run) in one statement; only a job that is
      // not live (finished: answered "received"; unknown: 404) needs the read below.
      if (isProgress && (await opts.jobs.recordProgress(b.job_id, { progress: b.progress, stage: b.stage, message: b.message }))) {
        return { status: 'received' as const };
      }
      const job = await opts.jobs.get(b.job_id);
      if (!job) throw new ServiceError('JOB_NOT_FOUND', `no job ${b.job_id}`);
      if (isTerminal(job.status)) {
        request.log.info({ jobId: job.id, status: job.status }, 'delivery for a finished job ignored');
        return { status: 'received' as const };
      }
      if (status === 'completed' && b.result) {
        // Before completing, so the editor never sees a completed job whose waveform or thumbnails are still being written.
        if (b.waveform) await storeWaveform(opts.storage, job.fileKey, b.waveform, request.log);
        if (b.thumbnails) await storeThumbnails(opts.storage, job.fileKey, b.thumbnails, request.log);
        if (await opts.jobs.complete(job.id, b.result, b.message ?? null)) opts.metrics?.jobCompleted(b.result);
        request.log.info({ jobId: job.id, segments: b.result.segments.length }, 'job completed');
      } else if (status === 'failed') {
        const code = b.error_code ?? 'INTERNAL_ERROR';
        if (await opts.jobs.fail(job.id, code, b.error_message ?? b.message ?? 'the transcription service reported a failure')) opts.metrics?.jobFailed(code);
        request.log.warn({ jobId: job.id, code }, 'job failed on the ML service');
      } else {
        await opts.jobs.recordProgress(job.id, { progress: b.progress, stage: b.stage, message: b.message });
      }
      return { status: 'received' as const };
    },
  );
};
