import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { ModelDownloadError, downloadModel, type DownloadProgress } from '../src/models/download-model.js';
import { modelCatalog } from '../src/models/model-catalog.js';
import { resolveModelPath } from '../src/models/resolve-model.js';

// A local HTTP server stands in for the model repository (no network here).
const payload = Buffer.alloc(3 * 1024 * 1024, 0x5a);
let server: Server;
let base: string;
let dir: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ecg-models-'));
  server = createServer((req, res) => {
    if (req.url?.endsWith('/missing.bin')) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-length': String(payload.length) });
    res.end(payload);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => {
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

test('downloads with progress and a verified checksum, then renames into place', async () => {
  const sha1 = createHash('sha1').update(payload).digest('hex');
  const seen: DownloadProgress[] = [];
  const path = await downloadModel({ name: 'x', file: 'ggml-x.bin', url: `${base}/ggml-x.bin`, sha1, approxMB: 3 }, dir, { onProgress: (p) => seen.push(p) });
  assert.deepEqual(readFileSync(path), payload);
  assert.equal(seen.at(-1)?.received, payload.length);
  assert.equal(seen.at(-1)?.total, payload.length);
});

test('a checksum mismatch is refused and leaves no file', async () => {
  const sub = join(dir, 'mismatch');
  await assert.rejects(
    downloadModel({ name: 'y', file: 'ggml-y.bin', url: `${base}/ggml-y.bin`, sha1: '0'.repeat(40), approxMB: 3 }, sub),
    (err: unknown) => err instanceof ModelDownloadError && /checksum mismatch/.test(err.message),
  );
  assert.deepEqual(readdirSync(sub), []);
});

test('an unreachable or missing model says what failed and leaves no file', async () => {
  const sub = join(dir, 'offline');
  await assert.rejects(
    downloadModel({ name: 'z', file: 'ggml-z.bin', url: 'http://127.0.0.1:9/ggml-z.bin', approxMB: 1 }, sub),
    (err: unknown) => err instanceof ModelDownloadError && /cannot reach/.test(err.message),
  );
  await assert.rejects(
    downloadModel({ name: 'm', file: 'missing.bin', url: `${base}/missing.bin`, approxMB: 1 }, sub),
    (err: unknown) => err instanceof ModelDownloadError && /HTTP 404/.test(err.message),
  );
  assert.deepEqual(readdirSync(sub), []);
});

test('model names resolve to whisper.cpp file names; unknown names list the choices', () => {
  assert.equal(resolveModelPath('base', '/m').path, '/m/ggml-base.bin');
  assert.equal(resolveModelPath('/x/ggml-tiny.en.bin', '/m').name, 'tiny.en');
  assert.throws(() => resolveModelPath('huge', '/m'), /large-v3-turbo/);
  assert.match(modelCatalog().get('large-v3-turbo')!.url, /ggml-large-v3-turbo\.bin$/);
});
