import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { buildApp, type App } from '../../src/app.js';
import { loadConfig, type BackendConfig } from '../../src/config.js';
import type { Db } from '../../src/db/db.js';
import { createDb } from '../../src/db/create-db.js';
import { createStorage } from '../../src/storage/create-storage.js';
import type { ObjectStorage } from '../../src/storage/storage.js';
import { copyEmptyPgliteDatabase } from './pglite-template.js';

export const TEST_SECRETS = {
  ML_API_TOKEN: 'test-ml-token',
  CALLBACK_SECRET: 'test-callback-secret',
  STORAGE_SIGNING_SECRET: 'test-storage-signing-secret',
};

/** A port nothing listens on right now (the OS picked it; the probe is closed again). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export interface TestBackend {
  app: App;
  config: BackendConfig;
  db: Db;
  storage: ObjectStorage;
  dataDir: string;
  baseUrl: string;
  /** Closes app (and dispatcher) and database; keeps DATA_DIR for a restart. */
  stop(): Promise<void>;
  /** stop() and delete DATA_DIR. */
  destroy(): Promise<void>;
}

export interface TestBackendOptions {
  /** Reuse a DATA_DIR (a restart); default a fresh temp dir. */
  dataDir?: string;
  env?: Record<string, string>;
  /** Listen on a real port (needed when something outside inject() must reach it). */
  listen?: boolean;
}

/**
 * A real backend: PGlite under a temp DATA_DIR, the real local storage, the
 * real app. Everything a test changes goes through `env`, as in production.
 */
export async function startTestBackend(opts: TestBackendOptions = {}): Promise<TestBackend> {
  const dataDir = opts.dataDir ?? (await mkdtemp(join(tmpdir(), 'ecg-backend-')));
  // The backend would create <DATA_DIR>/db itself; a copy of an empty one is the same, only faster.
  if (!opts.env?.DATABASE_URL && !existsSync(join(dataDir, 'db'))) await copyEmptyPgliteDatabase(join(dataDir, 'db'));
  const port = opts.listen ? await freePort() : 8000;
  const config = loadConfig({
    DATA_DIR: dataDir,
    PORT: String(port),
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ML_URL: 'http://127.0.0.1:9', // the discard port: nothing answers unless a test says otherwise
    ...TEST_SECRETS,
    ...opts.env,
  });
  const db = await createDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  const storage = createStorage(config.storage);
  const app = await buildApp({ config, db, storage });
  if (opts.listen) await app.listen({ port, host: '127.0.0.1' });
  else await app.ready();
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await app.close();
    await db.close();
  };
  return {
    app,
    config,
    db,
    storage,
    dataDir,
    baseUrl: config.publicUrl,
    stop,
    async destroy() {
      await stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Files the storage holds under DATA_DIR (the database and secrets excluded). */
export async function listStoredFiles(dataDir: string): Promise<string[]> {
  const entries = await readdir(dataDir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(dataDir, join(e.parentPath, e.name)))
    .filter((p) => !p.startsWith(`db/`) && p !== 'secrets.json')
    .sort();
}

export async function countJobs(db: Db): Promise<number> {
  const rows = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM jobs');
  return rows[0]?.n ?? 0;
}

/** Polls `check` until it returns a value other than undefined; fails after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
