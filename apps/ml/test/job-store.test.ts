import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TranscriptSegment } from '@ecg/contracts';
import { FileJobStore } from '../src/queue/file-job-store.js';
import { newJobRecord, type JobStore } from '../src/queue/job-store.js';
import { boundPartialSegments, MAX_PARTIAL_SEGMENT_BYTES, RedisJobStore } from '../src/queue/redis-job-store.js';
import { deletePrefix, redisClient, uniquePrefix } from './support/redis.js';

/**
 * The JobStore contract (queue/job-store.ts), run against both stores: the
 * file store (embedded default) and the Redis store (REDIS_URL), each
 * "restart" being a new store instance on the same directory or prefix.
 */
const implementations: {
  name: string;
  /** Several processes may use it at once (the file store is one process's). */
  shared: boolean;
  open: () => Promise<{ store: () => Promise<JobStore>; close: () => Promise<void> }>;
}[] = [
  {
    name: 'file job store',
    shared: false,
    async open() {
      const dir = await mkdtemp(join(tmpdir(), 'ecg-ml-store-contract-'));
      return { store: () => new FileJobStore(dir).init(), close: () => rm(dir, { recursive: true, force: true }) };
    },
  },
  {
    name: 'redis job store',
    shared: true,
    async open() {
      const prefix = uniquePrefix();
      const clients = [redisClient()];
      return {
        store: async () => {
          const client = redisClient();
          clients.push(client);
          return new RedisJobStore(client, prefix);
        },
        async close() {
          for (const c of clients) c.disconnect();
          await deletePrefix(prefix);
        },
      };
    },
  },
];

for (const impl of implementations) {
  describe(`${impl.name} (JobStore contract)`, () => {
    let env: Awaited<ReturnType<(typeof impl)['open']>>;
    before(async () => (env = await impl.open()));
    after(() => env.close());
    const record = (id = randomUUID(), at?: Date) => newJobRecord({ job_id: id, video_url: 'http://x/v.mp4', language: 'auto', callback_url: 'http://x/r' }, at);

    it('creates a job once, even from two instances at the same moment', async () => {
      const [a, b] = [await env.store(), await env.store()];
      const first = record();
      const results = await Promise.all([a.create(first), b.create({ ...first, video_url: 'http://other' })]);
      assert.deepEqual(results.map((r) => r.created).sort(), [false, true]);
      // Either may reach the store first; both answer with the winner's record, which is the one stored.
      const winner = results.find((r) => r.created)!.record.video_url;
      for (const r of results) assert.equal(r.record.video_url, winner);
      assert.equal((await (await env.store()).get(first.job_id))?.video_url, winner);
    });

    it(`keeps every field of concurrent updates${impl.shared ? ' from two instances' : ''}, and removes fields patched to undefined`, async () => {
      const a = await env.store();
      const b = impl.shared ? await env.store() : a;
      const job = record();
      await a.create(job);
      await Promise.all([
        ...Array.from({ length: 10 }, (_, i) => a.update(job.job_id, { progress: i })),
        b.update(job.job_id, { message: 'from b', error_code: 'CANCELLED' }),
      ]);
      await b.update(job.job_id, { error_code: undefined });
      const read = await (await env.store()).get(job.job_id);
      assert.equal(read?.progress, 9);
      assert.equal(read?.message, 'from b');
      assert.equal('error_code' in (read ?? {}), false);
    });

    it('answers null for unknown and unsafe ids', async () => {
      const store = await env.store();
      assert.equal(await store.get(randomUUID()), null);
      assert.equal(await store.get('../../etc/passwd'), null);
      assert.equal(await store.update(randomUUID(), { progress: 1 }), null);
    });

    it('lists jobs oldest first, filtered by status', async () => {
      const store = await env.store();
      const older = record(randomUUID(), new Date(1000));
      const newer = record(randomUUID(), new Date(2000));
      await store.create(newer);
      await store.create(older);
      await store.update(newer.job_id, { status: 'failed' });
      const ids = (await store.list()).map((j) => j.job_id).filter((id) => id === older.job_id || id === newer.job_id);
      assert.deepEqual(ids, [older.job_id, newer.job_id]);
      assert.equal((await store.list({ status: ['queued'] })).some((j) => j.job_id === newer.job_id), false);
      assert.equal((await store.list({ status: ['failed'] })).some((j) => j.job_id === newer.job_id), true);
    });
  });
}

describe('partial segments in the redis job store', () => {
  const segment = (id: number): TranscriptSegment => ({ id, start: id, end: id + 1, text: `segment number ${id} `.repeat(5) });

  it('keeps the newest segments that fit the bound, all of them when they fit', () => {
    const few = [segment(0), segment(1)];
    assert.equal(boundPartialSegments(few), few);
    const many = Array.from({ length: 2000 }, (_, i) => segment(i));
    const kept = boundPartialSegments(many);
    assert.ok(kept.length < many.length);
    assert.ok(Buffer.byteLength(JSON.stringify(kept)) <= MAX_PARTIAL_SEGMENT_BYTES);
    assert.equal(kept.at(-1)?.id, 1999);
    assert.equal(kept[0]?.id, 2000 - kept.length);
  });

  it('stores at most the bound however many segments a long job decoded', async () => {
    const prefix = uniquePrefix();
    const client = redisClient();
    try {
      const store = new RedisJobStore(client, prefix);
      const job = newJobRecord({ job_id: randomUUID(), video_url: 'u', language: 'auto', callback_url: 'c' });
      await store.create(job);
      await store.update(job.job_id, { partial_segments: Array.from({ length: 3000 }, (_, i) => segment(i)) });
      const read = await store.get(job.job_id);
      assert.ok(Buffer.byteLength(JSON.stringify(read?.partial_segments)) <= MAX_PARTIAL_SEGMENT_BYTES);
      assert.equal(read?.partial_segments?.at(-1)?.id, 2999);
    } finally {
      client.disconnect();
      await deletePrefix(prefix);
    }
  });
});

describe('file job store', () => {
  let dir: string;
  before(async () => (dir = await mkdtemp(join(tmpdir(), 'ecg-ml-store-'))));
  after(() => rm(dir, { recursive: true, force: true }));

  const record = (id = randomUUID()) => newJobRecord({ job_id: id, video_url: 'http://x/v.mp4', language: 'auto', callback_url: 'http://x/r' });

  it('creates a job once: a second create with the same id returns the stored record', async () => {
    const store = await new FileJobStore(dir).init();
    const first = record();
    const results = await Promise.all([store.create(first), store.create({ ...first, video_url: 'http://other' })]);
    assert.deepEqual(results.map((r) => r.created).sort(), [false, true]);
    for (const r of results) assert.equal(r.record.video_url, 'http://x/v.mp4');
  });

  it('persists updates so a new store instance (a restarted process) reads them', async () => {
    const a = await new FileJobStore(dir).init();
    const job = record();
    await a.create(job);
    await a.update(job.job_id, { status: 'processing', progress: 42, error_code: 'CANCELLED' });
    await a.update(job.job_id, { error_code: undefined });
    const b = await new FileJobStore(dir).init();
    const read = await b.get(job.job_id);
    assert.equal(read?.status, 'processing');
    assert.equal(read?.progress, 42);
    assert.equal('error_code' in (read ?? {}), false);
    const onDisk = JSON.parse(await readFile(join(dir, `${job.job_id}.json`), 'utf8')) as { progress: number };
    assert.equal(onDisk.progress, 42);
  });

  it('leaves no temp files after many concurrent updates, and keeps the last', async () => {
    const store = await new FileJobStore(dir).init();
    const job = record();
    await store.create(job);
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.update(job.job_id, { progress: i })));
    assert.equal((await store.get(job.job_id))?.progress, 19);
    assert.deepEqual((await readdir(dir)).filter((n) => n.endsWith('.tmp')), []);
  });

  it('answers null for unknown and unsafe ids instead of touching other paths', async () => {
    const store = await new FileJobStore(dir).init();
    assert.equal(await store.get(randomUUID()), null);
    assert.equal(await store.get('../../etc/passwd'), null);
    assert.equal(await store.update(randomUUID(), { progress: 1 }), null);
  });

  it('lists jobs oldest first, filtered by status', async () => {
    const d = await mkdtemp(join(tmpdir(), 'ecg-ml-store-list-'));
    const store = await new FileJobStore(d).init();
    const older = newJobRecord({ job_id: randomUUID(), video_url: 'u', language: 'auto', callback_url: 'c' }, new Date(1000));
    const newer = newJobRecord({ job_id: randomUUID(), video_url: 'u', language: 'auto', callback_url: 'c' }, new Date(2000));
    await store.create(newer);
    await store.create(older);
    await store.update(newer.job_id, { status: 'failed' });
    assert.deepEqual((await store.list()).map((j) => j.job_id), [older.job_id, newer.job_id]);
    assert.deepEqual((await store.list({ status: ['queued'] })).map((j) => j.job_id), [older.job_id]);
    await rm(d, { recursive: true, force: true });
  });
});
