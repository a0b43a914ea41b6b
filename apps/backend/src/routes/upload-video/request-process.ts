import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ErrorBody, RequestProcessRequest, RequestProcessResponse, givenSpeakerCounts } from '@ecg/contracts';
import { ServiceError } from '@ecg/service-kit';
import { UploadDeletedError, type JobRepository } from '../../jobs/job-repository.js';
import { isUploadKey, uploadFileName, uploadKeyOwner } from '../../storage/keys.js';
import { requireUser } from '../../auth/principal.js';
import type { ObjectInfo, ObjectStorage } from '../../storage/storage.js';
import { API_ROUTE_CONFIG } from '../api-route.js';
import { checkCallbackUrl } from '../../webhooks/check-callback-url.js';

export interface RequestProcessOptions {
  storage: Pick<ObjectStorage, 'head' | 'delete'>;
  jobs: Pick<JobRepository, 'findByFileKey' | 'createOrGetLive'>;
  maxUploadBytes: number;
  /** Wakes the dispatcher; delivery to the ML service is its job, never the request's. */
  kickDispatcher: () => void;
  /** WEBHOOK_ALLOWED_ORIGINS: a callback_url on these origins may be a loopback or private address. */
  webhookAllowedOrigins: readonly string[];
}

/** `POST /api/upload-video/request-process`: records a job for an uploaded file. */
export const requestProcessRoute: FastifyPluginAsyncZod<RequestProcessOptions> = async (app, opts) => {
  app.post(
    '/request-process',
    {
      config: API_ROUTE_CONFIG,
      schema: {
        summary: 'Start transcribing an uploaded file',
        description:
          'The job is stored first (queued) and handed to the ML service by the dispatcher, which retries until it is accepted. One upload is one job: the same fileKey again answers the same job, whatever its status (a failed job too; to try again, upload again, which makes a new fileKey). With callback_url, a signed WebhookEvent is POSTed there when the job ends (see the README, Webhooks).',
        tags: ['upload-video'],
        body: RequestProcessRequest,
        response: { 200: RequestProcessResponse, 400: ErrorBody, 404: ErrorBody, 413: ErrorBody, 429: ErrorBody, 503: ErrorBody },
      },
    },
    async (request) => {
      const { fileKey, language, profile, callback_url } = request.body;
      if (!isUploadKey(fileKey)) {
        throw new ServiceError('INVALID_FILE_KEY', 'fileKey is not a key this service issued; use the fileKey from generate-url');
      }
      // Another user's upload is answered as one that does not exist (never 403).
      const ownerId = requireUser(request).userId;
      if (uploadKeyOwner(fileKey) !== ownerId) {
        throw new ServiceError('OBJECT_NOT_FOUND', 'no uploaded file under this fileKey; upload it with the URL from generate-url first');
      }
      // Before anything else: a refused URL answers 400 even for an upload that already has a job.
      const callbackUrl = callback_url === undefined ? null : checkCallbackUrl(callback_url, opts.webhookAllowedOrigins);
      // An upload that already has a job is answered without looking at storage
      // again: the checks below ran when the job was made, and the size check
      // must never delete a job's object (MAX_UPLOAD_BYTES may have been lowered since).
      const existing = await opts.jobs.findByFileKey(fileKey);
      if (existing && existing.ownerId !== ownerId) {
        throw new ServiceError('OBJECT_NOT_FOUND', 'no uploaded file under this fileKey; upload it with the URL from generate-url first');
      }
      if (existing) return { message: 'Video processing started.' as const, jobId: existing.id };
      let info: ObjectInfo | null;
      try {
        info = await opts.storage.head(fileKey);
      } catch (err) {
        request.log.error({ err, fileKey }, 'storage HEAD failed');
        throw new ServiceError('STORAGE_UNAVAILABLE', 'storage is not available; try again shortly');
      }
      if (!info) {
        throw new ServiceError('OBJECT_NOT_FOUND', 'no uploaded file under this fileKey; upload it with the URL from generate-url first');
      }
      if (info.size > opts.maxUploadBytes) {
        // Nothing will ever process it; keeping it would only hold the space. No
        // job exists for it (checked above), so this deletes no job's object.
        await opts.storage.delete(fileKey).catch((err: unknown) => request.log.warn({ err, fileKey }, 'could not delete an oversized upload'));
        throw new ServiceError('FILE_TOO_LARGE', `the file is ${info.size} bytes; the limit is ${opts.maxUploadBytes} bytes`, {
          details: {
            size: info.size,
            maxBytes: opts.maxUploadBytes,
          },
        });
      }
      const speakerCounts = givenSpeakerCounts(request.body);
      let made: Awaited<ReturnType<JobRepository['createOrGetLive']>>;
      try {
        made = await opts.jobs.createOrGetLive(fileKey, {
          ownerId,
          language: language ?? null,
          fileName: uploadFileName(fileKey),
          // A bare name is shorthand for the layout request naming it.
          captionLayout: profile === undefined ? null : typeof profile === 'string' ? { profile } : profile,
          speakerCounts,
          callbackUrl,
        });
      } catch (err) {
        if (err instanceof UploadDeletedError) {
          throw new ServiceError('OBJECT_NOT_FOUND', 'this upload was deleted with its job; upload the file again');
        }
        throw err;
      }
      const { job, created } = made;
      if (created) {
        request.log.info({ jobId: job.id, fileKey }, 'job queued');
        opts.kickDispatcher();
      }
      return { message: 'Video processing started.' as const, jobId: job.id };
    },
  );
};
