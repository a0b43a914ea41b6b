import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ServiceError } from '@ecg/service-kit';
import { downloadToFile, type ResolveHost } from '../src/pipeline/download.js';

const BODY = Buffer.alloc(50_000, 7);

describe('downloading the video', () => {
  let server: Server;
  let other: Server;
  let origin: string;
  let otherOrigin: string;
  let dir: string;
  let requests: string[];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ecg-ml-download-'));
    requests = [];
    server = createServer((req, res) => {
      requests.push(req.url ?? '');
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname === '/video') return void res.writeHead(200, { 'content-length': BODY.length }).end(BODY);
      if (url.pathname === '/chunked') {
        res.writeHead(200); // no content-length: only counting can stop it
        for (let i = 0; i < 10; i++) res.write(BODY);
        return void res.end();
      }
      if (url.pathname === '/slow') return void res.writeHead(200, { 'content-length': 10 }).write('x'); // never ends
      if (url.pathname === '/to-video') return void res.writeHead(302, { location: '/video' }).end();
      if (url.pathname === '/to-other') return void res.writeHead(302, { location: `${otherOrigin}/video` }).end();
      if (url.pathname === '/to-metadata') return void res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
      if (url.pathname.startsWith('/loop')) return void res.writeHead(302, { location: `/loop${Number(url.pathname.slice(5) || 0) + 1}` }).end();
      res.writeHead(url.pathname === '/expired' ? 403 : 404).end('nope');
    });
    other = createServer((_req, res) => res.writeHead(200).end('other'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    otherOrigin = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await new Promise((r) => other.close(r));
    await rm(dir, { recursive: true, force: true });
  });

  const dest = (name: string) => join(dir, name);
  const base = (name: string) => ({ destPath: dest(name), allowedOrigins: [origin], maxBytes: 1_000_000, timeoutMs: 5000 });
  const rejectsWith = async (p: Promise<unknown>, code: string) => {
    await assert.rejects(p, (err: unknown) => {
      assert.ok(err instanceof ServiceError, `expected ServiceError, got ${String(err)}`);
      assert.equal(err.code, code, err.message);
      return true;
    });
  };

  it('streams an allow-listed URL to the file, following a same-origin redirect', async () => {
    const r = await downloadToFile({ ...base('ok'), url: `${origin}/to-video` });
    assert.equal(r.bytes, BODY.length);
    assert.deepEqual(await readFile(dest('ok')), BODY);
  });

  it('refuses an origin outside the allow-list without sending a request', async () => {
    const before = requests.length;
    await rejectsWith(downloadToFile({ ...base('no'), url: `${otherOrigin}/video` }), 'URL_NOT_ALLOWED');
    assert.equal(requests.length, before);
  });

  it('refuses a redirect from an allowed origin to a disallowed one', async () => {
    await rejectsWith(downloadToFile({ ...base('redir'), url: `${origin}/to-other` }), 'URL_NOT_ALLOWED');
    assert.equal(existsSync(dest('redir')), false);
  });

  it('refuses a redirect to the cloud metadata address even when its origin is allow-listed', async () => {
    const allowedOrigins = [origin, 'http://169.254.169.254'];
    await rejectsWith(downloadToFile({ ...base('meta'), allowedOrigins, url: `${origin}/to-metadata` }), 'URL_NOT_ALLOWED');
    await rejectsWith(downloadToFile({ ...base('meta2'), allowedOrigins, url: 'http://169.254.169.254/latest/meta-data/' }), 'URL_NOT_ALLOWED');
  });

  it('gives up after 5 redirects', async () => {
    await rejectsWith(downloadToFile({ ...base('loop'), url: `${origin}/loop0` }), 'DOWNLOAD_ERROR');
  });

  it('refuses a host name whose DNS answer is loopback or private (rebinding)', async () => {
    const port = (server.address() as AddressInfo).port;
    const rebindingResolver: ResolveHost = async () => [{ address: '127.0.0.1', family: 4 }];
    await rejectsWith(
      downloadToFile({ ...base('rebind'), allowedOrigins: [`http://storage.example.com:${port}`], url: `http://storage.example.com:${port}/video`, resolveHost: rebindingResolver }),
      'URL_NOT_ALLOWED',
    );
  });

  it('connects to the address it checked: localhost resolved here reaches the local store', async () => {
    const port = (server.address() as AddressInfo).port;
    const resolved: string[] = [];
    const resolver: ResolveHost = async (host) => {
      resolved.push(host);
      return [{ address: '10.9.9.9', family: 4 }, { address: '127.0.0.1', family: 4 }];
    };
    const r = await downloadToFile({ ...base('localhost'), allowedOrigins: [`http://localhost:${port}`], url: `http://localhost:${port}/video`, resolveHost: resolver });
    assert.equal(r.bytes, BODY.length);
    assert.deepEqual(resolved, ['localhost']);
  });

  it('answers DOWNLOAD_ERROR for a 403 or 404 from storage', async () => {
    await rejectsWith(downloadToFile({ ...base('404'), url: `${origin}/missing` }), 'DOWNLOAD_ERROR');
    await rejectsWith(downloadToFile({ ...base('403'), url: `${origin}/expired` }), 'DOWNLOAD_ERROR');
  });

  it('refuses a file over the size limit from Content-Length, before reading it', async () => {
    await rejectsWith(downloadToFile({ ...base('big'), maxBytes: 1000, url: `${origin}/video` }), 'FILE_TOO_LARGE');
    assert.equal(existsSync(dest('big')), false);
  });

  it('stops a stream without Content-Length once it passes the size limit, leaving no file', async () => {
    await rejectsWith(downloadToFile({ ...base('chunked'), maxBytes: 120_000, url: `${origin}/chunked` }), 'FILE_TOO_LARGE');
    assert.equal(existsSync(dest('chunked')), false);
  });

  it('gives up when the download exceeds its time limit', async () => {
    await rejectsWith(downloadToFile({ ...base('slow'), timeoutMs: 300, url: `${origin}/slow` }), 'DOWNLOAD_ERROR');
    assert.equal(existsSync(dest('slow')), false);
  });
});
