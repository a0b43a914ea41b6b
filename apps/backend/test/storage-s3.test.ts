import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { attachmentDisposition } from '../src/storage/content-disposition.js';
import { createStorage } from '../src/storage/create-storage.js';
import { makeUploadKey } from '../src/storage/keys.js';
import { S3Storage } from '../src/storage/s3-storage.js';
import { StorageNotFoundError } from '../src/storage/storage.js';
import { S3RVER_CREDENTIALS, startS3rver, type RunningS3rver } from './helpers/s3rver.js';

const BUCKET = 'ecg-test';
const REGION = 'us-east-1';
const MIB = 1024 * 1024;

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** `20250911T143020Z` → Date */
function parseAmzDate(value: string): Date {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  assert.ok(m, `X-Amz-Date ${value} is not in SigV4 basic format`);
  const [, y, mo, d, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number];
  return new Date(Date.UTC(y, mo - 1, d, h, mi, s));
}

/** The headers every upload URL is signed with, as generate-url hands them to the browser. */
const UPLOAD_HEADERS = { 'content-type': 'video/mp4', 'if-none-match': '*' } as const;

/**
 * What real S3 does with a presigned PUT: rebuild the canonical request from
 * the URL and the headers the client actually sends (`sent`, lower-case
 * names), and sign it with the secret key. Done here with
 * @smithy/signature-v4, independent of the S3 client, because s3rver skips
 * SigV4 verification. Like S3, it signs the headers the URL lists in
 * X-Amz-SignedHeaders; a listed header the client leaves out is signed as
 * absent, which is how S3 sees a PUT that drops it.
 */
async function expectedSignature(url: URL, sent: Record<string, string>, expiresIn: number): Promise<string> {
  const signer = new SignatureV4({
    credentials: S3RVER_CREDENTIALS,
    region: REGION,
    service: 's3',
    sha256: Hash.bind(null, 'sha256'),
    // S3 signs the path exactly as sent (no second round of escaping).
    uriEscapePath: false,
    applyChecksum: false,
  });
  // Query parameters that are not part of SigV4 itself (the SDK's x-id) are signed too.
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams) if (!name.startsWith('X-Amz-')) query[name] = value;
  const request = new HttpRequest({
    method: 'PUT',
    protocol: url.protocol,
    hostname: url.hostname,
    port: Number(url.port),
    path: url.pathname,
    query,
    // Spelled as the S3 presigner spells it: hoisted into the query, the name's case is signed.
    headers: { host: url.host, ...sent, 'X-Amz-Content-Sha256': 'UNSIGNED-PAYLOAD' },
  });
  const signingDate = parseAmzDate(url.searchParams.get('X-Amz-Date') ?? '');
  const presigned = await signer.presign(request, { signingDate, expiresIn });
  const signature = presigned.query?.['X-Amz-Signature'];
  assert.equal(typeof signature, 'string');
  return signature as string;
}

describe('S3Storage against s3rver', () => {
  let s3: RunningS3rver;
  let storage: S3Storage;

  before(async () => {
    s3 = await startS3rver(BUCKET);
    storage = new S3Storage({
      endpoint: s3.endpoint,
      bucket: BUCKET,
      region: REGION,
      ...S3RVER_CREDENTIALS,
      forcePathStyle: true,
      multipartPartBytes: 5 * MIB,
    });
  });

  after(async () => {
    storage?.client.destroy();
    await s3?.close();
  });

  test('a signed PUT of real bytes reads back byte-identical through a signed GET and read()', async () => {
    const key = makeUploadKey('회의 녹화.mp4');
    const data = randomBytes(300 * 1024);
    const upload = await storage.createUploadUrl(key, 'video/mp4', 600);
    assert.equal(upload.method, 'PUT');
    assert.deepEqual(upload.headers, { 'Content-Type': 'video/mp4', 'If-None-Match': '*' });

    const put = await fetch(upload.url, { method: upload.method, headers: upload.headers, body: data });
    assert.equal(put.status, 200, await put.clone().text());

    const info = await storage.head(key);
    assert.equal(info?.size, data.length);
    assert.equal(info?.contentType, 'video/mp4');
    assert.ok(info?.lastModified instanceof Date);

    const get = await fetch(await storage.createDownloadUrl(key, 600));
    assert.equal(get.status, 200);
    assert.ok(Buffer.from(await get.arrayBuffer()).equals(data), 'GET bytes differ');
    assert.ok((await collect(await storage.read(key))).equals(data), 'read() bytes differ');
  });

  test('signs the content type and the expiry into the presigned PUT, as real S3 verifies them', async () => {
    const key = makeUploadKey('signed.mp4');
    const upload = await storage.createUploadUrl(key, 'video/mp4', 900);
    const url = new URL(upload.url);
    const q = url.searchParams;

    assert.equal(q.get('X-Amz-Algorithm'), 'AWS4-HMAC-SHA256');
    assert.deepEqual((q.get('X-Amz-SignedHeaders') ?? '').split(';').sort(), ['content-type', 'host', 'if-none-match']);
    assert.equal(q.get('X-Amz-Expires'), '900');
    assert.match(q.get('X-Amz-Credential') ?? '', new RegExp(`^S3RVER/\\d{8}/${REGION}/s3/aws4_request$`));
    assert.equal(q.get('content-type'), null, 'the content type must be a signed header, not a query parameter');
    // The SDK's default CRC32 would put the empty body's checksum here, and S3
    // would then refuse every real upload with BadDigest.
    assert.deepEqual([...q.keys()].filter((k) => /checksum/i.test(k)), []);

    const given = q.get('X-Amz-Signature');
    assert.equal(given, await expectedSignature(url, UPLOAD_HEADERS, 900));
    const otherType = (type: string) => ({ ...UPLOAD_HEADERS, 'content-type': type });
    assert.notEqual(given, await expectedSignature(url, otherType('video/webm'), 900), 'a PUT with another type must not verify');
    assert.notEqual(given, await expectedSignature(url, otherType('application/octet-stream'), 900));
    assert.notEqual(given, await expectedSignature(url, UPLOAD_HEADERS, 901), 'the expiry must be signed');
  });

  test('presigns the upload as a conditional write (If-None-Match: *) that a PUT cannot drop', async () => {
    // With If-None-Match: * S3, MinIO and R2 answer 412 to a PUT on a key that
    // already holds an object, so an upload URL writes once. s3rver (3.7)
    // ignores the header on PUT, so what is pinned here is that the header is
    // handed to the client and signed: a PUT without it, or with another
    // condition, fails the signature check real S3 does.
    const key = makeUploadKey('once.mp4');
    const upload = await storage.createUploadUrl(key, 'video/mp4', 900);
    assert.equal(upload.headers['If-None-Match'], '*');
    const url = new URL(upload.url);
    assert.ok((url.searchParams.get('X-Amz-SignedHeaders') ?? '').split(';').includes('if-none-match'));
    assert.equal(url.searchParams.get('If-None-Match'), null, 'a header, not a query parameter');

    const given = url.searchParams.get('X-Amz-Signature');
    assert.equal(given, await expectedSignature(url, UPLOAD_HEADERS, 900));
    assert.notEqual(given, await expectedSignature(url, { 'content-type': 'video/mp4' }, 900), 'a PUT without If-None-Match must not verify');
    assert.notEqual(given, await expectedSignature(url, { ...UPLOAD_HEADERS, 'if-none-match': '"0"' }, 900));
  });

  test('names the download through ResponseContentDisposition when asked', async () => {
    const key = 'exports/captions.srt';
    await storage.write(key, Readable.from([Buffer.from('1\n00:00:00,000 --> 00:00:01,000\n안녕\n')]), 'application/x-subrip');
    const url = await storage.createDownloadUrl(key, 300, { downloadName: '회의 녹화.srt' });
    assert.equal(new URL(url).searchParams.get('X-Amz-Expires'), '300');
    const res = await fetch(url);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-disposition'), attachmentDisposition('회의 녹화.srt'));
    await res.arrayBuffer();
  });

  test('head of a missing key is null and read rejects with StorageNotFoundError', async () => {
    assert.equal(await storage.head('videos/anonymous/none.mp4'), null);
    await assert.rejects(storage.read('videos/anonymous/none.mp4'), StorageNotFoundError);
  });

  test('delete removes an object and succeeds again for the now missing key', async () => {
    const key = 'derived/to-delete.bin';
    await storage.write(key, Readable.from([Buffer.from('bye')]), 'application/octet-stream');
    assert.equal((await storage.head(key))?.size, 3);
    await storage.delete(key);
    assert.equal(await storage.head(key), null);
    await storage.delete(key);
  });

  test('write streams a body larger than one part as a multipart upload', async () => {
    const key = 'derived/large.bin';
    const data = randomBytes(11 * MIB);
    // Uneven chunks so part boundaries fall inside chunks.
    const chunks = [data.subarray(0, 3 * MIB + 7), data.subarray(3 * MIB + 7, 9 * MIB), data.subarray(9 * MIB)];
    await storage.write(key, Readable.from(chunks), 'video/mp4');
    const info = await storage.head(key);
    assert.equal(info?.size, data.length);
    assert.equal(info?.contentType, 'video/mp4');
    assert.ok((await collect(await storage.read(key))).equals(data));
  });

  test('write stores an empty body', async () => {
    await storage.write('derived/empty.bin', Readable.from([]), 'application/octet-stream');
    assert.equal((await storage.head('derived/empty.bin'))?.size, 0);
  });

  test('refuses keys that are not safe object keys before calling S3', async () => {
    for (const key of ['../x', 'a//b', '', 'a\u0000b']) {
      await assert.rejects(storage.createUploadUrl(key, 'video/mp4', 60), { name: 'InvalidStorageKeyError' });
      await assert.rejects(storage.head(key), { name: 'InvalidStorageKeyError' });
    }
  });

  test('refuses an expiry SigV4 cannot sign', async () => {
    await assert.rejects(storage.createUploadUrl('a.mp4', 'video/mp4', 0));
    await assert.rejects(storage.createDownloadUrl('a.mp4', 7 * 24 * 3600 + 1));
  });

  test('check passes for the bucket and fails for a missing one', async () => {
    await storage.check();
    const missing = createStorage({
      driver: 's3',
      endpoint: s3.endpoint,
      bucket: 'no-such-bucket',
      region: REGION,
      ...S3RVER_CREDENTIALS,
      forcePathStyle: true,
    });
    assert.equal(missing.driver, 's3');
    await assert.rejects(missing.check());
    (missing as S3Storage).client.destroy();
  });
});
