/**
 * Starts the whole system the way `npm start` does: scripts/start.ts, which
 * spawns and supervises the backend and the ML service, on free loopback ports
 * with a throw-away DATA_DIR. Restart tests go through this to kill a real
 * child of the real supervisor.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT, systemEnv } from './stack.js';

const exec = promisify(execFile);

export type ServiceName = 'backend' | 'ml';

const ENTRIES: Record<ServiceName, string> = {
  backend: 'apps/backend/src/main.ts',
  ml: 'apps/ml/src/main.ts',
};

export interface SupervisedSystem {
  backendUrl: string;
  mlUrl: string;
  backendPort: number;
  dataDir: string;
  supervisor: ChildProcess;
  /** Everything the supervisor and its children printed so far. */
  logs: () => string;
  /** Options for `eventually` that stop waiting once the supervisor is gone, and print the logs. */
  waitOpts: { logs: () => string; hopeless: () => string | undefined };
  /**
   * Pid of the process running `name`'s entry point under the supervisor (the
   * innermost one, should a launcher sit between), or null when none runs.
   */
  servicePid: (name: ServiceName) => Promise<number | null>;
  /** SIGTERM to the supervisor (what Ctrl+C does), wait for it to exit, delete DATA_DIR. */
  stop: () => Promise<void>;
}

/**
 * Polls `probe` (its errors count as "not yet") until it returns a value other
 * than undefined. Throws, with `what` and the logs, after `timeoutMs` or as
 * soon as `hopeless` names a reason to stop waiting.
 */
export async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
  opts: { logs?: () => string; hopeless?: () => string | undefined } = {},
): Promise<T> {
  const until = Date.now() + timeoutMs;
  const fail = (why: string) => new Error(`${why} waiting for ${what}${opts.logs ? `\n--- logs ---\n${opts.logs().slice(-12_000)}` : ''}`);
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    const reason = opts.hopeless?.();
    if (reason) throw fail(reason);
    if (Date.now() > until) throw fail(`timed out after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** True when `url` answers 2xx right now. */
export async function answers(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false;
  }
}

async function processTable(): Promise<{ pid: number; ppid: number; args: string }[]> {
  const { stdout } = await exec('ps', ['-A', '-o', 'pid=,ppid=,args='], { maxBuffer: 16 * 1024 * 1024 });
  return stdout
    .split('\n')
    .map((line) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ pid: Number(m[1]), ppid: Number(m[2]), args: m[3]! }));
}

export async function startSupervisedSystem(extraEnv: Record<string, string> = {}): Promise<SupervisedSystem> {
  const { env, dataDir, backendUrl, mlUrl } = await systemEnv('ecg-supervised-', extraEnv, (urls) => ({
    // An empty directory: no web app is served and none is built (the API is what these tests need).
    WEB_DIST_DIR: join(urls.dataDir, 'no-web-build'),
  }));

  const supervisor = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  supervisor.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  supervisor.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<void>((res) => supervisor.once('exit', () => res()));
  const logs = () => output;
  const hopeless = () =>
    supervisor.exitCode !== null || supervisor.signalCode !== null ? `the supervisor exited (${supervisor.signalCode ?? supervisor.exitCode})` : undefined;
  const waitOpts = { logs, hopeless };

  const servicePid = async (name: ServiceName): Promise<number | null> => {
    const table = await processTable();
    const descendants = new Set<number>([supervisor.pid!]);
    // Parents are listed before children only by chance; iterate until the set stops growing.
    for (let grew = true; grew; ) {
      grew = false;
      for (const p of table) {
        if (descendants.has(p.ppid) && !descendants.has(p.pid)) {
          descendants.add(p.pid);
          grew = true;
        }
      }
    }
    const running = table.filter((p) => descendants.has(p.pid) && p.pid !== supervisor.pid && p.args.includes(ENTRIES[name]));
    const innermost = running.filter((p) => !running.some((q) => q.ppid === p.pid));
    return innermost[0]?.pid ?? null;
  };

  const stop = async () => {
    if (supervisor.exitCode === null && supervisor.signalCode === null) {
      const forced = setTimeout(() => supervisor.kill('SIGKILL'), 30_000);
      supervisor.kill('SIGTERM');
      await exited;
      clearTimeout(forced);
    }
    rmSync(dataDir, { recursive: true, force: true });
  };

  try {
    await eventually('the backend to answer /health', async () => ((await answers(`${backendUrl}/health`)) ? true : undefined), 90_000, waitOpts);
    await eventually('the ML service to be ready', async () => ((await answers(`${mlUrl}/health`)) ? true : undefined), 90_000, waitOpts);
  } catch (err) {
    await stop();
    throw err;
  }
  return { backendUrl, mlUrl, backendPort: Number(new URL(backendUrl).port), dataDir, supervisor, logs, waitOpts, servicePid, stop };
}
