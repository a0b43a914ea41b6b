import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ServiceError } from '@ecg/service-kit';
import { transientDownloadFailure } from '../src/pipeline/download-failure.js';
import { downloadWithRetry, type DownloadRetry } from '../src/pipeline/download-with-retry.js';

const BODY = Buffer.alloc(40_000, 3);

describe('which download failures are worth retrying', () => {
  const http = (status: number) => new ServiceError('DOWNLOAD_ERROR', `storage answered HTTP ${status}`, { details: { status } });
  const net = (errorCode: string) => new ServiceError('DOWNLOAD_ERROR', `could not download the video: ${errorCode}`, { details: { errorCode } });

  it('retries a refused, reset or timed-out connection and a DNS answer that may come later', () => {
    for (const code of ['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'TRUNCATED']) {
      assert.equal(transientDownloadFailure(net(code)), code);
    }
  });

  it('retries 502, 503, 504 (a restarting origin or its proxy), 429, 500 and 408', () => {
    for (const status of [408, 429, 500, 502, 503, 504]) assert.equal(transientDownloadFailure(http(status)), `HTTP ${status}`);
  });

  it('fails at once on an expired or missing URL, a refused URL, a file too large or the overall time limit', () => {
    assert.equal(transientDownloadFailure(http(403)), null);
    assert.equal(transientDownloadFailure(http(404)), null);
    assert.equal(transientDownloadFailure(http(400)), null);
    assert.equal(transientDownloadFailure(new ServiceError('URL_NOT_ALLOWED', 'no')), null);
    assert.equal(transientDownloadFailure(new ServiceError('FILE_TOO_LARGE', 'big')), null);
    assert.equal(transientDownloadFailure(new ServiceError('DOWNLOAD_ERROR', 'the video did not download within 600 s', { status: 504 })), null);
    assert.equal(transientDownloadFailure(net('ERR_INVALID_URL')), null);
    assert.equal(transientDownloadFailure(new Error('ECONNREFUSED')), null);
  });
});

describe('downloading through a storage origin that is not there yet', () => {
  let dir: string;
  let port: number;
  let server: Server | undefined;
  let behaviour: (n: number) => 'serve' | '503' | 'cut' | '404';
  let requests = 0;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ecg-ml-retry-'));
    // A port nobody listens on (yet): connections to it are refused.
    const probe = createTcpServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    port = (probe.address() as AddressInfo).port;
    await new Promise((r) => probe.close(r));
  });
  after(async () => {
    await stopServer();
    await rm(dir, { recursive: true, force: true });
  });

  async function startServer(): Promise<void> {
    requests = 0;
    server = createServer((_req, res) => {
      const what = behaviour(++requests);
      if (what === 'serve') return void res.writeHead(200, { 'content-length': BODY.length }).end(BODY);
      if (what === '503') return void res.writeHead(503).end('restarting');
      if (what === '404') return void res.writeHead(404).end('gone');
      // Half the body, then the connection dies.
      res.writeHead(200, { 'content-length': BODY.length });
      res.write(BODY.subarray(0, BODY.length / 2), () => res.socket?.destroy());
    });
    await new Promise<void>((r) => server!.listen(port, '127.0.0.1', r));
  }
  async function stopServer(): Promise<void> {
    if (!server) return;
    server.closeAllConnections();
    await new Promise((r) => server!.close(r));
    server = undefined;
  }

  const url = () => `http://127.0.0.1:${port}/video`;
  const base = (name: string) => ({
    url: url(),
    destPath: join(dir, name),
    allowedOrigins: [`http://127.0.0.1:${port}`],
    maxBytes: 1_000_000,
    timeoutMs: 5000,
    retryForMs: 10_000,
    backoff: () => 20,
  });

  it('retries refused connections until the origin listens, then downloads', async () => {
    behaviour = () => 'serve';
    const retries: DownloadRetry[] = [];
    const result = await downloadWithRetry({
      ...base('refused'),
      onRetry: (r) => {
        retries.push(r);
        if (r.attempt === 3) void startServer();
      },
    });
    assert.equal(result.bytes, BODY.length);
    assert.deepEqual(await readFile(join(dir, 'refused')), BODY);
    assert.ok(retries.length >= 3, `retried ${retries.length} times`);
    assert.ok(retries.every((r) => r.reason === 'ECONNREFUSED'), JSON.stringify(retries));
    await stopServer();
  });

  it('retries 503 answers, then downloads', async () => {
    behaviour = (n) => (n <= 2 ? '503' : 'serve');
    await startServer();
    const retries: DownloadRetry[] = [];
    const result = await downloadWithRetry({ ...base('busy'), onRetry: (r) => retries.push(r) });
    assert.equal(result.bytes, BODY.length);
    assert.deepEqual(
      retries.map((r) => r.reason),
      ['HTTP 503', 'HTTP 503'],
    );
    await stopServer();
  });

  it('removes the partial file of a download cut short before the next attempt', async () => {
    behaviour = (n) => (n === 1 ? 'cut' : 'serve');
    await startServer();
    const dest = join(dir, 'cut');
    const leftovers: boolean[] = [];
    const result = await downloadWithRetry({ ...base('cut'), onRetry: () => leftovers.push(existsSync(dest)) });
    assert.equal(result.bytes, BODY.length);
    assert.deepEqual(leftovers, [false]);
    assert.deepEqual(await readFile(dest), BODY);
    await stopServer();
  });

  it('fails at once, without retrying, on a 404', async () => {
    behaviour = () => '404';
    await startServer();
    let retried = 0;
    await assert.rejects(downloadWithRetry({ ...base('missing'), onRetry: () => retried++ }), (err: unknown) => {
      assert.ok(err instanceof ServiceError && err.code === 'DOWNLOAD_ERROR', String(err));
      return true;
    });
    assert.equal(retried, 0);
    assert.equal(requests, 1);
    await stopServer();
  });

  it('gives up after retryForMs with DOWNLOAD_ERROR saying it retried and what went wrong last', async () => {
    const started = Date.now();
    let retries = 0;
    await assert.rejects(downloadWithRetry({ ...base('never'), retryForMs: 400, backoff: () => 50, onRetry: () => retries++ }), (err: unknown) => {
      assert.ok(err instanceof ServiceError, String(err));
      assert.equal(err.code, 'DOWNLOAD_ERROR');
      assert.match(err.message, /retried/);
      assert.match(err.message, /ECONNREFUSED/);
      return true;
    });
    const took = Date.now() - started;
    assert.ok(took >= 400 && took < 3000, `took ${took} ms`);
    assert.ok(retries >= 3, `retried ${retries} times`);
    assert.equal(existsSync(join(dir, 'never')), false);
  });

  it('never retries when retryForMs is 0', async () => {
    let retries = 0;
    await assert.rejects(downloadWithRetry({ ...base('no-retry'), retryForMs: 0, onRetry: () => retries++ }), /ECONNREFUSED/);
    assert.equal(retries, 0);
  });

  it('stops waiting at once when the job is cancelled, with the cancel as the reason', async () => {
    const controller = new AbortController();
    const reason = new Error('cancelled by the user');
    const started = Date.now();
    await assert.rejects(
      downloadWithRetry({
        ...base('cancel'),
        backoff: () => 60_000,
        signal: controller.signal,
        onRetry: () => setTimeout(() => controller.abort(reason), 50),
      }),
      (err: unknown) => err === reason,
    );
    assert.ok(Date.now() - started < 5000, 'did not sit out the 60 s wait');
  });
});
