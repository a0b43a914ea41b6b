import type { Readable } from 'node:stream';

/**
 * The only seam through which the backend touches object storage. Two drivers
 * sit behind it: `local` (files under DATA_DIR, served and signed by the
 * backend itself) and `s3` (AWS S3, MinIO, R2 via the AWS SDK v3).
 *
 * Callers may rely on:
 * - keys are validated by the caller (see keys.ts) before they reach a driver,
 *   and drivers refuse anything that could escape their root anyway
 *   (`InvalidStorageKeyError`, see `isSafeObjectKey`);
 * - `createUploadUrl` binds method, key, content type and expiry into the
 *   signature: a PUT with another content type, key or after expiry fails;
 * - an upload URL writes once: a PUT to a key that already holds an object
 *   fails and leaves that object as it was (local: 409 OBJECT_ALREADY_EXISTS;
 *   S3: 412 from the signed `If-None-Match: *`), and of two racing PUTs one
 *   wins whole. So the object behind a job never changes;
 * - `head` resolves to `null` for a missing object, never throws for that;
 * - `delete` of a missing object succeeds (idempotent);
 * - no method reads a whole object into memory.
 */
export interface ObjectStorage {
  readonly driver: 'local' | 's3';
  createUploadUrl(key: string, contentType: string, expiresInSeconds: number): Promise<PresignedUpload>;
  createDownloadUrl(key: string, expiresInSeconds: number, opts?: { downloadName?: string }): Promise<string>;
  head(key: string): Promise<ObjectInfo | null>;
  delete(key: string): Promise<void>;
  /** Streams an object's bytes; rejects with StorageNotFoundError when missing. */
  read(key: string): Promise<Readable>;
  /** Writes a stream to a key, replacing what is there (derived files only: waveforms, renders; never an upload key). */
  write(key: string, body: Readable, contentType: string): Promise<void>;
  /** Cheap reachability check for /health. */
  check(): Promise<void>;
}

export interface PresignedUpload {
  url: string;
  method: 'PUT';
  /** Headers the client must send with the PUT, exactly (Content-Type at least). */
  headers: Record<string, string>;
}

export interface ObjectInfo {
  size: number;
  contentType: string | undefined;
  lastModified: Date | undefined;
}

export class StorageNotFoundError extends Error {
  constructor(key: string) {
    super(`object not found: ${key}`);
    this.name = 'StorageNotFoundError';
  }
}

/** Thrown by a driver for a key `isSafeObjectKey` refuses; maps to INVALID_FILE_KEY. */
export class InvalidStorageKeyError extends Error {
  readonly code = 'INVALID_FILE_KEY';
  constructor(key: string) {
    super(`not a valid object key: ${JSON.stringify(key)}`);
    this.name = 'InvalidStorageKeyError';
  }
}

/** Thrown when an upload stream passes its byte limit; nothing is left stored. Maps to FILE_TOO_LARGE. */
export class UploadTooLargeError extends Error {
  readonly code = 'FILE_TOO_LARGE';
  constructor(readonly maxBytes: number) {
    super(`the upload is larger than the limit of ${maxBytes} bytes`);
    this.name = 'UploadTooLargeError';
  }
}

/**
 * Thrown when an upload targets a key that already holds an object: upload
 * URLs write once, so the object of a job can never be swapped under it.
 * Maps to OBJECT_ALREADY_EXISTS (409).
 */
export class ObjectAlreadyExistsError extends Error {
  readonly code = 'OBJECT_ALREADY_EXISTS';
  constructor(readonly key: string) {
    super(`an object is already stored under ${JSON.stringify(key)}; upload URLs write once`);
    this.name = 'ObjectAlreadyExistsError';
  }
}
