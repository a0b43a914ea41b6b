import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createJobDeleter } from '../src/jobs/job-deleter.js';
import type { MarkedJob } from '../src/jobs/job-deletion-repository.js';
import { jobObjectKeys } from '../src/jobs/job-objects.js';
import { expiresAt, storedBytes, storedObjectKeys } from '../src/jobs/job-storage.js';

const FILE_KEY = 'videos/anonymous/20261201_120000_0123abcd_talk.mp4';
const JOB_ID = '6f1c2b0e-8a4d-4c35-9d7e-0b8f5a1e2c3d';
const RENDER_ID = '0b8f5a1e-2c3d-4c35-9d7e-6f1c2b0e8a4d';
const quietLog = { info: () => {}, warn: () => {} };

describe('job objects and expiry', () => {
  it('names every key a job may own, its renders by id whether or not they finished', () => {
    assert.deepEqual(jobObjectKeys({ id: JOB_ID, fileKey: FILE_KEY }, [{ id: RENDER_ID, outputKey: null }]), [
      FILE_KEY,
      `${FILE_KEY}.waveform.json`,
      `${FILE_KEY}.thumbnails.jpg`,
      `${FILE_KEY}.thumbnails.json`,
      `renders/${JOB_ID}/${RENDER_ID}.mp4`,
    ]);
  });

  it('expires a job RETENTION_DAYS after its creation, never without RETENTION_DAYS', () => {
    const created = new Date('2026-11-05T10:00:00.000Z');
    assert.equal(expiresAt(created, 30)?.toISOString(), '2026-12-05T10:00:00.000Z');
    assert.equal(expiresAt(created, null), null);
  });

  it('sums the sizes storage reports, a missing object as 0, and says null when storage fails', async () => {
    const keys = storedObjectKeys(FILE_KEY, ['renders/a.mp4']);
    assert.equal(keys.length, 5);
    // A fake storage (unit test only): sizes by key.
    const sizes = new Map([[FILE_KEY, 1000], ['renders/a.mp4', 250]]);
    const fake = { head: async (k: string) => (sizes.has(k) ? { size: sizes.get(k)!, contentType: undefined, lastModified: undefined } : null) };
    assert.equal(await storedBytes(fake, keys), 1250);
    const failing = { head: async () => Promise.reject(new Error('storage down')) };
    assert.equal(await storedBytes(failing, keys), null);
  });
});

describe('finishing a deletion (fake storage and ML, unit test)', () => {
  const marked = (status: MarkedJob['status'], markedSecondsAgo: number, now: number): MarkedJob => ({
    id: JOB_ID,
    fileKey: FILE_KEY,
    status,
    deletingAt: new Date(now - markedSecondsAgo * 1000),
  });

  function setup(cancel: () => Promise<'cancelled' | 'unknown'>) {
    const deleted: string[] = [];
    const rows: string[] = [];
    const order: string[] = [];
    const now = 1_800_000_000_000;
    const finish = createJobDeleter({
      deletions: { renderIds: async () => [{ id: RENDER_ID, outputKey: null }], deleteRows: async (id) => (rows.push(id), order.push('rows'), true) },
      storage: { delete: async (k) => void (deleted.push(k), order.push('object')) },
      cancelOnMl: cancel,
      cancelGiveUpSeconds: 600,
      logger: quietLog,
      now: () => now,
    });
    return { finish, deleted, rows, order, now };
  }

  it('deletes nothing while a live job cannot be cancelled, within the give-up time', async () => {
    const t = setup(async () => Promise.reject(new Error('ECONNREFUSED')));
    await assert.rejects(t.finish(marked('processing', 60, t.now)), /ECONNREFUSED/);
    assert.deepEqual(t.deleted, []);
    assert.deepEqual(t.rows, []);
  });

  it('deletes a live job without the cancel once the give-up time has passed', async () => {
    const t = setup(async () => Promise.reject(new Error('ECONNREFUSED')));
    await t.finish(marked('queued', 601, t.now));
    assert.equal(t.deleted.length, 5);
    assert.deepEqual(t.rows, [JOB_ID]);
  });

  it('asks the ML service only about live jobs, and deletes the rows after every object', async () => {
    let cancels = 0;
    const t = setup(async () => (cancels++, 'unknown'));
    await t.finish(marked('completed', 0, t.now));
    assert.equal(cancels, 0);
    await t.finish(marked('processing', 0, t.now));
    assert.equal(cancels, 1);
    assert.deepEqual(t.rows, [JOB_ID, JOB_ID]);
    assert.deepEqual(t.order, [...Array(5).fill('object'), 'rows', ...Array(5).fill('object'), 'rows']);
  });
});
