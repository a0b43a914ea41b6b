import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../src/config.js';

const SECRETS = { ML_API_TOKEN: 'tok', CALLBACK_SECRET: 'cb', STORAGE_SIGNING_SECRET: 'sig' };

describe('loadConfig', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ecg-config-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('has safe defaults for a single-machine install', () => {
    const c = loadConfig({ DATA_DIR: dir, ...SECRETS });
    assert.equal(c.port, 8000);
    assert.equal(c.host, '127.0.0.1');
    assert.equal(c.publicUrl, 'http://127.0.0.1:8000');
    assert.equal(c.databaseUrl, undefined);
    assert.equal(c.storage.driver, 'local');
    assert.equal(c.uploadUrlExpiresSeconds, 900);
    assert.equal(c.downloadUrlExpiresSeconds, 21600);
    assert.equal(c.maxUploadBytes, 2 * 1024 ** 3);
    assert.equal(c.mlUrl, 'http://127.0.0.1:8001');
    assert.deepEqual(c.webOrigins, ['http://127.0.0.1:8000', 'http://localhost:5173', 'http://127.0.0.1:5173']);
    assert.equal(c.rateLimitPerMinute, 300);
    assert.equal(c.callbackRateLimitPerMinute, 600);
    assert.deepEqual(c.allowedHosts, []);
    assert.equal(c.trustProxy, false);
    assert.equal(c.dispatchIntervalMs, 1000);
    assert.equal(c.dispatchMaxBackoffMs, 30000);
    assert.equal(c.jobStaleSeconds, 600);
    assert.equal(c.jobTimeoutSeconds, 21600);
    assert.equal(c.logLevel, 'info');
    assert.equal(c.mlApiToken, 'tok');
    assert.equal(c.role, 'all');
    assert.deepEqual(c.queue, { schema: 'pgboss', maintenanceIntervalSeconds: 10 });
    assert.equal(c.mlRequestTimeoutMs, 15_000);
  });

  it('reads the backend role and the work queue settings, and refuses others', () => {
    const c = loadConfig({ DATA_DIR: dir, BACKEND_ROLE: 'worker', QUEUE_SCHEMA: 'ecg_queue', QUEUE_MAINTENANCE_SECONDS: '2', ML_REQUEST_TIMEOUT_SECONDS: '4', ...SECRETS });
    assert.equal(c.role, 'worker');
    assert.deepEqual(c.queue, { schema: 'ecg_queue', maintenanceIntervalSeconds: 2 });
    assert.equal(c.mlRequestTimeoutMs, 4000);
    assert.throws(() => loadConfig({ DATA_DIR: dir, BACKEND_ROLE: 'both', ...SECRETS }), (e: Error) => e instanceof ConfigError && /BACKEND_ROLE/.test(e.message));
    assert.throws(() => loadConfig({ DATA_DIR: dir, QUEUE_SCHEMA: 'pg boss; drop', ...SECRETS }), /QUEUE_SCHEMA/);
  });

  it('derives PUBLIC_URL from PORT and treats empty variables as unset', () => {
    const c = loadConfig({ DATA_DIR: dir, PORT: '9100', HOST: '', MAX_UPLOAD_BYTES: '', ...SECRETS });
    assert.equal(c.publicUrl, 'http://127.0.0.1:9100');
    assert.equal(c.host, '127.0.0.1');
    assert.equal(c.maxUploadBytes, 2 * 1024 ** 3);
  });

  it('reads every variable it documents', () => {
    const c = loadConfig({
      ...SECRETS,
      DATA_DIR: dir,
      PUBLIC_URL: 'https://ecg.example.org/',
      DATABASE_URL: 'postgres://u@db/ecg',
      STORAGE_DRIVER: 's3',
      S3_ENDPOINT: 'http://minio:9000',
      S3_BUCKET: 'videos',
      S3_REGION: 'eu-west-1',
      S3_ACCESS_KEY_ID: 'AK',
      S3_SECRET_ACCESS_KEY: 'SK',
      S3_FORCE_PATH_STYLE: 'true',
      WEB_ORIGINS: 'https://a.example, https://b.example/',
      RATE_LIMIT_PER_MINUTE: '5',
      ML_URL: 'http://ml:8001/',
      LOG_LEVEL: 'silent',
    });
    assert.equal(c.publicUrl, 'https://ecg.example.org');
    assert.equal(c.databaseUrl, 'postgres://u@db/ecg');
    assert.deepEqual(c.storage, {
      driver: 's3',
      endpoint: 'http://minio:9000',
      bucket: 'videos',
      region: 'eu-west-1',
      accessKeyId: 'AK',
      secretAccessKey: 'SK',
      forcePathStyle: true,
    });
    assert.deepEqual(c.webOrigins, ['https://a.example', 'https://b.example']);
    assert.equal(c.rateLimitPerMinute, 5);
    assert.equal(c.mlUrl, 'http://ml:8001');
    assert.equal(c.logLevel, 'silent');
  });

  it('refuses nonsense with a message naming the variable', () => {
    assert.throws(() => loadConfig({ DATA_DIR: dir, PORT: 'eighty', ...SECRETS }), (e: Error) => e instanceof ConfigError && /PORT/.test(e.message));
    assert.throws(() => loadConfig({ DATA_DIR: dir, STORAGE_DRIVER: 'ftp', ...SECRETS }), /STORAGE_DRIVER/);
    assert.throws(() => loadConfig({ DATA_DIR: dir, STORAGE_DRIVER: 's3', ...SECRETS }), /S3_BUCKET/);
    assert.throws(() => loadConfig({ DATA_DIR: dir, ML_URL: 'not a url', ...SECRETS }), /ML_URL/);
  });

  it('generates the shared secrets under DATA_DIR once and reuses them', () => {
    const secretsDir = join(dir, 'gen');
    const a = loadConfig({ DATA_DIR: secretsDir });
    assert.ok(existsSync(join(secretsDir, 'secrets.json')));
    assert.ok(a.mlApiToken.length >= 32 && a.callbackSecret.length >= 32);
    assert.notEqual(a.mlApiToken, a.callbackSecret);
    const b = loadConfig({ DATA_DIR: secretsDir });
    assert.equal(b.mlApiToken, a.mlApiToken);
    assert.equal(b.callbackSecret, a.callbackSecret);
    assert.equal(b.storage.driver === 'local' && b.storage.signingSecret, a.storage.driver === 'local' && a.storage.signingSecret);
  });
});
