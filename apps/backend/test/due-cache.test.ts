import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createDueCache } from '../src/db/due-cache.js';
import { TEST_DATABASES, type TestDatabase } from './helpers/test-databases.js';

for (const { driver, open } of TEST_DATABASES) {
  describe(`due cache on ${driver}`, () => {
    let t: TestDatabase;
    let probes = 0;
    // The probe a background loop would run: milliseconds until the earliest row is due.
    const probe = async () => {
      probes += 1;
      const rows = await t.db.peek<{ due_in_ms: number | null }>(
        `SELECT (EXTRACT(EPOCH FROM min(due_at) - now()) * 1000)::double precision AS due_in_ms FROM due_cache_test`,
      );
      return rows[0]?.due_in_ms ?? null;
    };
    before(async () => {
      t = await open();
      await t.db.query('CREATE TABLE due_cache_test (due_at timestamptz NOT NULL)');
    });
    after(async () => {
      await t?.cleanup();
    });
    beforeEach(async () => {
      await t.db.query('DELETE FROM due_cache_test');
      probes = 0;
    });

    it('answers due once a row is stored, whoever stored it', async () => {
      const due = createDueCache(t.db);
      assert.equal(await due('k', probe), false);
      await t.openSecond().query(`INSERT INTO due_cache_test VALUES (now() - interval '1 second')`);
      assert.equal(await due('k', probe), true);
      // Still due (nothing took it): asked again each time, never answered from memory.
      const before = probes;
      assert.equal(await due('k', probe), true);
      assert.equal(probes, before + 1);
    });

    it('answers due once the time a row named has come, with nothing stored in between', async () => {
      const due = createDueCache(t.db);
      await t.db.query(`INSERT INTO due_cache_test VALUES (now() + interval '300 milliseconds')`);
      assert.equal(await due('k', probe), false);
      await new Promise((r) => setTimeout(r, 350));
      assert.equal(await due('k', probe), true);
    });

    if (driver === 'pglite') {
      it('asks the database nothing again while nothing was stored and no time it named has come', async () => {
        const due = createDueCache(t.db);
        await t.db.query(`INSERT INTO due_cache_test VALUES (now() + interval '1 hour')`);
        for (let i = 0; i < 5; i += 1) assert.equal(await due('k', probe), false);
        // Reads (peeks) are not changes either.
        await t.db.peek('SELECT count(*) FROM due_cache_test');
        assert.equal(await due('k', probe), false);
        assert.equal(probes, 1);
        // Any statement may have changed something: the next answer asks again.
        await t.db.query(`UPDATE due_cache_test SET due_at = now() - interval '1 second'`);
        assert.equal(await due('k', probe), true);
        assert.equal(probes, 2);
      });

      it('counts a transaction as a change, a rolled-back one too', async () => {
        const due = createDueCache(t.db);
        assert.equal(await due('k', probe), false);
        await t.db.transaction(async (tx) => tx.query(`INSERT INTO due_cache_test VALUES (now() - interval '1 second')`));
        assert.equal(await due('k', probe), true);
        await t.db.query('DELETE FROM due_cache_test');
        assert.equal(await due('k', probe), false);
        await t.db
          .transaction(async (tx) => {
            await tx.query('SELECT 1');
            throw new Error('roll back');
          })
          .catch(() => {});
        assert.equal(await due('k', probe), false);
        assert.equal(probes, 4, 'each change made it ask again');
      });
    } else {
      it('asks the server every time: other processes write to it', async () => {
        const due = createDueCache(t.db);
        for (let i = 0; i < 3; i += 1) assert.equal(await due('k', probe), false);
        assert.equal(probes, 3);
      });
    }
  });
}
