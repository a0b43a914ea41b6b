/**
 * Starts the real backend and ML service as separate processes, exactly as
 * `npm start` runs them, on free loopback ports with a throw-away DATA_DIR.
 * End-to-end tests go through this so they exercise the shipped entry points,
 * configuration by environment, and process boundaries.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { ResultCallbackInput } from '@ecg/contracts';
import { nodeFlagsFor } from '@ecg/service-kit/node-flags';
import { signCallback } from '@ecg/signing';

export const REPO_ROOT = resolve(import.meta.dirname, '..', '..');
const TSX = join(REPO_ROOT, 'node_modules', '.bin', 'tsx');

export interface Stack {
  backendUrl: string;
  mlUrl: string;
  dataDir: string;
  logs: () => string;
  stop: () => Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => res(port));
    });
  });
}

async function waitFor(url: string, timeoutMs: number, proc: ChildProcess, logs: () => string): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (proc.exitCode !== null) throw new Error(`process exited (${proc.exitCode}) before ${url} answered:\n${logs()}`);
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not become healthy within ${timeoutMs} ms:\n${logs()}`);
}

export interface SystemEnv {
  env: NodeJS.ProcessEnv;
  dataDir: string;
  backendUrl: string;
  mlUrl: string;
}

/**
 * The environment a test system of both services runs on: a fresh DATA_DIR,
 * two free ports, fast dispatch, an unlimited status route (tests poll it
 * many times a second), the embedded database unless `extraEnv` names one;
 * `ownEnv` (the caller's own defaults) and then `extraEnv` on top.
 */
export async function systemEnv(
  prefix: string,
  extraEnv: Record<string, string>,
  ownEnv: (urls: { dataDir: string; backendUrl: string; mlUrl: string }) => NodeJS.ProcessEnv = () => ({}),
): Promise<SystemEnv> {
  const dataDir = mkdtempSync(join(tmpdir(), prefix));
  const port = await freePort();
  const mlPort = await freePort();
  const backendUrl = `http://127.0.0.1:${port}`;
  const mlUrl = `http://127.0.0.1:${mlPort}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    DATA_DIR: dataDir,
    PORT: String(port),
    ML_PORT: String(mlPort),
    PUBLIC_URL: backendUrl,
    DISPATCH_INTERVAL_MS: '200',
    // Tests poll the ML service's status every 50 ms, past its per-client limit; keep them unlimited.
    ML_STATUS_RATE_LIMIT_PER_MINUTE: '1000000',
    // The suite runs test files side by side on 2 cores, whisper.cpp in many of them: a backend at the
    // product's nice 10 would answer other files' browsers and polls late. Benchmarks set the default
    // back (DEFAULT_BACKEND_NICE); apps/backend/test/process-priority.test.ts checks the default itself.
    BACKEND_NICE: '0',
    ...ownEnv({ dataDir, backendUrl, mlUrl }),
    ...extraEnv,
  };
  delete env.DATABASE_URL;
  if (extraEnv.DATABASE_URL) env.DATABASE_URL = extraEnv.DATABASE_URL;
  return { env, dataDir, backendUrl, mlUrl };
}

export interface StackOptions {
  /** Node.js flags per service instead of its own (node-flags.ts): a benchmark comparing them. */
  nodeFlags?: Partial<Record<'backend' | 'ml', readonly string[]>>;
}

export async function startStack(extraEnv: Record<string, string> = {}, opts: StackOptions = {}): Promise<Stack> {
  const { env, dataDir, backendUrl, mlUrl } = await systemEnv('ecg-stack-', extraEnv, (urls) => ({
    BACKEND_URL: urls.backendUrl,
    ML_URL: urls.mlUrl,
    ML_PUBLIC_URL: urls.mlUrl,
  }));

  let output = '';
  const children: ChildProcess[] = [];
  for (const [name, entry] of [
    ['backend', 'apps/backend/src/main.ts'],
    ['ml', 'apps/ml/src/main.ts'],
  ] as const) {
    // The services' own start-up flags, so benchmarks on this stack measure what users run.
    const child = spawn(TSX, [...(opts.nodeFlags?.[name] ?? nodeFlagsFor(name)), entry], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (c: Buffer) => {
      output += c
        .toString()
        .split('\n')
        .filter(Boolean)
        .map((l) => `[${name}] ${l}\n`)
        .join('');
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    children.push(child);
  }
  const logs = () => output.slice(-8000);
  const stop = async () => {
    await Promise.all(
      children.map(
        (c) =>
          new Promise<void>((res) => {
            if (c.exitCode !== null || c.signalCode !== null) return res();
            const t = setTimeout(() => c.kill('SIGKILL'), 10_000);
            c.once('exit', () => {
              clearTimeout(t);
              res();
            });
            c.kill('SIGTERM');
          }),
      ),
    );
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await waitFor(`${backendUrl}/health`, 60_000, children[0]!, logs);
    await waitFor(`${mlUrl}/health`, 60_000, children[1]!, logs);
  } catch (err) {
    await stop();
    throw err;
  }
  return { backendUrl, mlUrl, dataDir, logs, stop };
}

/**
 * Posts a delivery to the backend's result callback signed the way the ML
 * service signs it (the stack must run with this CALLBACK_SECRET). For tests
 * that need a finished job whose result they control: the random-weight test
 * model's transcripts are gibberish.
 */
export async function deliverSignedResult(backendUrl: string, callbackSecret: string, body: ResultCallbackInput): Promise<void> {
  const raw = JSON.stringify(body);
  const res = await fetch(`${backendUrl}/api/upload-video/result`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...signCallback(callbackSecret, raw) },
    body: raw,
  });
  if (res.status !== 200) throw new Error(`the result callback answered ${res.status}: ${await res.text()}`);
}
