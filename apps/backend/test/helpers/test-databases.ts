import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach } from 'node:test';
import pg from 'pg';
import { runMigrations } from '../../src/db/migrate.js';
import type { Db } from '../../src/db/db.js';
import { createPgliteDb } from '../../src/db/pglite-db.js';
import { createPostgresDb } from '../../src/db/postgres-db.js';
import { copyEmptyPgliteDatabase } from './pglite-template.js';

/** The PostgreSQL server the tests use; CI provides it (trust auth, database `test`). */
export const TEST_POSTGRES_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestDatabase {
  driver: 'pglite' | 'postgres';
  db: Db;
  /** Another connection to the same database (PGlite: the same instance; it is single-connection). */
  openSecond(): Db;
  cleanup(): Promise<void>;
}

async function openPglite(): Promise<TestDatabase> {
  const dir = await mkdtemp(join(tmpdir(), 'ecg-pglite-'));
  await copyEmptyPgliteDatabase(join(dir, 'db'));
  const db = await createPgliteDb(join(dir, 'db'));
  return {
    driver: 'pglite',
    db,
    openSecond: () => db,
    async cleanup() {
      await db.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A fresh schema per run, so parallel test files and runs never see each other's rows. */
async function openPostgres(): Promise<TestDatabase> {
  const schema = `ecg_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_POSTGRES_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE SCHEMA ${schema}`);
  } finally {
    await admin.end();
  }
  const open = () => createPostgresDb({ connectionString: TEST_POSTGRES_URL, options: `-c search_path=${schema}`, max: 4 });
  const db = open();
  const extra: Db[] = [];
  return {
    driver: 'postgres',
    db,
    openSecond() {
      const second = open();
      extra.push(second);
      return second;
    },
    async cleanup() {
      await Promise.all([db, ...extra].map((d) => d.close()));
      const dropper = new pg.Client({ connectionString: TEST_POSTGRES_URL });
      await dropper.connect();
      try {
        await dropper.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      } finally {
        await dropper.end();
      }
    },
  };
}

export const TEST_DATABASES: ReadonlyArray<{ driver: 'pglite' | 'postgres'; open: () => Promise<TestDatabase> }> = [
  { driver: 'pglite', open: openPglite },
  { driver: 'postgres', open: openPostgres },
];

/**
 * Registers the usual hooks for a repository test on one driver: open and
 * migrate before the suite, empty `clear` tables before each test, clean up
 * after. `onOpen` receives the database once it is ready.
 */
export function useMigratedDatabase(
  open: () => Promise<TestDatabase>,
  opts: { clear: readonly string[]; onOpen: (t: TestDatabase) => void },
): void {
  let t: TestDatabase | undefined;
  before(async () => {
    t = await open();
    await runMigrations(t.db);
    opts.onOpen(t);
  });
  after(async () => {
    await t?.cleanup();
  });
  beforeEach(async () => {
    for (const table of opts.clear) await t!.db.query(`DELETE FROM ${table}`);
  });
}
