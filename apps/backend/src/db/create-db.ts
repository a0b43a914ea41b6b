import { join } from 'node:path';
import type { Db } from './db.js';
import { runMigrations } from './migrate.js';
import { createPgliteDb } from './pglite-db.js';
import { createPostgresDb } from './postgres-db.js';

/** PostgreSQL when a URL is given, else PGlite under `<dataDir>/db`; migrated before it is returned. */
export async function createDb(opts: { databaseUrl: string | undefined; dataDir: string }): Promise<Db> {
  const db = opts.databaseUrl
    ? createPostgresDb({ connectionString: opts.databaseUrl })
    : await createPgliteDb(join(opts.dataDir, 'db'));
  try {
    await runMigrations(db);
  } catch (err) {
    await db.close().catch(() => {});
    throw err;
  }
  return db;
}
