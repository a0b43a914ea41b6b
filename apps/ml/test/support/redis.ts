/**
 * Redis for the shared-queue tests. The suite's Redis (REDIS_URL, default
 * 127.0.0.1:6379) is shared with CI's other tests: each test run takes a key
 * prefix of its own and deletes its keys afterwards. Tests that stop Redis
 * start their own `redis-server` on a free port with its own directory, and
 * never touch the shared one.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';

export const SHARED_REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export function uniquePrefix(): string {
  return `ecg-ml-test-${randomUUID().slice(0, 8)}`;
}

export function redisClient(url = SHARED_REDIS_URL): Redis {
  return new Redis(url, { maxRetriesPerRequest: null });
}

/** Deletes every key under `prefix:` (BullMQ's and the job store's). */
export async function deletePrefix(prefix: string, url = SHARED_REDIS_URL): Promise<void> {
  const redis = redisClient(url);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

export interface OwnRedis {
  url: string;
  /** SHUTDOWN (which writes the append-only file out), then waits for the process to end. */
  stop(): Promise<void>;
  /** Starts redis-server again on the same port and directory. */
  start(): Promise<void>;
  /** Stops it (if running) and removes its directory. */
  remove(): Promise<void>;
}

/** A redis-server of this test's own, on a free port, persisting with appendonly yes. */
export async function startOwnRedis(): Promise<OwnRedis> {
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'ecg-ml-redis-'));
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();

  const start = async () => {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'always', '--save', ''], {
      stdio: 'ignore',
    });
    const proc = child;
    exited = new Promise<void>((r) => proc.once('exit', () => r()));
    for (;;) {
      const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      probe.on('error', () => undefined); // refused until the server listens: that is what the loop waits out
      const ok = await probe.connect().then(() => probe.ping().then(() => true), () => false);
      probe.disconnect();
      if (ok) return;
      if (proc.exitCode !== null) throw new Error(`redis-server on port ${port} exited with ${proc.exitCode}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const stop = async () => {
    if (!child || child.exitCode !== null) return;
    const admin = new Redis(url, { maxRetriesPerRequest: 0, retryStrategy: () => null });
    admin.on('error', () => undefined);
    await admin.shutdown().catch(() => undefined); // the connection closes under the reply
    admin.disconnect();
    await exited;
  };
  await start();
  return {
    url,
    start,
    stop,
    async remove() {
      await stop();
      if (child && child.exitCode === null) child.kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    },
  };
}
