import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Caption, TranscriptResult } from '@ecg/contracts';
import { loadMigrations, runMigrations } from '../src/db/migrate.js';
import { JobRepository } from '../src/jobs/job-repository.js';
import { uploadFileName } from '../src/storage/keys.js';
import { TEST_DATABASES, useMigratedDatabase, type TestDatabase } from './helpers/test-databases.js';

const RESULT: TranscriptResult = { text: 'hello', language: 'en', segments: [{ id: 0, start: 0, end: 1, text: 'hello' }] };
const captions = (text: string): Caption[] => [{ id: 'c0', start: 0, end: 1, text, words: [] }];
let n = 0;
const key = (name = 'clip.mp4') => `videos/anonymous/20250101_000000_${String(n++ % 1e8).padStart(8, '0')}_${name}`;

describe('uploadFileName', () => {
  it('reads the safe name out of an upload key, Korean included, and nothing out of other keys', () => {
    assert.equal(uploadFileName('videos/anonymous/20250911_143020_abc12345_회의_녹화.mp4'), '회의_녹화.mp4');
    assert.equal(uploadFileName('videos/anonymous/20250911_143020_abc12345_a_b_c.mov'), 'a_b_c.mov');
    assert.equal(uploadFileName('derived/waveforms/x.json'), null);
    assert.equal(uploadFileName('videos/anonymous/20250911_143020_abc12345_../../x'), null);
  });
});

for (const { driver, open } of TEST_DATABASES) {
  describe(`caption storage on ${driver}`, () => {
    let t: TestDatabase;
    let jobs: JobRepository;
    useMigratedDatabase(open, {
      clear: ['jobs'],
      onOpen: (opened) => {
        t = opened;
        jobs = new JobRepository(t.db);
      },
    });

    async function completed(name = 'clip.mp4'): Promise<string> {
      const { job } = await jobs.createOrGetLive(key(name), { fileName: name });
      await jobs.complete(job.id, RESULT, null);
      return job.id;
    }

    it('starts a job at caption version 0 with no edits and the file name it was given', async () => {
      const { job } = await jobs.createOrGetLive(key('talk.mp4'), { fileName: 'talk.mp4' });
      assert.equal(job.fileName, 'talk.mp4');
      assert.equal(job.captionVersion, 0);
      assert.equal(job.captions, null);
      assert.equal(job.captionsUpdatedAt, null);
    });

    it('lets exactly one of two saves from the same base win, over two connections', async () => {
      const id = await completed();
      const other = new JobRepository(t.openSecond());
      const outcomes = await Promise.all([jobs.saveCaptions(id, 0, captions('one')), other.saveCaptions(id, 0, captions('two'))]);
      const winners = outcomes.filter((o) => o !== null);
      assert.equal(winners.length, 1);
      const stored = await jobs.get(id);
      assert.equal(stored?.captionVersion, 1);
      assert.deepEqual(stored?.captions, winners[0]?.captions);
      assert.ok(stored?.captionsUpdatedAt instanceof Date);
    });

    it('restores by dropping the edits and bumping the version, never touching the transcript', async () => {
      const id = await completed();
      assert.ok(await jobs.saveCaptions(id, 0, captions('edited')));
      const restored = await jobs.restoreCaptions(id, 1);
      assert.equal(restored?.captionVersion, 2);
      assert.equal(restored?.captions, null);
      assert.deepEqual(restored?.result, RESULT);
      assert.equal(await jobs.restoreCaptions(id, 1), null, 'a stale restore changes nothing');
      assert.equal((await jobs.get(id))?.captionVersion, 2);
    });

    it('writes no captions to a job that has not completed', async () => {
      const { job } = await jobs.createOrGetLive(key(), { fileName: 'clip.mp4' });
      assert.equal(await jobs.saveCaptions(job.id, 0, captions('early')), null);
      assert.equal(await jobs.restoreCaptions(job.id, 0), null);
      assert.equal(await jobs.saveCaptions('not-a-uuid', 0, captions('x')), null);
      const stored = await jobs.get(job.id);
      assert.equal(stored?.captionVersion, 0);
      assert.equal(stored?.captions, null);
    });

    it('lists recent jobs newest first, up to the limit', async () => {
      const ids: string[] = [];
      for (const name of ['a.mp4', 'b.mp4', 'c.mp4']) {
        ids.push((await jobs.createOrGetLive(key(name), { fileName: name })).job.id);
        // Jobs made within the same clock tick have no order between them (the id breaks the tie at random).
        await new Promise((r) => setTimeout(r, 5));
      }
      const listed = await jobs.listRecent('anonymous', 2);
      assert.deepEqual(
        listed.map((j) => [j.id, j.fileName]),
        [
          [ids[2], 'c.mp4'],
          [ids[1], 'b.mp4'],
        ],
      );
    });
  });

  describe(`migration 002 on ${driver}`, () => {
    let t: TestDatabase;
    before(async () => {
      t = await open();
    });
    after(async () => {
      await t?.cleanup();
    });

    it('adds the caption columns to existing jobs and fills in their file names from the keys', async () => {
      const all = loadMigrations();
      await runMigrations(t.db, all.filter((m) => m.name === '001_jobs.sql'));
      const keyed = 'videos/anonymous/20250911_143020_abc12345_회의_녹화.mp4';
      await t.db.query(`INSERT INTO jobs (id, file_key) VALUES (gen_random_uuid(), $1), (gen_random_uuid(), 'elsewhere/x.mp4')`, [keyed]);
      assert.ok((await runMigrations(t.db, all)).includes('002_captions.sql'));
      const rows = await t.db.query<{ file_key: string; file_name: string | null; caption_version: number; captions: unknown }>(
        'SELECT file_key, file_name, caption_version, captions FROM jobs ORDER BY file_key',
      );
      assert.deepEqual(rows, [
        { file_key: 'elsewhere/x.mp4', file_name: null, caption_version: 0, captions: null },
        { file_key: keyed, file_name: '회의_녹화.mp4', caption_version: 0, captions: null },
      ]);
    });
  });
}
