import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loadMigrations, runMigrations } from '../src/db/migrate.js';
import { TEST_DATABASES, type TestDatabase } from './helpers/test-databases.js';

for (const { driver, open } of TEST_DATABASES) {
  describe(`migrations on ${driver}`, () => {
    let t: TestDatabase;
    before(async () => {
      t = await open();
    });
    after(async () => {
      await t?.cleanup();
    });

    it('applies every migration once, in order, and a second run applies nothing', async () => {
      const names = loadMigrations().map((m) => m.name);
      assert.ok(names.includes('001_jobs.sql'));
      assert.deepEqual(await runMigrations(t.db), names);
      assert.deepEqual(await runMigrations(t.db), []);
      const rows = await t.db.query<{ name: string }>('SELECT name FROM schema_migrations ORDER BY name');
      assert.deepEqual(rows.map((r) => r.name), names);
      const cols = await t.db.query<{ column_name: string }>(
        `SELECT column_name FROM information_schema.columns WHERE table_name = 'jobs' AND table_schema = current_schema()`,
      );
      for (const c of ['id', 'file_key', 'status', 'progress', 'result', 'next_dispatch_at', 'completed_at']) {
        assert.ok(cols.some((r) => r.column_name === c), `jobs.${c} exists`);
      }
    });

    it('lets two backends start at once: both succeed and each migration is recorded once', async () => {
      const second = t.openSecond();
      const extra = { name: '999_concurrency_probe.sql', sql: 'CREATE TABLE concurrency_probe (id int PRIMARY KEY);' };
      const migrations = [...loadMigrations(), extra];
      const [a, b] = await Promise.all([runMigrations(t.db, migrations), runMigrations(second, migrations)]);
      assert.deepEqual([...a, ...b], ['999_concurrency_probe.sql'], 'exactly one of them applied the new migration');
      const rows = await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM schema_migrations WHERE name = $1`, [extra.name]);
      assert.equal(rows[0]?.n, 1);
    });

    it('rolls a failing migration back entirely, leaving no record and no partial table', async () => {
      const broken = { name: '998_broken.sql', sql: 'CREATE TABLE half_made (id int); SELECT no_such_function();' };
      await assert.rejects(runMigrations(t.db, [...loadMigrations(), broken]));
      const rec = await t.db.query(`SELECT 1 FROM schema_migrations WHERE name = $1`, [broken.name]);
      assert.equal(rec.length, 0);
      const tbl = await t.db.query(`SELECT 1 FROM information_schema.tables WHERE table_name = 'half_made' AND table_schema = current_schema()`);
      assert.equal(tbl.length, 0);
    });
  });
}
