import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { ModelDownloadError, downloadModel, type DownloadProgress } from '../src/models/download-model.js';
import { runDownloadCli, type CliIo } from '../src/models/download-model-cli.js';

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
/** A port nothing listens on (fetch refuses well-known "bad" ports such as 9 before connecting). */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const port = (probe.address() as AddressInfo).port;
  await new Promise<void>((r) => probe.close(() => r()));
  return port;
}

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
  const port = await closedPort();
  await assert.rejects(
    downloadModel({ name: 'z', file: 'ggml-z.bin', url: `http://127.0.0.1:${port}/ggml-z.bin`, approxMB: 1 }, sub),
    (err: unknown) => err instanceof ModelDownloadError && /cannot reach/.test(err.message),
  );
  await assert.rejects(
    downloadModel({ name: 'm', file: 'missing.bin', url: `${base}/missing.bin`, approxMB: 1 }, sub),
    (err: unknown) => err instanceof ModelDownloadError && /HTTP 404/.test(err.message),
  );
  assert.deepEqual(readdirSync(sub), []);
});

function captureIo(): CliIo & { text: () => string } {
  let buf = '';
  return { out: (t) => (buf += t), err: (t) => (buf += t), tty: false, text: () => buf };
}

test('the CLI downloads a catalog model from WHISPER_MODEL_BASE_URL into --dir with progress lines', async () => {
  const sub = join(dir, 'cli-ok');
  const io = captureIo();
  // The catalog's SHA-1 for "tiny" cannot match this payload, so use the VAD model, which has none.
  const code = await runDownloadCli(['vad', '--dir', sub], { WHISPER_MODEL_BASE_URL: base }, io);
  assert.equal(code, 0, io.text());
  assert.deepEqual(readFileSync(join(sub, 'ggml-silero-v6.2.0.bin')), payload);
  assert.match(io.text(), /100% 3\.1\/3\.1 MB at [\d.]+ MB\/s/);
  assert.equal(await runDownloadCli(['vad', '--dir', sub], { WHISPER_MODEL_BASE_URL: base }, captureIo()), 0, 'already there: nothing to do');
});

test('the CLI refuses a model whose SHA-1 differs from whisper.cpp\'s and leaves no file', async () => {
  const sub = join(dir, 'cli-mismatch');
  const io = captureIo();
  const code = await runDownloadCli(['tiny', '--dir', sub], { WHISPER_MODEL_BASE_URL: base }, io);
  assert.equal(code, 1);
  assert.match(io.text(), /checksum mismatch/);
  assert.match(io.text(), /bd577a113a864445d4c299885e0cb97d4ba92b5f/);
  assert.deepEqual(readdirSync(sub), []);
});

test('offline, the CLI exits 1 and says how to place the file by hand (exact URL and path)', async () => {
  const sub = join(dir, 'cli-offline');
  const io = captureIo();
  const offline = `http://127.0.0.1:${await closedPort()}`;
  const code = await runDownloadCli(['base.en'], { WHISPER_MODEL_BASE_URL: offline, MODELS_DIR: sub }, io);
  assert.equal(code, 1);
  assert.match(io.text(), /cannot reach 127\.0\.0\.1:\d+ .*ECONNREFUSED/);
  assert.ok(io.text().includes(`${offline}/ggml-base.en.bin`), io.text());
  assert.ok(io.text().includes(join(sub, 'ggml-base.en.bin')), io.text());
  assert.match(io.text(), /137c40403d78fd54d454da0f9bd998f78703390c/);
});

test('the CLI names the known models when given an unknown one', async () => {
  const io = captureIo();
  assert.equal(await runDownloadCli(['huge'], { MODELS_DIR: dir }, io), 2);
  assert.match(io.text(), /unknown model "huge"\. Known: tiny, .*large-v3-turbo, vad/);
});
