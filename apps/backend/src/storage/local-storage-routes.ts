import type { Readable } from 'node:stream';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { errorBody, type ErrorCode } from '@ecg/contracts';
import { attachmentDisposition } from './content-disposition.js';
import { isSafeObjectKey } from './keys.js';
import type { LocalStorage, OpenedObject } from './local-storage.js';
import { parseRange } from './http-range.js';
import type { LocalUrlClaims } from './local-url-signing.js';
import { ObjectAlreadyExistsError, StorageNotFoundError, UploadTooLargeError } from './storage.js';

export interface LocalStorageRoutesOptions {
  storage: LocalStorage;
  maxUploadBytes: number;
}

/** What the PUT route's onRequest hook hands to its handler once the URL checked out. */
interface VerifiedUrl {
  key: string;
  claims: LocalUrlClaims;
}


/**
 * `PUT|GET|HEAD /storage/<key>`: the local driver's stand-in for S3's
 * presigned URLs. Register it at the root (no prefix): signed URLs are built
 * as `<PUBLIC_URL>/storage/<key>`. Everything is decided from the URL and the
 * headers before a byte of the body is read, and the body is streamed to disk,
 * never buffered, so a multi-GB upload costs a few KB of memory.
 */
export const localStorageRoutes: FastifyPluginAsync<LocalStorageRoutesOptions> = async (app, opts) => {
  const { storage, maxUploadBytes } = opts;
  // The onRequest hook's verdict, for the handler of the same request.
  const verifiedUploads = new WeakMap<FastifyRequest, VerifiedUrl>();

  // This plugin is encapsulated, so these parsers only apply to its routes: the
  // body of a PUT (video/mp4, application/json, or no type at all) is left as
  // the raw stream. Not reading it also keeps Fastify's bodyLimit out of the
  // way: that limit is applied only by the built-in parsers that buffer.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, payload, done) => done(null, payload));

  function fail(reply: FastifyReply, status: number, code: ErrorCode, message: string, closeConnection: boolean): FastifyReply {
    // When we answer before reading the body the client may still be sending
    // it; closing the connection stops a multi-GB upload from being drained.
    if (closeConnection) reply.header('connection', 'close');
    return reply.code(status).type('application/json; charset=utf-8').send(errorBody(code, message));
  }

  function verify(request: FastifyRequest, reply: FastifyReply): VerifiedUrl | undefined {
    const isPut = request.method === 'PUT';
    const key = (request.params as Record<string, string | undefined>)['*'] ?? '';
    if (!isSafeObjectKey(key)) {
      fail(reply, 400, 'INVALID_FILE_KEY', 'the storage path is not a valid object key', isPut);
      return undefined;
    }
    const verdict = storage.verifySignedRequest({
      method: request.method,
      key,
      query: request.query as Record<string, string | string[] | undefined>,
      contentType: request.headers['content-type'],
    });
    if (!verdict.ok) {
      fail(reply, 403, verdict.code, verdict.message, isPut);
      return undefined;
    }
    return { key, claims: verdict.claims };
  }

  const alreadyUsed = 'this upload URL was already used: its key holds an object, which is never replaced; ask for a new upload URL';

  app.put('/storage/*', {
    // onRequest runs before Fastify looks at the body or its content type, so a
    // forged, expired, oversized or repeated upload is refused without reading a byte.
    onRequest: async (request, reply) => {
      const verified = verify(request, reply);
      if (!verified) return reply;
      const declared = request.headers['content-length'];
      if (declared !== undefined && Number(declared) > maxUploadBytes) {
        return fail(reply, 413, 'FILE_TOO_LARGE', `the file is larger than the limit of ${maxUploadBytes} bytes`, true);
      }
      // Upload URLs write once. This early check spares a repeated PUT its
      // transfer; receiveUpload's placement is what decides a race.
      if (await storage.head(verified.key)) return fail(reply, 409, 'OBJECT_ALREADY_EXISTS', alreadyUsed, true);
      verifiedUploads.set(request, verified);
      return undefined;
    },
    handler: async (request, reply) => {
      const verified = verifiedUploads.get(request);
      if (!verified) return fail(reply, 403, 'INVALID_URL_SIGNATURE', 'the URL was not verified', true);
      const body = isReadable(request.body) ? request.body : request.raw;
      try {
        const stored = await storage.receiveUpload(verified.key, body, verified.claims.contentType ?? '', maxUploadBytes);
        return reply.code(200).header('etag', stored.etag).send();
      } catch (err) {
        if (err instanceof ObjectAlreadyExistsError) {
          // Another PUT with the same URL got there first; this body was read
          // to the end, so the connection can stay.
          return fail(reply, 409, 'OBJECT_ALREADY_EXISTS', alreadyUsed, false);
        }
        if (err instanceof UploadTooLargeError) {
          // The rest of the body is discarded while the 413 goes out; the
          // connection closes right after it.
          body.resume();
          return fail(reply, 413, 'FILE_TOO_LARGE', `the file is larger than the limit of ${maxUploadBytes} bytes`, true);
        }
        if (body.destroyed || request.raw.destroyed) {
          // The client went away mid-upload; the answer is for the logs only.
          request.log.info({ key: verified.key }, 'upload aborted by the client; nothing stored');
          return fail(reply, 400, 'VALIDATION_ERROR', 'the upload ended before all bytes arrived', true);
        }
        throw err;
      }
    },
  });

  async function serve(request: FastifyRequest, reply: FastifyReply, withBody: boolean): Promise<FastifyReply> {
    const verified = verify(request, reply);
    if (!verified) return reply;
    let object: OpenedObject;
    try {
      object = await storage.open(verified.key);
    } catch (err) {
      if (err instanceof StorageNotFoundError) return fail(reply, 404, 'OBJECT_NOT_FOUND', 'no object under this key', false);
      throw err;
    }

    reply
      .header('accept-ranges', 'bytes')
      .header('content-type', object.contentType ?? 'application/octet-stream')
      .header('last-modified', object.lastModified.toUTCString())
      .header('cache-control', 'private, max-age=0');
    if (object.etag) reply.header('etag', object.etag);
    if (verified.claims.downloadName !== undefined) {
      reply.header('content-disposition', attachmentDisposition(verified.claims.downloadName));
    }

    const range = parseRange(request.headers.range, object.size);
    if (range === 'unsatisfiable') {
      await object.close();
      return reply
        .code(416)
        .header('content-range', `bytes */${object.size}`)
        .type('application/json; charset=utf-8')
        .send(errorBody('VALIDATION_ERROR', `the requested range is outside the object (${object.size} bytes)`));
    }
    const { start, end } = range ?? { start: 0, end: object.size - 1 };
    const length = object.size === 0 ? 0 : end - start + 1;
    if (range) reply.code(206).header('content-range', `bytes ${start}-${end}/${object.size}`);
    reply.header('content-length', String(length));

    if (!withBody || length === 0) {
      await object.close();
      return reply.send();
    }
    return reply.send(object.createReadStream({ start, end }));
  }

  app.get('/storage/*', { exposeHeadRoute: false }, (request, reply) => serve(request, reply, true));
  app.head('/storage/*', (request, reply) => serve(request, reply, false));
};

function isReadable(value: unknown): value is Readable {
  return typeof value === 'object' && value !== null && typeof (value as Readable).pipe === 'function';
}

