import pg from 'pg';
import type { Db, Queryable } from './db.js';

// With several statements and no parameters `pg` answers an array of results;
// the seam promises the last statement's rows, as the PGlite driver does.
function rowsOf<Row>(res: pg.QueryResult | pg.QueryResult[]): Row[] {
  const last = Array.isArray(res) ? res.at(-1) : res;
  return (last?.rows ?? []) as Row[];
}

export interface PostgresDbOptions {
  connectionString: string;
  /** libpq `options`, e.g. `-c search_path=ecg_test_1` (tests use a schema per run). */
  options?: string;
  max?: number;
}

/** A PostgreSQL server through a `pg` connection pool. */
export function createPostgresDb(opts: PostgresDbOptions): Db {
  const pool = new pg.Pool({
    connectionString: opts.connectionString,
    max: opts.max ?? 10,
    ...(opts.options ? { options: opts.options } : {}),
  });
  // An idle client losing its server (restart, failover) emits here; without a
  // listener Node would crash the process. The next query gets a fresh client.
  pool.on('error', () => {});
  let closing: Promise<void> | undefined;
  const query = async <Row extends object>(sql: string, params: readonly unknown[] = []) => rowsOf<Row>(await pool.query(sql, [...params]));
  return {
    driver: 'postgres',
    query,
    // Other processes write to the server too: no `changes` count, so peek and quiet are plain queries.
    peek: query,
    quiet: query,
    async transaction<T>(fn: (tx: Queryable) => Promise<T>) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const tx: Queryable = {
          async query<Row extends object>(sql: string, params: readonly unknown[] = []) {
            return rowsOf<Row>(await client.query(sql, [...params]));
          },
        };
        const out = await fn(tx);
        await client.query('COMMIT');
        return out;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {});
        throw err;
      } finally {
        client.release();
      }
    },
    // Idempotent: shutdown paths and tests may both close it.
    close() {
      closing ??= pool.end();
      return closing;
    },
  };
}
