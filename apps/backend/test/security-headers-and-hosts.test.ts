import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseTrustProxy } from '../src/config.js';
import { hostPolicy, isAllowedHost } from '../src/security/allowed-hosts.js';
import { isLoopbackBind } from '../src/security/bind-address.js';
import { isAllowedOrigin } from '../src/security/same-origin.js';
import { assertSecurityHeaders } from '../../../tests/helpers/security-headers.js';
import { freePort, startTestBackend, TEST_SECRETS, waitFor, type TestBackend } from './helpers/test-backend.js';

const code = (res: { json: () => unknown }) => (res.json() as { error: { code: string } }).error.code;

describe('host, origin and proxy rules', () => {
  it('answers configured names, loopback names and IP literals, and no other name', () => {
    const policy = hostPolicy('https://captions.example.com', ['ecg.internal', '.corp.example']);
    for (const ok of ['captions.example.com', 'CAPTIONS.example.com:443', 'localhost:8000', 'app.localhost', '127.0.0.1:8000', '[::1]:8000', '192.168.1.20:8000', 'ecg.internal', 'a.corp.example', 'corp.example']) {
      assert.equal(isAllowedHost(ok, policy), true, ok);
    }
    for (const bad of ['attacker.example', 'captions.example.com.attacker.example', 'localhost.attacker.example', 'ecg.internal.evil', 'a b', '']) {
      assert.equal(isAllowedHost(bad, policy), false, bad);
    }
    assert.equal(isAllowedHost('anything.example', hostPolicy('http://127.0.0.1:8000', ['*'])), true);
  });

  it('lets a state-changing request through only from the own host or a configured origin', () => {
    const web = ['http://127.0.0.1:8000', 'http://localhost:5173'];
    assert.equal(isAllowedOrigin(undefined, '127.0.0.1:8000', web), true, 'no Origin: not a browser page');
    assert.equal(isAllowedOrigin('http://localhost:5173', '127.0.0.1:8000', web), true);
    assert.equal(isAllowedOrigin('https://captions.example.com', 'captions.example.com', web), true, 'same host behind a TLS proxy');
    assert.equal(isAllowedOrigin('https://attacker.example', '127.0.0.1:8000', web), false);
    assert.equal(isAllowedOrigin('null', '127.0.0.1:8000', web), false);
  });

  it('reads TRUST_PROXY as off, on, a hop count or a list of addresses', () => {
    assert.equal(parseTrustProxy(undefined), false);
    assert.equal(parseTrustProxy('true'), true);
    assert.equal(parseTrustProxy('2'), 2);
    assert.deepEqual(parseTrustProxy('10.0.0.0/8, 127.0.0.1, loopback'), ['10.0.0.0/8', '127.0.0.1', 'loopback']);
    assert.throws(() => parseTrustProxy('proxy.example'), /TRUST_PROXY/);
  });

  it('knows which bind addresses stay on this machine', () => {
    for (const h of ['127.0.0.1', '127.0.0.2', 'localhost', '::1', '[::1]']) assert.equal(isLoopbackBind(h), true, h);
    for (const h of ['0.0.0.0', '::', '192.168.1.5', 'example.com']) assert.equal(isLoopbackBind(h), false, h);
  });
});

describe('security headers and the Host check on the running backend', () => {
  let b: TestBackend;
  before(async () => {
    b = await startTestBackend({ env: { ALLOWED_HOSTS: 'captions.example.com' } });
  });
  after(async () => {
    await b?.destroy();
  });

  it('sends a CSP without inline script or framing, nosniff and a referrer policy on API and docs', async () => {
    for (const url of ['/api/config', '/docs', '/health', '/api/upload-video/jobs']) {
      const res = await b.app.inject({ method: 'GET', url, headers: { host: '127.0.0.1:8000' } });
      assertSecurityHeaders(res.headers, url);
    }
  });

  it('refuses a rebinding Host with 403 HOST_NOT_ALLOWED and answers configured and loopback ones', async () => {
    const evil = await b.app.inject({ method: 'GET', url: '/api/upload-video/jobs', headers: { host: 'attacker.example:8000' } });
    assert.equal(evil.statusCode, 403);
    assert.equal(code(evil), 'HOST_NOT_ALLOWED');
    const evilPost = await b.app.inject({
      method: 'POST',
      url: '/api/upload-video/generate-url',
      headers: { host: 'attacker.example:8000' },
      payload: { filename: 'a.mp4', filetype: 'video/mp4' },
    });
    assert.equal(evilPost.statusCode, 403);
    for (const host of ['127.0.0.1:8000', 'localhost:8000', 'captions.example.com']) {
      const res = await b.app.inject({ method: 'GET', url: '/api/upload-video/jobs', headers: { host } });
      assert.equal(res.statusCode, 200, host);
    }
  });
});

describe('rate limits count per client across the public routes', () => {
  it('spends one budget over several routes', async () => {
    const b = await startTestBackend({ env: { RATE_LIMIT_PER_MINUTE: '5' } });
    try {
      const statuses: number[] = [];
      for (const url of ['/api/config', '/api/config', '/api/config', '/api/upload-video/jobs', '/api/upload-video/jobs', '/api/upload-video/jobs']) {
        statuses.push((await b.app.inject({ method: 'GET', url, remoteAddress: '198.51.100.1' })).statusCode);
      }
      assert.deepEqual(statuses, [200, 200, 200, 200, 200, 429]);
      // Another client has its own budget; /health and storage are not counted.
      assert.equal((await b.app.inject({ method: 'GET', url: '/api/config', remoteAddress: '198.51.100.2' })).statusCode, 200);
      assert.equal((await b.app.inject({ method: 'GET', url: '/health', remoteAddress: '198.51.100.1' })).statusCode, 200);
    } finally {
      await b.destroy();
    }
  });

  it('believes X-Forwarded-For only with TRUST_PROXY', async () => {
    const spend = async (b: TestBackend, forwardedFor: string) =>
      (await b.app.inject({ method: 'GET', url: '/api/config', remoteAddress: '127.0.0.1', headers: { 'x-forwarded-for': forwardedFor } })).statusCode;
    const direct = await startTestBackend({ env: { RATE_LIMIT_PER_MINUTE: '2' } });
    try {
      // Without a trusted proxy a client cannot mint itself new budgets with a made-up header.
      assert.deepEqual([await spend(direct, '203.0.113.1'), await spend(direct, '203.0.113.2'), await spend(direct, '203.0.113.3')], [200, 200, 429]);
    } finally {
      await direct.destroy();
    }
    const proxied = await startTestBackend({ env: { RATE_LIMIT_PER_MINUTE: '2', TRUST_PROXY: '127.0.0.1' } });
    try {
      assert.deepEqual([await spend(proxied, '203.0.113.1'), await spend(proxied, '203.0.113.1'), await spend(proxied, '203.0.113.1')], [200, 200, 429]);
      assert.equal(await spend(proxied, '203.0.113.2'), 200, 'each client behind the proxy has its own budget');
    } finally {
      await proxied.destroy();
    }
  });
});

describe('starting on a non-loopback address', () => {
  const start = (env: Record<string, string>, dataDir: string, port: number) =>
    spawn(process.execPath, ['--import', 'tsx', 'apps/backend/src/main.ts'], {
      cwd: join(import.meta.dirname, '..', '..', '..'),
      env: { ...process.env, ...TEST_SECRETS, DATA_DIR: dataDir, HOST: '0.0.0.0', PORT: String(port), LOG_LEVEL: 'silent', ML_URL: 'http://127.0.0.1:9', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });

  it('refuses to start with ECG_AUTH off, saying why, and starts with it on', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'ecg-bind-'));
    const port = await freePort();
    try {
      const refused = start({ ECG_AUTH: 'off' }, dataDir, port);
      let stderr = '';
      refused.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      const code = await new Promise<number | null>((resolve) => refused.once('exit', resolve));
      assert.equal(code, 2, `exit code 2 (configuration); stderr: ${stderr}`);
      assert.match(stderr, /HOST=0\.0\.0\.0 listens beyond this machine, and ECG_AUTH is off/);
      assert.match(stderr, /Set ECG_AUTH=on/);

      const served = start({ ECG_AUTH: 'on', ADMIN_EMAIL: 'admin@example.test', ADMIN_PASSWORD: 'a long admin password' }, dataDir, port);
      try {
        const health = await waitFor('the backend to answer /health', async () => {
          const res = await fetch(`http://127.0.0.1:${port}/health`).catch(() => undefined);
          return res?.ok ? res.status : undefined;
        }, 60_000);
        assert.equal(health, 200);
        const jobs = await fetch(`http://127.0.0.1:${port}/api/upload-video/jobs`);
        assert.equal(jobs.status, 401, 'with auth on, the API needs credentials');
      } finally {
        served.kill('SIGKILL');
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
