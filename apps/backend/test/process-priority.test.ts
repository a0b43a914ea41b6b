import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DEFAULT_BACKEND_NICE, lowerProcessPriority, type PriorityDeps } from '../src/process-priority.js';
import { loadConfig } from '../src/config.js';
import { readProcStat } from '../../../tests/helpers/proc-stat.js';
import { freePort, TEST_SECRETS, waitFor } from './helpers/test-backend.js';

/** A fake of the OS's priority calls (unit tests only): a table of ids to nice values, with every set recorded. */
function fakeOs(platform: NodeJS.Platform, nice: Record<number, number>): PriorityDeps & { sets: [number, number][] } {
  const sets: [number, number][] = [];
  return {
    platform,
    sets,
    threadIds: () => Object.keys(nice).map(Number),
    getPriority: (id) => nice[id]!,
    setPriority: (id, n) => {
      sets.push([id, n]);
      nice[id] = n;
    },
  };
}

/** The nice value of every thread of a running process (Linux, /proc). */
function threadNice(pid: number): number[] {
  return readdirSync(`/proc/${pid}/task`).flatMap((tid) => readProcStat(`/proc/${pid}/task/${tid}/stat`)?.nice ?? []);
}

describe('the backend’s process priority (BACKEND_NICE)', () => {
  it('is 10 unless configured, 0 to 19', () => {
    const base = { ...TEST_SECRETS, DATA_DIR: tmpdir() };
    assert.equal(loadConfig(base).nice, DEFAULT_BACKEND_NICE);
    assert.equal(DEFAULT_BACKEND_NICE, 10);
    assert.equal(loadConfig({ ...base, BACKEND_NICE: '0' }).nice, 0);
    assert.throws(() => loadConfig({ ...base, BACKEND_NICE: '20' }), /BACKEND_NICE/);
  });

  it('on Linux lowers every thread, and never raises one', () => {
    const os = fakeOs('linux', { 100: 0, 101: 0, 102: 15 });
    assert.equal(lowerProcessPriority(10, os), 2);
    assert.deepEqual(os.sets, [[100, 10], [101, 10]]);
  });

  it('elsewhere lowers the whole process (id 0), and 0 changes nothing', () => {
    const os = fakeOs('darwin', { 0: 0 });
    assert.equal(lowerProcessPriority(0, os), 0);
    assert.deepEqual(os.sets, []);
    assert.equal(lowerProcessPriority(10, os), 1);
    assert.deepEqual(os.sets, [[0, 10]]);
  });

  it('a started backend runs every thread at BACKEND_NICE (10 by default, 0 when set to 0)', async () => {
    for (const [env, expected] of [[{}, 10], [{ BACKEND_NICE: '0' }, 0]] as const) {
      const dataDir = await mkdtemp(join(tmpdir(), 'ecg-nice-'));
      const port = await freePort();
      const child = spawn(process.execPath, ['--import', 'tsx', 'apps/backend/src/main.ts'], {
        cwd: join(import.meta.dirname, '..', '..', '..'),
        env: { ...process.env, ...TEST_SECRETS, DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'silent', ML_URL: 'http://127.0.0.1:9', ...env },
        stdio: 'ignore',
      });
      try {
        await waitFor('the backend to answer /health', async () => ((await fetch(`http://127.0.0.1:${port}/health`).catch(() => undefined))?.ok ? true : undefined), 60_000);
        const nice = threadNice(child.pid!);
        assert.ok(nice.length > 1, 'node runs more than one thread');
        assert.deepEqual([...new Set(nice)], [expected], `thread nice values: ${nice.join(' ')}`);
      } finally {
        child.kill('SIGKILL');
        await new Promise((r) => child.once('exit', r));
        await rm(dataDir, { recursive: true, force: true });
      }
    }
  });
});
