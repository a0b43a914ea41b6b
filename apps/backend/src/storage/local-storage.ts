import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { link, mkdir, open, readdir, readFile, rename, rm, stat, writeFile, type FileHandle } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { Transform, finished, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { isSafeObjectKey } from './keys.js';
import { signLocalUrl, verifyLocalUrl, type LocalUrlRequest, type LocalUrlVerdict } from './local-url-signing.js';
import {
  InvalidStorageKeyError,
  ObjectAlreadyExistsError,
  StorageNotFoundError,
  UploadTooLargeError,
  type ObjectInfo,
  type ObjectStorage,
  type PresignedUpload,
} from './storage.js';

export interface LocalStorageOptions {
  /** Root of everything ECG keeps on disk; objects live under `<dataDir>/objects`. */
  dataDir: string;
  /** Base URL browsers and the ML service reach the backend at; signed URLs start with it. */
  publicUrl: string;
  signingSecret: string;
  /** Upper bound for `receiveUpload`, in bytes. */
  maxUploadBytes: number;
}

export interface StoredObject {
  size: number;
  /** Quoted MD5 of the bytes, like S3's ETag for a single-part upload. */
  etag: string;
}

/** An object opened for reading: the stat is taken from the same file descriptor the bytes come from. */
export interface OpenedObject {
  size: number;
  contentType: string | undefined;
  etag: string | undefined;
  lastModified: Date;
  /** Inclusive byte range, as in HTTP. Takes over the descriptor; call once. */
  createReadStream(range?: { start: number; end: number }): Readable;
  /** Releases the descriptor when no stream is created (HEAD). */
  close(): Promise<void>;
}

interface ObjectMeta {
  contentType?: string;
  etag?: string;
}

function isMissing(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/**
 * Bytes read from disk at a time when an object is streamed out. Node's
 * 64 KiB default made the ML service's download of a 2 MB WAV over loopback
 * take 10-13 ms; 256 KiB takes 7 ms, 1 MiB 6.5 ms (median of 30, 2-core
 * machine, 2026-12-02). 256 KiB keeps most of that while a stream's buffer
 * stays small, for the many ranged reads of videos playing in editors.
 */
const READ_CHUNK_BYTES = 256 * 1024;

/**
 * The default driver: objects are files under `<dataDir>/objects/<key>`, their
 * content type and ETag sit in `<dataDir>/objects-meta/<sha256(key)>.json`
 * (hashed so no key can collide with another key's metadata), and uploads are
 * written to `<dataDir>/objects-tmp` first, on the same filesystem, so the
 * final placement is atomic: a reader sees the whole object or none of it.
 * Uploads write once (a key that holds an object refuses another upload);
 * derived files written by the backend itself replace their key.
 */
export class LocalStorage implements ObjectStorage {
  readonly driver = 'local' as const;
  readonly objectsDir: string;
  readonly metaDir: string;
  readonly tmpDir: string;
  readonly maxUploadBytes: number;
  private readonly publicUrl: string;
  private readonly signingSecret: string;

  constructor(opts: LocalStorageOptions) {
    if (!opts.signingSecret) throw new Error('LocalStorage needs a signing secret');
    if (!Number.isSafeInteger(opts.maxUploadBytes) || opts.maxUploadBytes < 1) {
      throw new Error('maxUploadBytes must be a positive whole number');
    }
    const root = resolve(opts.dataDir);
    this.objectsDir = join(root, 'objects');
    this.metaDir = join(root, 'objects-meta');
    this.tmpDir = join(root, 'objects-tmp');
    this.publicUrl = new URL(opts.publicUrl).toString().replace(/\/+$/, '');
    this.signingSecret = opts.signingSecret;
    this.maxUploadBytes = opts.maxUploadBytes;
  }

  /** Maps a key to its file, refusing anything that could resolve outside objectsDir. */
  pathFor(key: string): string {
    if (!isSafeObjectKey(key)) throw new InvalidStorageKeyError(key);
    const path = join(this.objectsDir, ...key.split('/'));
    if (!path.startsWith(this.objectsDir + sep)) throw new InvalidStorageKeyError(key);
    return path;
  }

  private metaPathFor(key: string): string {
    return join(this.metaDir, `${createHash('sha256').update(key, 'utf8').digest('hex')}.json`);
  }

  /** `<publicUrl>/storage/<key, each segment percent-encoded>?<signed params>` */
  private signedUrl(key: string, params: Record<string, string>): string {
    this.pathFor(key);
    const path = key.split('/').map(encodeURIComponent).join('/');
    return `${this.publicUrl}/storage/${path}?${new URLSearchParams(params).toString()}`;
  }

  async createUploadUrl(key: string, contentType: string, expiresInSeconds: number): Promise<PresignedUpload> {
    if (!contentType || /[\p{Cc}]/u.test(contentType)) throw new Error('an upload URL needs a plain content type');
    const params = signLocalUrl(this.signingSecret, {
      method: 'PUT',
      key,
      contentType,
      expires: expiryFrom(expiresInSeconds),
    });
    return { url: this.signedUrl(key, params), method: 'PUT', headers: { 'Content-Type': contentType } };
  }

  async createDownloadUrl(key: string, expiresInSeconds: number, opts?: { downloadName?: string }): Promise<string> {
    const params = signLocalUrl(this.signingSecret, {
      method: 'GET',
      key,
      expires: expiryFrom(expiresInSeconds),
      ...(opts?.downloadName !== undefined ? { downloadName: opts.downloadName } : {}),
    });
    return this.signedUrl(key, params);
  }

  /** Checks a request to a URL this store signed (the routes call it before reading any body). */
  verifySignedRequest(request: LocalUrlRequest): LocalUrlVerdict {
    return verifyLocalUrl(this.signingSecret, request);
  }

  async head(key: string): Promise<ObjectInfo | null> {
    const path = this.pathFor(key);
    let info;
    try {
      info = await stat(path);
    } catch (err) {
      if (isMissing(err)) return null;
      throw err;
    }
    if (!info.isFile()) return null;
    const meta = await this.readMeta(key);
    return { size: info.size, contentType: meta.contentType, lastModified: info.mtime };
  }

  async delete(key: string): Promise<void> {
    await rm(this.pathFor(key), { force: true });
    await rm(this.metaPathFor(key), { force: true });
  }

  async read(key: string): Promise<Readable> {
    return (await this.open(key)).createReadStream();
  }

  /** Opens an object for a (possibly ranged) read; rejects with StorageNotFoundError when missing. */
  async open(key: string): Promise<OpenedObject> {
    const path = this.pathFor(key);
    let handle: FileHandle;
    try {
      handle = await open(path, 'r');
    } catch (err) {
      if (isMissing(err) || (err as NodeJS.ErrnoException).code === 'EISDIR') throw new StorageNotFoundError(key);
      throw err;
    }
    try {
      const info = await handle.stat();
      if (!info.isFile()) throw new StorageNotFoundError(key);
      const meta = await this.readMeta(key);
      return {
        size: info.size,
        contentType: meta.contentType,
        etag: meta.etag,
        lastModified: info.mtime,
        createReadStream: (range) => handle.createReadStream({ ...(range ? { start: range.start, end: range.end } : {}), highWaterMark: READ_CHUNK_BYTES }),
        close: () => handle.close(),
      };
    } catch (err) {
      await handle.close();
      throw err;
    }
  }

  async write(key: string, body: Readable, contentType: string): Promise<void> {
    // Derived files come from our own code, so there is no byte limit; a failing
    // producer should stop, hence the source is destroyed on error. A new
    // waveform or render replaces the old one under its key.
    await this.store(key, body, contentType, { maxBytes: Number.POSITIVE_INFINITY, destroySourceOnError: true, replace: true });
  }

  /**
   * Stores an upload stream under `key`: counts bytes as they pass, rejects with
   * UploadTooLargeError as soon as `maxBytes` is exceeded, and places the temp
   * file only after every byte is on disk, and only if the key is still free:
   * otherwise it rejects with ObjectAlreadyExistsError and the object already
   * there stays as it was. On any failure nothing is left under the key or in
   * the temp dir. The source is not destroyed, so an HTTP handler can still
   * answer on the same connection.
   */
  async receiveUpload(key: string, body: Readable, contentType: string, maxBytes = this.maxUploadBytes): Promise<StoredObject> {
    return this.store(key, body, contentType, { maxBytes, destroySourceOnError: false, replace: false });
  }

  private async store(
    key: string,
    source: Readable,
    contentType: string,
    opts: { maxBytes: number; destroySourceOnError: boolean; replace: boolean },
  ): Promise<StoredObject> {
    const { maxBytes } = opts;
    const target = this.pathFor(key);
    await mkdir(this.tmpDir, { recursive: true });
    const tmp = join(this.tmpDir, `${randomUUID()}.part`);
    const hash = createHash('md5');
    let size = 0;
    const limiter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        size += chunk.length;
        if (size > maxBytes) {
          callback(new UploadTooLargeError(maxBytes));
          return;
        }
        hash.update(chunk);
        callback(null, chunk);
      },
    });
    // pipe() rather than pipeline() for the source link: pipeline would destroy
    // an IncomingMessage on error, and that closes the socket before the 413
    // can be sent. A source that ends early (client gone) still fails the write.
    const stopWatchingSource = finished(source, { writable: false }, (err) => {
      if (err) limiter.destroy(err);
    });
    source.pipe(limiter);
    const out = createWriteStream(tmp, { flags: 'wx' });
    try {
      await pipeline(limiter, out);
      await syncFile(tmp);
      const etag = `"${hash.digest('hex')}"`;
      await mkdir(dirname(target), { recursive: true });
      if (opts.replace) {
        await this.writeMeta(key, { contentType, etag });
        await rename(tmp, target);
      } else {
        await this.placeOnce(key, tmp, target, { contentType, etag });
      }
      return { size, etag };
    } catch (err) {
      source.unpipe(limiter);
      if (opts.destroySourceOnError) source.destroy();
      // An error before the file finished opening would otherwise let the open
      // complete after the rm below and leave an empty part file behind.
      if (!out.closed) await new Promise<void>((resolve) => out.once('close', () => resolve()));
      await rm(tmp, { force: true });
      throw err;
    } finally {
      stopWatchingSource();
    }
  }

  /**
   * Moves a finished upload into place unless the key already holds an object.
   * rename() would silently replace an object that appeared since any earlier
   * check (two PUTs with one URL racing), so the name is made with link(),
   * which creates it atomically or fails with EEXIST: of any number of racing
   * uploads exactly one links, the others are refused and remove their temp
   * files. The winner writes the metadata only after it has won, so a loser
   * never touches the winner's content type or ETag; in between (the instant
   * before the PUT is answered) the object reads as application/octet-stream.
   */
  private async placeOnce(key: string, tmp: string, target: string, meta: ObjectMeta): Promise<void> {
    try {
      await link(tmp, target);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new ObjectAlreadyExistsError(key);
      throw err;
    }
    try {
      await this.writeMeta(key, meta);
    } catch (err) {
      // Only this upload can have made the name, so removing it takes nothing
      // from anyone; an object without its metadata must not stay behind.
      await rm(target, { force: true });
      throw err;
    }
    // The object lives on under its key; the temp name is no longer needed.
    await rm(tmp, { force: true });
  }

  private async readMeta(key: string): Promise<ObjectMeta> {
    try {
      const parsed: unknown = JSON.parse(await readFile(this.metaPathFor(key), 'utf8'));
      if (typeof parsed !== 'object' || parsed === null) return {};
      const { contentType, etag } = parsed as Record<string, unknown>;
      return {
        ...(typeof contentType === 'string' ? { contentType } : {}),
        ...(typeof etag === 'string' ? { etag } : {}),
      };
    } catch (err) {
      // An object without metadata (copied in by hand, or a crash between the
      // two renames) is still served, as application/octet-stream.
      if (isMissing(err) || err instanceof SyntaxError) return {};
      throw err;
    }
  }

  private async writeMeta(key: string, meta: ObjectMeta): Promise<void> {
    await mkdir(this.metaDir, { recursive: true });
    const tmp = join(this.tmpDir, `${randomUUID()}.meta`);
    try {
      await writeFile(tmp, JSON.stringify(meta), { flag: 'wx' });
      await rename(tmp, this.metaPathFor(key));
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
  }

  /** Proves the store can create, write and remove files (for /health). */
  async check(): Promise<void> {
    await Promise.all([this.objectsDir, this.metaDir, this.tmpDir].map((d) => mkdir(d, { recursive: true })));
    const probe = join(this.tmpDir, `${randomUUID()}.probe`);
    try {
      await writeFile(probe, 'ok', { flag: 'wx' });
    } finally {
      await rm(probe, { force: true });
    }
  }

  /**
   * Deletes temp files a crash left behind (uploads in flight when the process
   * died). Call at startup; `olderThanMs` spares uploads another process sharing
   * DATA_DIR may be receiving right now.
   */
  async removeStaleTempFiles(olderThanMs = 24 * 3600 * 1000, now = Date.now()): Promise<number> {
    let names: string[];
    try {
      names = await readdir(this.tmpDir);
    } catch (err) {
      if (isMissing(err)) return 0;
      throw err;
    }
    let removed = 0;
    for (const name of names) {
      const path = join(this.tmpDir, name);
      const info = await stat(path).catch(() => undefined);
      if (info?.isFile() && now - info.mtimeMs > olderThanMs) {
        await rm(path, { force: true });
        removed++;
      }
    }
    return removed;
  }
}

function expiryFrom(expiresInSeconds: number): number {
  if (!Number.isSafeInteger(expiresInSeconds) || expiresInSeconds < 1) {
    throw new Error('expiresInSeconds must be a positive whole number');
  }
  return Math.floor(Date.now() / 1000) + expiresInSeconds;
}

async function syncFile(path: string): Promise<void> {
  // Without this a power cut after the rename could leave an empty or torn
  // file under a key that request-process already accepted.
  const handle = await open(path, 'r+');
  try {
    await handle.datasync();
  } finally {
    await handle.close();
  }
}
