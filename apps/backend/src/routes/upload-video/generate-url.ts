import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  ACCEPTED_EXTENSIONS,
  ErrorBody,
  GenerateUrlRequest,
  GenerateUrlResponse,
  extensionOf,
  isAcceptedUpload,
  mediaTypeForExtension,
  normaliseMediaType,
} from '@ecg/contracts';
import { ServiceError } from '@ecg/service-kit';
import { newUploadKey } from '../../storage/keys.js';
import { requireUser } from '../../auth/principal.js';
import type { ObjectStorage } from '../../storage/storage.js';
import { API_ROUTE_CONFIG } from '../api-route.js';

export interface GenerateUrlOptions {
  storage: Pick<ObjectStorage, 'createUploadUrl'>;
  uploadUrlExpiresSeconds: number;
  maxUploadBytes: number;
}

/**
 * The media type the upload is bound to. Browsers label files they do not
 * recognise (often .mkv) as application/octet-stream; then the extension
 * decides, and the usual check still refuses anything that is not media.
 */
export function uploadContentType(filename: string, declared: string): string {
  const type = normaliseMediaType(declared);
  if (type === 'application/octet-stream') return mediaTypeForExtension(extensionOf(filename)) ?? type;
  return type;
}

/** `POST /api/upload-video/generate-url`: a presigned PUT for one media file. */
export const generateUrlRoute: FastifyPluginAsyncZod<GenerateUrlOptions> = async (app, opts) => {
  app.post(
    '/generate-url',
    {
      config: API_ROUTE_CONFIG,
      schema: {
        summary: 'Get a presigned URL to upload one video or audio file',
        tags: ['upload-video'],
        body: GenerateUrlRequest,
        response: { 200: GenerateUrlResponse, 400: ErrorBody, 413: ErrorBody, 415: ErrorBody, 429: ErrorBody, 503: ErrorBody },
      },
    },
    async (request) => {
      const { filename, filesize } = request.body;
      // The schema guarantees one of the two is present.
      const declared = request.body.filetype ?? request.body.content_type ?? '';
      const contentType = uploadContentType(filename, declared);
      if (!isAcceptedUpload(filename, contentType)) {
        throw new ServiceError(
          'UNSUPPORTED_FILE_TYPE',
          `"${declared}" files are not accepted; upload a video or audio file (${ACCEPTED_EXTENSIONS.join(', ')})`,
          { details: { filetype: declared, accepted: ACCEPTED_EXTENSIONS } },
        );
      }
      if (filesize !== undefined && filesize > opts.maxUploadBytes) {
        throw new ServiceError('FILE_TOO_LARGE', `the file is ${filesize} bytes; the limit is ${opts.maxUploadBytes} bytes`, {
          details: {
            filesize,
            maxBytes: opts.maxUploadBytes,
          },
        });
      }
      const fileKey = newUploadKey(filename, requireUser(request).userId);
      let presigned;
      try {
        presigned = await opts.storage.createUploadUrl(fileKey, contentType, opts.uploadUrlExpiresSeconds);
      } catch (err) {
        request.log.error({ err, fileKey }, 'storage could not sign an upload URL');
        throw new ServiceError('STORAGE_UNAVAILABLE', 'storage is not available; try again shortly');
      }
      return {
        url: presigned.url,
        fileKey,
        expiresIn: opts.uploadUrlExpiresSeconds,
        method: presigned.method,
        headers: presigned.headers,
        maxBytes: opts.maxUploadBytes,
      };
    },
  );
};
