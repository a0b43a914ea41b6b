import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import type { Db, Queryable } from './db.js';

interface PgliteRunner {
  query<Row>(sql: string, params?: unknown[]): Promise<{ rows: Row[] }>;
  exec(sql: string): Promise<{ rows: unknown[] }[]>;
}

// Without parameters the simple protocol runs, which (as with `pg`) allows
// several statements in one string: migrations rely on it.
async function run<Row extends object>(on: PgliteRunner, sql: string, params: readonly unknown[]): Promise<Row[]> {
  if (params.length === 0) {
    const results = await on.exec(sql);
    return (results.at(-1)?.rows ?? []) as Row[];
  }
  return (await on.query<Row>(sql, [...params])).rows;
}

/**
 * Embedded PostgreSQL (WASM) in a directory: the zero-install default. PGlite
 * is one connection, so queries are serialised by PGlite itself; a query
 * issued while a transaction runs waits for it, which keeps `transaction`
 * isolated without a pool. No other process can share the directory (PGlite
 * runs the whole database inside this one), so every change goes through
 * this object and `changes` can count them.
 */
export async function createPgliteDb(dataDir: string): Promise<Db> {
  mkdirSync(dataDir, { recursive: true });
  const pg = await PGlite.create(dataDir);
  let closing: Promise<void> | undefined;
  // Counted when a statement or transaction ends (failed ones too: a failure may still have changed
  // something), never when it starts: a probe that read the count before a write ended sees it move.
  let changes = 0;
  const counted = <T>(p: Promise<T>): Promise<T> => p.finally(() => (changes += 1));
  // A read (peek) or a write that makes nothing due sooner (quiet): neither moves `changes`.
  const uncounted = <Row extends object>(sql: string, params: readonly unknown[] = []) => run<Row>(pg, sql, params);
  return {
    driver: 'pglite',
    query<Row extends object>(sql: string, params: readonly unknown[] = []) {
      return counted(run<Row>(pg, sql, params));
    },
    peek: uncounted,
    quiet: uncounted,
    changes: () => changes,
    transaction<T>(fn: (tx: Queryable) => Promise<T>) {
      return counted(
        pg.transaction(async (tx) => {
          const q: Queryable = {
            query<Row extends object>(sql: string, params: readonly unknown[] = []) {
              return run<Row>(tx, sql, params);
            },
          };
          return fn(q);
        }),
      );
    },
    // Idempotent: shutdown paths and tests may both close it.
    close() {
      closing ??= pg.close();
      return closing;
    },
  };
}
