import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { createStorage } from '../src/storage/create-storage.js';
import { makeUploadKey } from '../src/storage/keys.js';
import { LocalStorage } from '../src/storage/local-storage.js';
import { localStorageRoutes } from '../src/storage/local-storage-routes.js';
import { signLocalUrl } from '../src/storage/local-url-signing.js';
import { ObjectAlreadyExistsError, StorageNotFoundError } from '../src/storage/storage.js';

const SECRET = 'local-storage-test-secret';
const BIG_LIMIT = 1024 * 1024;
const SMALL_LIMIT = 64 * 1024;

interface Served {
  app: FastifyInstance;
  /** Signs URLs with the server's real address (the instance the routes use was built before the port was known). */
  store: LocalStorage;
  dataDir: string;
  origin: string;
}

/**
 * A bare Fastify with only the storage plugin, listening on a random port.
 * bodyLimit is set far below the uploads on purpose: the plugin must not let
 * Fastify's own limit cut a large PUT.
 */
async function serve(maxUploadBytes: number): Promise<Served> {
  const dataDir = await mkdtemp(join(tmpdir(), 'ecg-storage-local-'));
  const routesStore = new LocalStorage({ dataDir, publicUrl: 'http://placeholder.invalid', signingSecret: SECRET, maxUploadBytes });
  const app = Fastify({ bodyLimit: 1024 });
  await app.register(localStorageRoutes, { storage: routesStore, maxUploadBytes });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as { port: number };
  const origin = `http://127.0.0.1:${port}`;
  const store = new LocalStorage({ dataDir, publicUrl: origin, signingSecret: SECRET, maxUploadBytes });
  return { app, store, dataDir, origin };
}

async function filesUnder(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

async function assertNothingStored(s: Served, key: string): Promise<void> {
  assert.equal(await s.store.head(key), null, `${key} must not exist`);
  assert.deepEqual(await filesUnder(s.store.objectsDir), [], 'objects dir must be empty');
  assert.deepEqual(await filesUnder(s.store.tmpDir), [], 'temp dir must be empty');
}

async function errorCode(res: Response): Promise<string> {
  const body = (await res.json()) as { error?: { code?: string } };
  return body.error?.code ?? '(no error code)';
}

const md5Etag = (data: Buffer): string => `"${createHash('md5').update(data).digest('hex')}"`;

/** The bytes, content type and ETag stored under `key`, read the way the GET route reads them. */
async function storedObject(store: LocalStorage, key: string): Promise<{ bytes: Buffer; contentType: string | undefined; etag: string | undefined }> {
  const opened = await store.open(key);
  const bytes = await collect(opened.createReadStream());
  return { bytes, contentType: opened.contentType, etag: opened.etag };
}

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** A URL for `key` signed with an arbitrary expiry, as createUploadUrl would build it. */
function urlSignedWith(origin: string, key: string, claims: { method: 'PUT' | 'GET'; expires: number; contentType?: string }): string {
  const params = signLocalUrl(SECRET, { key, ...claims });
  return `${origin}/storage/${key.split('/').map(encodeURIComponent).join('/')}?${new URLSearchParams(params).toString()}`;
}

interface RawResponse {
  status: number;
  body: string;
}

/**
 * PUT through node:http, for bodies fetch cannot send (chunked and lying) and
 * for paths fetch would normalise. Resolves with the response even when the
 * server closes the connection while the body is still being written.
 */
function rawRequest(
  method: string,
  origin: string,
  path: string,
  headers: Record<string, string>,
  chunks: Buffer[] = [],
  opts: { abortWhen?: () => Promise<void>; afterFirstChunk?: () => Promise<void> } = {},
): Promise<RawResponse | 'aborted'> {
  const url = new URL(origin);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ method, host: url.hostname, port: url.port, path, headers });
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (opts.abortWhen) resolve('aborted');
      // EPIPE/ECONNRESET after the server answered early: the response event already fired.
      else if (err.code !== 'EPIPE' && err.code !== 'ECONNRESET') reject(err);
    });
    void (async () => {
      for (const [i, chunk] of chunks.entries()) {
        if (!req.write(chunk)) await new Promise((r) => req.once('drain', r));
        await new Promise((r) => setImmediate(r));
        if (i === 0) await opts.afterFirstChunk?.();
      }
      if (opts.abortWhen) {
        await opts.abortWhen();
        req.destroy();
        return;
      }
      req.end();
    })();
  });
}

function pathAndQuery(url: string): string {
  const u = new URL(url);
  return `${u.pathname}${u.search}`;
}

async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
  // Bounded wait for the server side to finish cleaning up after a client
  // disconnect; not a timing assertion, only a bound on waiting.
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  assert.fail(`timed out waiting until ${what}`);
}

describe('LocalStorage through its signed-URL routes', () => {
  // `big` holds the objects of the tests that store something; `guarded` and
  // `small` only ever see refused uploads (plus one deleted again), so their
  // objects and temp dirs must stay empty.
  let big: Served;
  let guarded: Served;
  let small: Served;

  before(async () => {
    big = await serve(BIG_LIMIT);
    guarded = await serve(BIG_LIMIT);
    small = await serve(SMALL_LIMIT);
  });

  after(async () => {
    for (const s of [big, guarded, small]) {
      if (!s) continue;
      await s.app.close();
      await rm(s.dataDir, { recursive: true, force: true });
    }
  });

  test('a signed PUT of real bytes reads back byte-identical through a signed GET and read()', async () => {
    const key = makeUploadKey('회의 녹화.mp4');
    const data = randomBytes(300 * 1024);
    const upload = await big.store.createUploadUrl(key, 'video/mp4', 60);
    assert.equal(upload.method, 'PUT');
    assert.deepEqual(upload.headers, { 'Content-Type': 'video/mp4' });
    assert.ok(upload.url.startsWith(`${big.origin}/storage/videos/anonymous/`));

    const put = await fetch(upload.url, { method: upload.method, headers: upload.headers, body: data });
    assert.equal(put.status, 200, await put.clone().text());
    assert.equal(put.headers.get('etag'), `"${createHash('md5').update(data).digest('hex')}"`);

    const info = await big.store.head(key);
    assert.equal(info?.size, data.length);
    assert.equal(info?.contentType, 'video/mp4');
    assert.ok(info?.lastModified instanceof Date);

    const get = await fetch(await big.store.createDownloadUrl(key, 60));
    assert.equal(get.status, 200);
    assert.equal(get.headers.get('content-type'), 'video/mp4');
    assert.equal(get.headers.get('accept-ranges'), 'bytes');
    assert.equal(get.headers.get('content-length'), String(data.length));
    assert.equal(get.headers.get('content-disposition'), null);
    assert.ok(Buffer.from(await get.arrayBuffer()).equals(data), 'GET bytes differ');

    assert.ok((await collect(await big.store.read(key))).equals(data), 'read() bytes differ');
    assert.deepEqual(await filesUnder(big.store.tmpDir), []);
  });

  test('stores an application/json body byte for byte instead of parsing it', async () => {
    const key = 'exports/raw.json';
    const body = Buffer.from('{"not": "parsed",   "spacing": "kept"}');
    const upload = await big.store.createUploadUrl(key, 'application/json', 60);
    const put = await fetch(upload.url, { method: 'PUT', headers: upload.headers, body });
    assert.equal(put.status, 200);
    assert.ok((await collect(await big.store.read(key))).equals(body));
  });

  test('stores an empty upload and serves it with length 0', async () => {
    const key = makeUploadKey('empty.mp4');
    const upload = await big.store.createUploadUrl(key, 'video/mp4', 60);
    const put = await fetch(upload.url, { method: 'PUT', headers: upload.headers, body: new Uint8Array(0) });
    assert.equal(put.status, 200);
    assert.equal((await big.store.head(key))?.size, 0);
    const get = await fetch(await big.store.createDownloadUrl(key, 60));
    assert.equal(get.status, 200);
    assert.equal(get.headers.get('content-length'), '0');
    assert.equal((await get.arrayBuffer()).byteLength, 0);
  });

  test('serves a byte range with 206 so a video element can seek', async () => {
    const key = makeUploadKey('seek.mp4');
    const data = randomBytes(200 * 1024);
    await big.store.write(key, Readable.from([data]), 'video/mp4');
    const url = await big.store.createDownloadUrl(key, 60);

    const mid = await fetch(url, { headers: { Range: 'bytes=1000-1999' } });
    assert.equal(mid.status, 206);
    assert.equal(mid.headers.get('content-range'), `bytes 1000-1999/${data.length}`);
    assert.equal(mid.headers.get('content-length'), '1000');
    assert.equal(mid.headers.get('content-type'), 'video/mp4');
    assert.ok(Buffer.from(await mid.arrayBuffer()).equals(data.subarray(1000, 2000)));

    const open = await fetch(url, { headers: { Range: `bytes=${data.length - 10}-` } });
    assert.equal(open.status, 206);
    assert.ok(Buffer.from(await open.arrayBuffer()).equals(data.subarray(data.length - 10)));

    const suffix = await fetch(url, { headers: { Range: 'bytes=-5' } });
    assert.equal(suffix.status, 206);
    assert.ok(Buffer.from(await suffix.arrayBuffer()).equals(data.subarray(data.length - 5)));

    const beyond = await fetch(url, { headers: { Range: `bytes=${data.length}-` } });
    assert.equal(beyond.status, 416);
    assert.equal(beyond.headers.get('content-range'), `bytes */${data.length}`);
  });

  test('answers HEAD on a download URL with the size and no body', async () => {
    const key = 'derived/head.bin';
    await big.store.write(key, Readable.from([Buffer.alloc(1234, 7)]), 'application/octet-stream');
    const res = await fetch(await big.store.createDownloadUrl(key, 60), { method: 'HEAD' });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-length'), '1234');
    assert.equal((await res.arrayBuffer()).byteLength, 0);
  });

  test('names the download when a download name was signed in', async () => {
    const key = 'exports/captions.srt';
    await big.store.write(key, Readable.from([Buffer.from('1\n00:00:00,000 --> 00:00:01,000\n안녕\n')]), 'application/x-subrip');
    const res = await fetch(await big.store.createDownloadUrl(key, 60, { downloadName: '회의 녹화.srt' }));
    assert.equal(res.status, 200);
    assert.equal(
      res.headers.get('content-disposition'),
      `attachment; filename="_ _.srt"; filename*=UTF-8''${encodeURIComponent('회의 녹화.srt')}`,
    );
    await res.arrayBuffer();
  });

  test('refuses a PUT whose content type differs from the signed one and stores nothing', async () => {
    const key = makeUploadKey('type.mp4');
    const upload = await guarded.store.createUploadUrl(key, 'video/mp4', 60);
    const res = await fetch(upload.url, { method: 'PUT', headers: { 'Content-Type': 'video/webm' }, body: randomBytes(1000) });
    assert.equal(res.status, 403);
    assert.equal(await errorCode(res), 'CONTENT_TYPE_MISMATCH');
    await assertNothingStored(guarded, key);
  });

  test('refuses a PUT without a content type (not a 415) and stores nothing', async () => {
    const key = makeUploadKey('none.mp4');
    const upload = await guarded.store.createUploadUrl(key, 'video/mp4', 60);
    const res = await rawRequest('PUT', guarded.origin, pathAndQuery(upload.url), { 'Content-Length': '100' }, [randomBytes(100)]);
    assert.notEqual(res, 'aborted');
    if (res === 'aborted') return;
    assert.equal(res.status, 403);
    assert.equal((JSON.parse(res.body) as { error: { code: string } }).error.code, 'CONTENT_TYPE_MISMATCH');
    await assertNothingStored(guarded, key);
  });

  test('refuses a PUT to another key than the signed one and stores nothing', async () => {
    const key = makeUploadKey('mine.mp4');
    const upload = await guarded.store.createUploadUrl(key, 'video/mp4', 60);
    const otherKey = key.replace('mine.mp4', 'theirs.mp4');
    const moved = upload.url.replace('mine.mp4', 'theirs.mp4');
    const res = await fetch(moved, { method: 'PUT', headers: upload.headers, body: randomBytes(1000) });
    assert.equal(res.status, 403);
    assert.equal(await errorCode(res), 'INVALID_URL_SIGNATURE');
    await assertNothingStored(guarded, otherKey);
    await assertNothingStored(guarded, key);
  });

  test('refuses a PUT with a forged signature and stores nothing', async () => {
    const key = makeUploadKey('forged.mp4');
    const upload = await guarded.store.createUploadUrl(key, 'video/mp4', 60);
    const url = new URL(upload.url);
    const sig = url.searchParams.get('X-ECG-Signature') ?? '';
    url.searchParams.set('X-ECG-Signature', `${sig[0] === 'a' ? 'b' : 'a'}${sig.slice(1)}`);
    const res = await fetch(url, { method: 'PUT', headers: upload.headers, body: randomBytes(1000) });
    assert.equal(res.status, 403);
    assert.equal(await errorCode(res), 'INVALID_URL_SIGNATURE');

    const unsigned = await fetch(`${guarded.origin}/storage/${key}`, { method: 'PUT', headers: upload.headers, body: randomBytes(10) });
    assert.equal(unsigned.status, 403);
    assert.equal(await errorCode(unsigned), 'INVALID_URL_SIGNATURE');

    const otherSecret = new LocalStorage({ dataDir: guarded.dataDir, publicUrl: guarded.origin, signingSecret: 'not-the-secret', maxUploadBytes: BIG_LIMIT });
    const foreign = await otherSecret.createUploadUrl(key, 'video/mp4', 60);
    const res2 = await fetch(foreign.url, { method: 'PUT', headers: foreign.headers, body: randomBytes(1000) });
    assert.equal(res2.status, 403);
    assert.equal(await errorCode(res2), 'INVALID_URL_SIGNATURE');
    await assertNothingStored(guarded, key);
  });

  test('refuses a PUT after the URL expired and stores nothing', async () => {
    const key = makeUploadKey('late.mp4');
    const url = urlSignedWith(guarded.origin, key, { method: 'PUT', contentType: 'video/mp4', expires: Math.floor(Date.now() / 1000) - 5 });
    const res = await fetch(url, { method: 'PUT', headers: { 'Content-Type': 'video/mp4' }, body: randomBytes(1000) });
    assert.equal(res.status, 403);
    assert.equal(await errorCode(res), 'URL_EXPIRED');
    await assertNothingStored(guarded, key);
  });

  test('refuses a declared Content-Length over the limit up front and stores nothing', async () => {
    const key = makeUploadKey('big.mp4');
    const upload = await small.store.createUploadUrl(key, 'video/mp4', 60);
    const res = await fetch(upload.url, { method: 'PUT', headers: upload.headers, body: randomBytes(SMALL_LIMIT + 1) });
    assert.equal(res.status, 413);
    assert.equal(await errorCode(res), 'FILE_TOO_LARGE');
    await assertNothingStored(small, key);
  });

  test('stops a chunked body without Content-Length once it passes the limit and stores nothing', async () => {
    const key = makeUploadKey('chunked.mp4');
    const upload = await small.store.createUploadUrl(key, 'video/mp4', 60);
    const chunks = Array.from({ length: 8 }, () => randomBytes(16 * 1024)); // 128 KiB, twice the limit
    const res = await rawRequest('PUT', small.origin, pathAndQuery(upload.url), { ...upload.headers, 'Transfer-Encoding': 'chunked' }, chunks);
    assert.notEqual(res, 'aborted');
    if (res === 'aborted') return;
    assert.equal(res.status, 413);
    assert.equal((JSON.parse(res.body) as { error: { code: string } }).error.code, 'FILE_TOO_LARGE');
    await assertNothingStored(small, key);
  });

  test('accepts a chunked body of exactly the limit', async () => {
    const key = makeUploadKey('exact.mp4');
    const upload = await small.store.createUploadUrl(key, 'video/mp4', 60);
    const data = randomBytes(SMALL_LIMIT);
    const res = await fetch(upload.url, {
      method: 'PUT',
      headers: upload.headers,
      body: Readable.toWeb(Readable.from([data.subarray(0, 1000), data.subarray(1000)])) as ReadableStream,
      duplex: 'half',
    } as RequestInit);
    assert.equal(res.status, 200);
    assert.equal((await small.store.head(key))?.size, SMALL_LIMIT);
    await small.store.delete(key);
  });

  test('leaves nothing behind when the client disconnects mid-upload', async () => {
    const key = makeUploadKey('dropped.mp4');
    const upload = await guarded.store.createUploadUrl(key, 'video/mp4', 60);
    // Half the declared bytes are sent; the client hangs up once the server has
    // started writing them to its temp file.
    const res = await rawRequest(
      'PUT',
      guarded.origin,
      pathAndQuery(upload.url),
      { ...upload.headers, 'Content-Length': String(200 * 1024) },
      [randomBytes(50 * 1024), randomBytes(50 * 1024)],
      { abortWhen: () => eventually(async () => (await filesUnder(guarded.store.tmpDir)).length === 1, 'the upload reaches the temp dir') },
    );
    assert.equal(res, 'aborted');
    await eventually(async () => (await filesUnder(guarded.store.tmpDir)).length === 0, 'the temp file is removed');
    await assertNothingStored(guarded, key);
  });

  test('refuses a second PUT with the same URL with 409 OBJECT_ALREADY_EXISTS before reading its body, and keeps the first upload', async () => {
    const key = makeUploadKey('write-once.mp4');
    const first = randomBytes(20 * 1024);
    const upload = await big.store.createUploadUrl(key, 'video/mp4', 60);
    const put = await fetch(upload.url, { method: 'PUT', headers: upload.headers, body: first });
    assert.equal(put.status, 200);

    const again = await fetch(upload.url, { method: 'PUT', headers: upload.headers, body: randomBytes(20 * 1024) });
    assert.equal(again.status, 409);
    assert.equal(await errorCode(again), 'OBJECT_ALREADY_EXISTS');
    assert.equal(again.headers.get('connection'), 'close');

    // A body declared far longer than what is sent: only an answer given
    // before reading the body can arrive, the server would wait for the rest.
    const early = await rawRequest(
      'PUT',
      big.origin,
      pathAndQuery(upload.url),
      { ...upload.headers, 'Content-Length': String(BIG_LIMIT) },
      [randomBytes(1024)],
    );
    assert.notEqual(early, 'aborted');
    if (early !== 'aborted') {
      assert.equal(early.status, 409);
      assert.equal((JSON.parse(early.body) as { error: { code: string } }).error.code, 'OBJECT_ALREADY_EXISTS');
    }

    const stored = await storedObject(big.store, key);
    assert.ok(stored.bytes.equals(first), 'the first upload must stay');
    assert.equal(stored.etag, md5Etag(first));
    assert.equal(stored.contentType, 'video/mp4');
    assert.deepEqual(await filesUnder(big.store.tmpDir), []);
  });

  test('lets exactly one of two concurrent PUTs with the same URL win, and stores that one whole', async () => {
    const key = makeUploadKey('race.mp4');
    const upload = await big.store.createUploadUrl(key, 'video/mp4', 60);
    const bodies = [randomBytes(256 * 1024), randomBytes(256 * 1024)];
    // Both requests pass the onRequest check (nothing stored yet) and start
    // writing their temp files before either sends the rest of its body, so
    // only the final placement can decide between them.
    const bothReceiving = eventually(async () => (await filesUnder(big.store.tmpDir)).length === 2, 'both uploads reach the temp dir');
    const results = await Promise.all(
      bodies.map((body) =>
        rawRequest(
          'PUT',
          big.origin,
          pathAndQuery(upload.url),
          { ...upload.headers, 'Content-Length': String(body.length) },
          Array.from({ length: 16 }, (_, i) => body.subarray(i * 16 * 1024, (i + 1) * 16 * 1024)),
          { afterFirstChunk: () => bothReceiving },
        ),
      ),
    );
    const statuses = results.map((r) => (r === 'aborted' ? 0 : r.status));
    assert.deepEqual([...statuses].sort(), [200, 409], `statuses ${statuses.join(', ')}`);
    const loser = results[statuses.indexOf(409)];
    assert.ok(loser && loser !== 'aborted');
    assert.equal((JSON.parse(loser.body) as { error: { code: string } }).error.code, 'OBJECT_ALREADY_EXISTS');

    const winner = bodies[statuses.indexOf(200)]!;
    const stored = await storedObject(big.store, key);
    assert.ok(stored.bytes.equals(winner), 'the stored object must be the whole body of the PUT that was answered 200');
    assert.equal(stored.etag, md5Etag(winner), 'the loser must not leave its metadata on the winner');
    assert.deepEqual(await filesUnder(big.store.tmpDir), []);
  });

  test('refuses path traversal in the URL, even with a valid signature for that path', async () => {
    const now = Math.floor(Date.now() / 1000);
    const signedTraversal = new URLSearchParams(
      signLocalUrl(SECRET, { method: 'GET', key: '../../etc/passwd', expires: now + 60 }),
    ).toString();
    for (const path of ['/storage/..%2F..%2Fetc/passwd', '/storage/../../etc/passwd', '/storage/%2e%2e/%2e%2e/etc/passwd', '/storage/a/..%5C..%5Cetc']) {
      const res = await rawRequest('GET', big.origin, `${path}?${signedTraversal}`, {});
      assert.notEqual(res, 'aborted');
      if (res === 'aborted') return;
      assert.equal(res.status, 400, `${path} → ${res.status} ${res.body}`);
      assert.equal((JSON.parse(res.body) as { error: { code: string } }).error.code, 'INVALID_FILE_KEY');
      assert.ok(!res.body.includes('root:'), 'must never serve /etc/passwd');
    }
    const put = await rawRequest('PUT', big.origin, '/storage/..%2F..%2Ftmp%2Fevil', { 'Content-Type': 'video/mp4', 'Content-Length': '3' }, [Buffer.from('abc')]);
    assert.notEqual(put, 'aborted');
    if (put !== 'aborted') assert.equal(put.status, 400);
    assert.throws(() => big.store.pathFor('../../etc/passwd'), { name: 'InvalidStorageKeyError' });
  });

  test('refuses a GET with an upload URL and answers 404 for a missing object', async () => {
    const key = makeUploadKey('missing.mp4');
    const upload = await big.store.createUploadUrl(key, 'video/mp4', 60);
    const wrongMethod = await fetch(upload.url);
    assert.equal(wrongMethod.status, 403);
    assert.equal(await errorCode(wrongMethod), 'INVALID_URL_SIGNATURE');
    const missing = await fetch(await big.store.createDownloadUrl(key, 60));
    assert.equal(missing.status, 404);
    assert.equal(await errorCode(missing), 'OBJECT_NOT_FOUND');
  });

  test('refuses an expired download URL', async () => {
    const key = 'derived/old.bin';
    await big.store.write(key, Readable.from([Buffer.from('x')]), 'application/octet-stream');
    const res = await fetch(urlSignedWith(big.origin, key, { method: 'GET', expires: Math.floor(Date.now() / 1000) - 1 }));
    assert.equal(res.status, 403);
    assert.equal(await errorCode(res), 'URL_EXPIRED');
  });
});

describe('LocalStorage as a library', () => {
  let dataDir: string;
  let store: LocalStorage;

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'ecg-storage-lib-'));
    store = new LocalStorage({ dataDir, publicUrl: 'http://127.0.0.1:8000/', signingSecret: SECRET, maxUploadBytes: 1000 });
  });

  after(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  test('createStorage builds a LocalStorage for the local driver', async () => {
    const made = createStorage({ driver: 'local', dataDir, publicUrl: 'http://127.0.0.1:8000', signingSecret: SECRET, maxUploadBytes: 1000 });
    assert.ok(made instanceof LocalStorage);
    assert.equal(made.driver, 'local');
    assert.equal(made.objectsDir, join(dataDir, 'objects'));
  });

  test('builds URLs under PUBLIC_URL with each key segment percent-encoded', async () => {
    const upload = await store.createUploadUrl('videos/anonymous/20250911_143020_abc12345_회의.mp4', 'video/mp4', 900);
    const url = new URL(upload.url);
    assert.equal(url.origin, 'http://127.0.0.1:8000');
    assert.equal(url.pathname, `/storage/videos/anonymous/20250911_143020_abc12345_${encodeURIComponent('회의')}.mp4`);
    assert.equal(url.searchParams.get('X-ECG-Method'), 'PUT');
    assert.equal(url.searchParams.get('X-ECG-Content-Type'), 'video/mp4');
    const expires = Number(url.searchParams.get('X-ECG-Expires'));
    const now = Math.floor(Date.now() / 1000);
    assert.ok(expires > now + 800 && expires <= now + 900, `expiry ${expires} should be about now + 900`);
    assert.match(url.searchParams.get('X-ECG-Signature') ?? '', /^[0-9a-f]{64}$/);
  });

  test('refuses keys that could escape the objects dir', async () => {
    for (const key of ['../x', 'a/../../x', '/etc/passwd', 'a\\..\\b', '']) {
      await assert.rejects(store.createUploadUrl(key, 'video/mp4', 60), { name: 'InvalidStorageKeyError' }, key);
      await assert.rejects(store.head(key), { name: 'InvalidStorageKeyError' }, key);
    }
  });

  test('head is null, read rejects with StorageNotFoundError, and delete succeeds for a missing key', async () => {
    assert.equal(await store.head('nothing/here.bin'), null);
    await assert.rejects(store.read('nothing/here.bin'), StorageNotFoundError);
    await store.delete('nothing/here.bin');
  });

  test('delete removes the object and its content type, and is idempotent', async () => {
    await store.write('derived/gone.json', Readable.from([Buffer.from('{}')]), 'application/json');
    assert.equal((await store.head('derived/gone.json'))?.contentType, 'application/json');
    await store.delete('derived/gone.json');
    await store.delete('derived/gone.json');
    assert.equal(await store.head('derived/gone.json'), null);
    assert.deepEqual(await filesUnder(store.metaDir), []);
  });

  test('write leaves nothing under the key when its source fails midway', async () => {
    async function* failing() {
      yield Buffer.alloc(500, 1);
      throw new Error('producer crashed');
    }
    await assert.rejects(store.write('derived/half.bin', Readable.from(failing()), 'application/octet-stream'), /producer crashed/);
    assert.equal(await store.head('derived/half.bin'), null);
    assert.deepEqual(await filesUnder(store.tmpDir), []);
  });

  test('write replaces an existing object atomically and is not bound by maxUploadBytes', async () => {
    await store.write('derived/render.bin', Readable.from([Buffer.alloc(10, 1)]), 'application/octet-stream');
    const bigger = randomBytes(5000);
    await store.write('derived/render.bin', Readable.from([bigger]), 'video/mp4');
    assert.ok((await collect(await store.read('derived/render.bin'))).equals(bigger));
    assert.equal((await store.head('derived/render.bin'))?.contentType, 'video/mp4');
  });

  test('receiveUpload refuses a key that already holds an object and leaves that object, its metadata and the temp dir as they were', async () => {
    const key = 'videos/kept.mp4';
    const first = Buffer.alloc(100, 1);
    await store.receiveUpload(key, Readable.from([first]), 'video/mp4');
    await assert.rejects(store.receiveUpload(key, Readable.from([Buffer.alloc(200, 2)]), 'video/webm'), (err) => {
      assert.ok(err instanceof ObjectAlreadyExistsError);
      assert.equal(err.code, 'OBJECT_ALREADY_EXISTS');
      return true;
    });
    assert.deepEqual(await storedObject(store, key), { bytes: first, contentType: 'video/mp4', etag: md5Etag(first) });
    assert.deepEqual(await filesUnder(store.tmpDir), []);
  });

  test('receiveUpload lets exactly one of several concurrent uploads to one key win', async () => {
    const key = 'videos/contested.mp4';
    const bodies = Array.from({ length: 5 }, (_, i) => Buffer.alloc(300, i + 1));
    const settled = await Promise.allSettled(bodies.map((body) => store.receiveUpload(key, Readable.from([body]), 'video/mp4')));
    const won = settled.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []));
    assert.equal(won.length, 1, `winners: ${won.join(', ')}`);
    for (const r of settled) if (r.status === 'rejected') assert.ok(r.reason instanceof ObjectAlreadyExistsError, String(r.reason));
    const winner = bodies[won[0]!]!;
    assert.deepEqual(await storedObject(store, key), { bytes: winner, contentType: 'video/mp4', etag: md5Etag(winner) });
    assert.deepEqual(await filesUnder(store.tmpDir), []);
  });

  test('receiveUpload refuses a stream over its limit and keeps no partial file', async () => {
    await assert.rejects(
      store.receiveUpload('videos/x.mp4', Readable.from([Buffer.alloc(600), Buffer.alloc(600)]), 'video/mp4'),
      { name: 'UploadTooLargeError' },
    );
    await assert.rejects(store.read('videos/x.mp4'), StorageNotFoundError);
    assert.deepEqual(await filesUnder(store.tmpDir), []);
  });

  test('check passes on a writable dir and fails when the data dir is unusable', async () => {
    await store.check();
    const file = join(dataDir, 'not-a-dir');
    await writeFile(file, 'x');
    const broken = new LocalStorage({ dataDir: file, publicUrl: 'http://127.0.0.1:8000', signingSecret: SECRET, maxUploadBytes: 1000 });
    await assert.rejects(broken.check());
  });

  test('removeStaleTempFiles deletes leftovers older than the cut-off only', async () => {
    await store.check();
    await writeFile(join(store.tmpDir, 'crashed.part'), 'x');
    assert.equal(await store.removeStaleTempFiles(60_000), 0);
    assert.equal(await store.removeStaleTempFiles(60_000, Date.now() + 120_000), 1);
    assert.deepEqual(await filesUnder(store.tmpDir), []);
  });
});
