import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FileJobStore } from '../src/queue/file-job-store.js';
import { newJobRecord } from '../src/queue/job-store.js';

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
