import type { MultipartFile } from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import { ACCEPTED_EXTENSIONS, isAcceptedUpload } from '@ecg/contracts';
import { ServiceError } from '@ecg/service-kit';
import { newUploadKey } from '../../storage/keys.js';
import type { ObjectStorage } from '../../storage/storage.js';
import { uploadContentType } from '../upload-video/generate-url.js';
import type { FormFields } from './audio-fields.js';
import { fieldError } from './openai-errors.js';

export interface ReceivedAudioForm {
  /** The upload key the file was stored under, as generate-url would have named it. */
  fileKey: string;
  fields: FormFields;
}

export interface ReceiveOptions {
  storage: Pick<ObjectStorage, 'write' | 'delete'>;
  maxUploadBytes: number;
  /** Whose upload it is: the key goes under their prefix. */
  ownerId: string;
}

/**
 * Reads a multipart audio request: the form fields, and the one `file` part
 * streamed straight into storage under a fresh upload key (never held in
 * memory). A file over MAX_UPLOAD_BYTES answers 413 and leaves nothing
 * stored; a file that is not video or audio by its name and type answers 400
 * UNSUPPORTED_FILE_TYPE before a byte is stored. On any failure after the
 * file was stored, the caller deletes it (it has the key); here nothing stays
 * behind if reading the request itself fails.
 */
export async function receiveAudioForm(request: FastifyRequest, opts: ReceiveOptions): Promise<ReceivedAudioForm> {
  if (!request.isMultipart()) {
    throw new ServiceError('VALIDATION_ERROR', 'send the request as multipart/form-data with the audio in "file"', { details: { param: 'file' } });
  }
  const fields = new Map<string, string[]>();
  let fileKey: string | null = null;
  try {
    for await (const part of request.parts()) {
      if (part.type === 'field') {
        const value = typeof part.value === 'string' ? part.value : String(part.value);
        fields.set(part.fieldname, [...(fields.get(part.fieldname) ?? []), value]);
        continue;
      }
      if (part.fieldname !== 'file' || fileKey !== null) {
        part.file.resume();
        throw fieldError('file', 'VALIDATION_ERROR', 400, 'send exactly one file, in the field "file"');
      }
      fileKey = await storeFile(part, opts);
    }
  } catch (err) {
    if (fileKey) await opts.storage.delete(fileKey).catch((e: unknown) => request.log.warn({ err: e, fileKey }, 'could not delete a refused upload'));
    throw translateMultipartError(err, opts.maxUploadBytes);
  }
  if (!fileKey) throw fieldError('file', 'VALIDATION_ERROR', 400, 'file is required: the audio or video to transcribe');
  return { fileKey, fields };
}

async function storeFile(part: MultipartFile, opts: ReceiveOptions): Promise<string> {
  const filename = part.filename || 'audio';
  const contentType = uploadContentType(filename, part.mimetype || 'application/octet-stream');
  if (!isAcceptedUpload(filename, contentType)) {
    part.file.resume();
    throw fieldError(
      'file',
      'UNSUPPORTED_FILE_TYPE',
      400,
      `"${filename}" (${part.mimetype}) is not a video or audio file; send one of ${ACCEPTED_EXTENSIONS.join(', ')}`,
    );
  }
  const key = newUploadKey(filename, opts.ownerId);
  try {
    await opts.storage.write(key, part.file, contentType);
  } catch (err) {
    // Whatever the driver left of a stream cut short goes too.
    await opts.storage.delete(key).catch(() => undefined);
    throw err;
  }
  if (part.file.truncated) {
    await opts.storage.delete(key).catch(() => undefined);
    throw tooLarge(opts.maxUploadBytes);
  }
  return key;
}

function tooLarge(maxBytes: number): ServiceError {
  return new ServiceError('FILE_TOO_LARGE', `the file is larger than the limit of ${maxBytes} bytes (MAX_UPLOAD_BYTES)`, { details: { param: 'file', maxBytes } });
}

/** @fastify/multipart's own limit errors as ECG's codes. */
function translateMultipartError(err: unknown, maxBytes: number): unknown {
  const code = (err as { code?: unknown }).code;
  if (code === 'FST_REQ_FILE_TOO_LARGE') return tooLarge(maxBytes);
  if (code === 'FST_PARTS_LIMIT' || code === 'FST_FILES_LIMIT' || code === 'FST_FIELDS_LIMIT') {
    return new ServiceError('PAYLOAD_TOO_LARGE', 'the form has too many fields or files', { details: { param: 'file' } });
  }
  if (code === 'FST_INVALID_MULTIPART_CONTENT_TYPE') {
    return new ServiceError('VALIDATION_ERROR', 'the body is not valid multipart/form-data', { details: { param: 'file' } });
  }
  return err;
}
