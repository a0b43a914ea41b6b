/**
 * The database seam. Every query is PostgreSQL SQL with $1-style parameters;
 * two drivers run it: embedded PGlite under DATA_DIR (the default, nothing to
 * install) and a PostgreSQL server when DATABASE_URL is set. Code above this
 * seam never knows which one it has.
 *
 * Callers may rely on: `query` returns plain row objects (jsonb columns parsed,
 * timestamptz as Date); `transaction` commits when the callback resolves and
 * rolls back when it throws; a Db is safe to share across concurrent requests.
 * A `query` without parameters may hold several statements (the simple
 * protocol; migrations use it) and resolves to the last statement's rows.
 */
export interface Db {
  readonly driver: 'pglite' | 'postgres';
  query<Row extends object = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<Row[]>;
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export type Queryable = Pick<Db, 'query'>;
