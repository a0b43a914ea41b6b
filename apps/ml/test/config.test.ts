import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { loadConfig } from '../src/config.js';

describe('ML configuration from the environment', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ecg-ml-config-'));
  after(() => rmSync(dataDir, { recursive: true, force: true }));
  const base = { DATA_DIR: dataDir, ML_API_TOKEN: 't', CALLBACK_SECRET: 's' };

  it('has safe defaults derived from DATA_DIR and BACKEND_URL', () => {
    const c = loadConfig({ ...base, BACKEND_URL: 'http://localhost:9000/' });
    assert.equal(c.port, 8001);
    assert.equal(c.host, '127.0.0.1');
    assert.equal(c.mlDataDir, join(dataDir, 'ml'));
    assert.equal(c.modelsDir, join(dataDir, 'models'));
    assert.equal(c.backendUrl, 'http://localhost:9000');
    assert.deepEqual(c.allowedOrigins, ['http://localhost:9000']);
    assert.deepEqual(c.callbackAllowedOrigins, ['http://localhost:9000']);
    // The web app is served by the backend: the browser's origin is the backend's.
    assert.deepEqual(c.webOrigins, ['http://localhost:9000', 'http://localhost:5173', 'http://127.0.0.1:5173']);
    assert.equal(c.whisperModel, 'base');
    assert.equal(c.temperatureFallback, true);
    assert.equal(c.vad, 'auto');
    assert.equal(c.vadModelPath, join(dataDir, 'models', 'ggml-silero-v6.2.0.bin'));
    assert.equal(c.concurrency, 1);
    assert.equal(c.maxMediaSeconds, 14_400);
    assert.equal(c.maxDownloadBytes, 2 * 1024 ** 3);
    assert.equal(c.downloadRetrySeconds, 120);
    assert.equal(c.statusRateLimitPerMinute, 600);
    assert.deepEqual(c.emphasis, { loudDb: 6, whisperDb: 10 });
    assert.ok(c.threads >= 1);
  });

  it('reads every variable it documents', () => {
    const c = loadConfig({
      ...base,
      ML_PORT: '9100',
      ML_HOST: '0.0.0.0',
      ML_DATA_DIR: join(dataDir, 'elsewhere'),
      ML_ALLOWED_ORIGINS: 'https://bucket.s3.amazonaws.com,http://127.0.0.1:9000',
      ML_CALLBACK_ALLOWED_ORIGINS: 'https://api.example.com',
      WEB_ORIGINS: 'https://app.example.com',
      WHISPER_THREADS: '3',
      WHISPER_TEMPERATURE_FALLBACK: 'false',
      WHISPER_VAD: 'off',
      ML_CONCURRENCY: '2',
      MAX_MEDIA_SECONDS: '60',
      MAX_DOWNLOAD_BYTES: '1000',
      DOWNLOAD_TIMEOUT_SECONDS: '5',
      DOWNLOAD_RETRY_SECONDS: '0',
      ML_STATUS_RATE_LIMIT_PER_MINUTE: '30',
      TRANSCRIBE_TIMEOUT_SECONDS: '7',
      EMPHASIS_LOUD_DB: '4.5',
      EMPHASIS_WHISPER_DB: '12',
      LOG_LEVEL: 'warn',
    });
    assert.equal(c.port, 9100);
    assert.equal(c.host, '0.0.0.0');
    assert.equal(c.mlDataDir, join(dataDir, 'elsewhere'));
    assert.deepEqual(c.allowedOrigins, ['https://bucket.s3.amazonaws.com', 'http://127.0.0.1:9000']);
    assert.deepEqual(c.callbackAllowedOrigins, ['https://api.example.com']);
    assert.deepEqual(c.webOrigins, ['https://app.example.com']);
    assert.equal(c.threads, 3);
    assert.equal(c.temperatureFallback, false);
    assert.equal(c.vad, 'off');
    assert.equal(c.concurrency, 2);
    assert.equal(c.maxMediaSeconds, 60);
    assert.equal(c.maxDownloadBytes, 1000);
    assert.equal(c.downloadTimeoutSeconds, 5);
    assert.equal(c.downloadRetrySeconds, 0);
    assert.equal(c.statusRateLimitPerMinute, 30);
    assert.equal(c.transcribeTimeoutSeconds, 7);
    assert.deepEqual(c.emphasis, { loudDb: 4.5, whisperDb: 12 });
    assert.equal(c.logLevel, 'warn');
  });

  it('names every bad variable in one error', () => {
    assert.throws(
      () => loadConfig({ ...base, ML_PORT: 'abc', WHISPER_VAD: 'maybe', ML_ALLOWED_ORIGINS: 'ftp://x' }),
      (err: Error) => /ML_PORT/.test(err.message) && /WHISPER_VAD/.test(err.message) && /ML_ALLOWED_ORIGINS/.test(err.message),
    );
  });

  it('refuses emphasis thresholds that are not positive numbers of dB', () => {
    for (const bad of ['0', '-3', 'loud', 'Infinity']) {
      assert.throws(() => loadConfig({ ...base, EMPHASIS_LOUD_DB: bad }), /EMPHASIS_LOUD_DB/, bad);
      assert.throws(() => loadConfig({ ...base, EMPHASIS_WHISPER_DB: bad }), /EMPHASIS_WHISPER_DB/, bad);
    }
  });

  it('shares generated secrets with the backend through DATA_DIR/secrets.json', () => {
    const c = loadConfig({ DATA_DIR: dataDir });
    const file = JSON.parse(readFileSync(join(dataDir, 'secrets.json'), 'utf8')) as Record<string, string>;
    assert.equal(c.apiToken, file.ML_API_TOKEN);
    assert.equal(c.callbackSecret, file.CALLBACK_SECRET);
    assert.ok(c.apiToken.length >= 32);
  });

  it('runs the embedded queue and every role in one process unless REDIS_URL is set', () => {
    const c = loadConfig(base);
    assert.equal(c.role, 'all');
    assert.equal(c.redis, undefined);
  });

  it('reads the shared queue settings, with the stalled-job bounds explicit', () => {
    const d = loadConfig({ ...base, REDIS_URL: 'redis://127.0.0.1:6379/2' });
    assert.deepEqual(d.redis, { url: 'redis://127.0.0.1:6379/2', prefix: 'ecg-ml', lockDurationMs: 30_000, stalledIntervalMs: 30_000, maxStalledCount: 2 });
    const c = loadConfig({
      ...base,
      REDIS_URL: 'rediss://redis.internal:6380',
      ML_ROLE: 'worker',
      ML_QUEUE_PREFIX: 'site-a',
      ML_LOCK_DURATION_MS: '5000',
      ML_STALLED_INTERVAL_MS: '2000',
      ML_MAX_STALLED_COUNT: '0',
    });
    assert.equal(c.role, 'worker');
    assert.deepEqual(c.redis, { url: 'rediss://redis.internal:6380', prefix: 'site-a', lockDurationMs: 5000, stalledIntervalMs: 2000, maxStalledCount: 0 });
  });

  it('refuses ML_ROLE api or worker without REDIS_URL, and a REDIS_URL that is not redis://', () => {
    for (const role of ['api', 'worker']) {
      assert.throws(() => loadConfig({ ...base, ML_ROLE: role }), /ML_ROLE: .* needs REDIS_URL/);
    }
    assert.throws(() => loadConfig({ ...base, ML_ROLE: 'both', REDIS_URL: 'redis://x' }), /ML_ROLE/);
    assert.throws(() => loadConfig({ ...base, REDIS_URL: 'http://127.0.0.1:6379' }), /REDIS_URL: must be a redis/);
    assert.throws(() => loadConfig({ ...base, REDIS_URL: 'redis://x', ML_QUEUE_PREFIX: 'a:b' }), /ML_QUEUE_PREFIX/);
  });
});
