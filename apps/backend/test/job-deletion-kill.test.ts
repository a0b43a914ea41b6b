/**
 * A job deletion cut short by `kill -9` is finished by the next backend's
 * retention sweep: no object and no row is left. Real processes: the backend
 * (apps/backend/src/main.ts) on PostgreSQL (a schema of its own) and local
 * storage; the ML service is a stand-in that does not answer until told to,
 * so the deletion is held after its mark, exactly where the kill lands.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import type { GenerateUrlResponse, RequestProcessResponse } from '@ecg/contracts';
import { freePort, TEST_SECRETS } from './helpers/test-backend.js';
import { TEST_POSTGRES_URL } from './helpers/test-databases.js';

const REPO = join(import.meta.dirname, '..', '..', '..');

async function storedFiles(dataDir: string): Promise<string[]> {
  const entries = await readdir(dataDir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(dataDir, join(e.parentPath, e.name)))
    .filter((p) => p.startsWith('objects/'));
}

async function until<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('a job deletion interrupted by kill -9', () => {
  const schema = `ecg_kill_${randomBytes(5).toString('hex')}`;
  const sql = new pg.Client({ connectionString: TEST_POSTGRES_URL });
  const held: ServerResponse[] = [];
  const mlRequests: string[] = [];
  let answerMl = false;
  let ml: ReturnType<typeof createServer>;
  let mlPort: number;
  let dataDir: string;
  let backend: ChildProcess | undefined;
  let output = '';

  before(async () => {
    await sql.connect();
    await sql.query(`CREATE SCHEMA ${schema}`);
    dataDir = await mkdtemp(join(tmpdir(), 'ecg-kill-'));
    mlPort = await freePort();
    ml = createServer((req: IncomingMessage, res: ServerResponse) => {
      mlRequests.push(`${req.method} ${req.url}`);
      req.resume();
      // Until told otherwise, the ML service takes every request and never answers it.
      if (!answerMl) return void held.push(res);
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"code":"JOB_NOT_FOUND","message":"unknown job"}}');
    });
    await new Promise<void>((r) => ml.listen(mlPort, '127.0.0.1', () => r()));
  });
  after(async () => {
    backend?.kill('SIGKILL');
    for (const res of held) res.destroy();
    await new Promise<void>((r) => ml.close(() => r()));
    await sql.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
    await sql.end();
    await rm(dataDir, { recursive: true, force: true });
  });

  async function startBackend(port: number): Promise<string> {
    const url = `http://127.0.0.1:${port}`;
    backend = spawn(process.execPath, ['--import', 'tsx', 'apps/backend/src/main.ts'], {
      cwd: REPO,
      env: {
        ...process.env,
        ...TEST_SECRETS,
        DATA_DIR: dataDir,
        PORT: String(port),
        LOG_LEVEL: 'warn',
        ML_URL: `http://127.0.0.1:${mlPort}`,
        DATABASE_URL: `${TEST_POSTGRES_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}`,
        RETENTION_SWEEP_SECONDS: '1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    backend.stdout?.on('data', (c: Buffer) => (output += c.toString()));
    backend.stderr?.on('data', (c: Buffer) => (output += c.toString()));
    await until('the backend to answer /health', async () => ((await fetch(`${url}/health`).catch(() => null))?.ok ? true : undefined), 60_000);
    return url;
  }

  it('is finished by the next backend: no object and no row is left', async () => {
    const url = await startBackend(await freePort());
    const json = { 'content-type': 'application/json' };
    const grant = (await (await fetch(`${url}/api/upload-video/generate-url`, { method: 'POST', headers: json, body: JSON.stringify({ filename: 'doomed.mp4', filetype: 'video/mp4' }) })).json()) as GenerateUrlResponse;
    assert.ok((await fetch(grant.url, { method: grant.method, headers: grant.headers, body: Buffer.from('video bytes') })).ok);
    const { jobId } = (await (await fetch(`${url}/api/upload-video/request-process`, { method: 'POST', headers: json, body: JSON.stringify({ fileKey: grant.fileKey }) })).json()) as RequestProcessResponse;
    assert.equal((await storedFiles(dataDir)).length, 1, 'the upload is stored');

    // The delete marks the job, then waits on the ML service's cancel, which never comes: kill it there.
    void fetch(`${url}/api/upload-video/jobs/${jobId}`, { method: 'DELETE' }).catch(() => undefined);
    await until('the delete to reach the ML cancel', async () => (mlRequests.includes(`DELETE /api/upload-video/jobs/${jobId}`) ? true : undefined));
    const marked = await sql.query(`SELECT deleting_at FROM ${schema}.jobs WHERE id = $1`, [jobId]);
    assert.ok(marked.rows[0]?.deleting_at, 'the job was marked before the kill');
    backend!.kill('SIGKILL');
    await new Promise((r) => backend!.once('exit', r));
    assert.equal((await storedFiles(dataDir)).length, 1, 'the kill left the video behind');
    assert.equal((await sql.query(`SELECT 1 FROM ${schema}.jobs WHERE id = $1`, [jobId])).rowCount, 1, 'and the row');

    // A backend started afterwards (the ML service answering again) finishes the deletion on its sweep.
    answerMl = true;
    for (const res of held.splice(0)) res.destroy();
    const again = await startBackend(await freePort());
    await until(
      'the sweep to finish the deletion',
      async () => ((await sql.query(`SELECT 1 FROM ${schema}.jobs WHERE id = $1`, [jobId])).rowCount === 0 ? true : undefined),
    ).catch((err: unknown) => {
      throw new Error(`${(err as Error).message}\n${output.slice(-3000)}`);
    });
    assert.deepEqual(await storedFiles(dataDir), [], 'no object is left');
    assert.equal((await fetch(`${again}/api/upload-video/jobs/${jobId}`)).status, 404);
  });
});
