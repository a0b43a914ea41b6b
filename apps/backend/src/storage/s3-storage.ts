import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
  type CompletedPart,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { attachmentDisposition } from './content-disposition.js';
import { isSafeObjectKey } from './keys.js';
import {
  InvalidStorageKeyError,
  StorageNotFoundError,
  type ObjectInfo,
  type ObjectStorage,
  type PresignedUpload,
} from './storage.js';

export interface S3StorageOptions {
  /** Unset for AWS itself; set for MinIO, R2, s3rver (`http://127.0.0.1:9000`). */
  endpoint?: string;
  bucket: string;
  region: string;
  /** Both unset: the SDK's default chain (env, profile, instance role). */
  accessKeyId?: string;
  secretAccessKey?: string;
  /** `true` for MinIO and most self-hosted stores (`<endpoint>/<bucket>/<key>`). */
  forcePathStyle: boolean;
  /**
   * Part size for `write`; S3 wants at least 5 MiB for all but the last part.
   * Memory used by a write is about one part.
   */
  multipartPartBytes?: number;
}

const MIN_PART_BYTES = 5 * 1024 * 1024;
const DEFAULT_PART_BYTES = 8 * 1024 * 1024;
/** SigV4 caps a presigned URL's lifetime at seven days. */
const MAX_PRESIGN_SECONDS = 7 * 24 * 3600;

/**
 * S3 (AWS, MinIO, R2) through the AWS SDK v3. Uploads never touch the backend:
 * the browser PUTs to a presigned URL whose SigV4 signature covers method, key,
 * expiry and the Content-Type header, so S3 refuses a PUT with another type.
 * It also covers `If-None-Match: *`, a conditional write: S3 answers 412 to a
 * PUT on a key that already holds an object (and 409 to one racing another
 * conditional PUT), so an upload URL writes once and a job's video cannot be
 * swapped under its captions. The bucket's CORS rule must allow the header.
 *
 * What a presigned PUT cannot do is cap the size: S3 has no max-length
 * condition for it (only POST policies do). request-process HEADs the object
 * and refuses and deletes one over MAX_UPLOAD_BYTES.
 */
export class S3Storage implements ObjectStorage {
  readonly driver = 's3' as const;
  readonly bucket: string;
  readonly client: S3Client;
  private readonly partBytes: number;

  constructor(opts: S3StorageOptions) {
    if (!opts.bucket) throw new Error('S3Storage needs a bucket');
    if ((opts.accessKeyId === undefined) !== (opts.secretAccessKey === undefined)) {
      throw new Error('set both S3 access key id and secret access key, or neither');
    }
    this.bucket = opts.bucket;
    this.partBytes = Math.max(MIN_PART_BYTES, opts.multipartPartBytes ?? DEFAULT_PART_BYTES);
    this.client = new S3Client({
      region: opts.region,
      forcePathStyle: opts.forcePathStyle,
      ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
      ...(opts.accessKeyId && opts.secretAccessKey
        ? { credentials: { accessKeyId: opts.accessKeyId, secretAccessKey: opts.secretAccessKey } }
        : {}),
      // Since SDK 3.729 the default is to add a CRC32 of the request body to
      // every PutObject, and a presigned URL then carries the CRC32 of the empty
      // body it was signed with (x-amz-checksum-crc32=AAAAAA==): S3 rejects the
      // browser's real upload with BadDigest, and MinIO/R2 handle the new
      // checksum headers unevenly. Checksums only where an API requires them.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  private checkKey(key: string): void {
    if (!isSafeObjectKey(key)) throw new InvalidStorageKeyError(key);
  }

  async createUploadUrl(key: string, contentType: string, expiresInSeconds: number): Promise<PresignedUpload> {
    this.checkKey(key);
    if (!contentType) throw new Error('an upload URL needs a content type');
    const url = await getSignedUrl(
      this.client,
      new PutObjectCommand({ Bucket: this.bucket, Key: key, ContentType: contentType, IfNoneMatch: '*' }),
      {
        expiresIn: presignSeconds(expiresInSeconds),
        // The presigner puts content-type in unsignableHeaders by default (so a
        // URL works whatever type the client sends); signableHeaders overrides
        // that and puts it in X-Amz-SignedHeaders, which is what makes S3 refuse
        // a PUT with another type. If-None-Match is signed without help (it is
        // not an x-amz- header, so it is not hoisted into the query): a PUT
        // that drops it fails the signature instead of overwriting.
        signableHeaders: new Set(['content-type']),
      },
    );
    return { url, method: 'PUT', headers: { 'Content-Type': contentType, 'If-None-Match': '*' } };
  }

  async createDownloadUrl(key: string, expiresInSeconds: number, opts?: { downloadName?: string }): Promise<string> {
    this.checkKey(key);
    return getSignedUrl(
      this.client,
      new GetObjectCommand({
        Bucket: this.bucket,
        Key: key,
        ...(opts?.downloadName !== undefined ? { ResponseContentDisposition: attachmentDisposition(opts.downloadName) } : {}),
      }),
      { expiresIn: presignSeconds(expiresInSeconds) },
    );
  }

  async head(key: string): Promise<ObjectInfo | null> {
    this.checkKey(key);
    try {
      const out = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return { size: out.ContentLength ?? 0, contentType: out.ContentType, lastModified: out.LastModified };
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    this.checkKey(key);
    // S3's DeleteObject already succeeds for a missing key.
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }

  async read(key: string): Promise<Readable> {
    this.checkKey(key);
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      if (out.Body instanceof Readable) return out.Body;
      throw new Error('the S3 client returned a body that is not a Node stream');
    } catch (err) {
      if (isNotFound(err)) throw new StorageNotFoundError(key);
      throw err;
    }
  }

  /**
   * Streams a body of unknown length without @aws-sdk/lib-storage: a body that
   * fits in one part is a single PutObject; a larger one becomes a multipart
   * upload, one part in memory at a time, aborted on any error so S3 keeps no
   * orphaned parts.
   */
  async write(key: string, body: Readable, contentType: string): Promise<void> {
    this.checkKey(key);
    const parts = chunksOf(body, this.partBytes);
    const first = await parts.next();
    const firstPart = first.done ? Buffer.alloc(0) : first.value;
    const second = first.done ? undefined : await parts.next();
    if (!second || second.done) {
      await this.client.send(
        new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: firstPart, ContentType: contentType }),
      );
      return;
    }

    const { UploadId } = await this.client.send(
      new CreateMultipartUploadCommand({ Bucket: this.bucket, Key: key, ContentType: contentType }),
    );
    if (!UploadId) throw new Error('S3 did not return an upload id');
    const completed: CompletedPart[] = [];
    try {
      const upload = async (part: Buffer): Promise<void> => {
        const PartNumber = completed.length + 1;
        const out = await this.client.send(
          new UploadPartCommand({ Bucket: this.bucket, Key: key, UploadId, PartNumber, Body: part }),
        );
        completed.push({ PartNumber, ETag: out.ETag });
      };
      await upload(firstPart);
      await upload(second.value);
      for (let next = await parts.next(); !next.done; next = await parts.next()) await upload(next.value);
      await this.client.send(
        new CompleteMultipartUploadCommand({
          Bucket: this.bucket,
          Key: key,
          UploadId,
          MultipartUpload: { Parts: completed },
        }),
      );
    } catch (err) {
      body.destroy();
      await this.client
        .send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId }))
        .catch(() => undefined); // the original error is the one worth reporting
      throw err;
    }
  }

  /** HeadBucket: proves the endpoint answers, the bucket exists and the credentials reach it. */
  async check(): Promise<void> {
    await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
  }
}

function presignSeconds(expiresInSeconds: number): number {
  if (!Number.isSafeInteger(expiresInSeconds) || expiresInSeconds < 1 || expiresInSeconds > MAX_PRESIGN_SECONDS) {
    throw new Error(`expiresInSeconds must be between 1 and ${MAX_PRESIGN_SECONDS}`);
  }
  return expiresInSeconds;
}

function isNotFound(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } } | undefined;
  return e?.name === 'NotFound' || e?.name === 'NoSuchKey' || e?.$metadata?.httpStatusCode === 404;
}

/** Re-cuts a stream into buffers of exactly `size` bytes (the last one shorter). */
async function* chunksOf(source: Readable, size: number): AsyncGenerator<Buffer> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  for await (const chunk of source) {
    let buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
    while (pendingBytes + buf.length >= size) {
      const take = size - pendingBytes;
      pending.push(buf.subarray(0, take));
      yield Buffer.concat(pending);
      buf = buf.subarray(take);
      pending = [];
      pendingBytes = 0;
    }
    if (buf.length > 0) {
      pending.push(buf);
      pendingBytes += buf.length;
    }
  }
  if (pendingBytes > 0) yield Buffer.concat(pending);
}
