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
  /**
   * A read that changes nothing, run like `query` but not counted by
   * `changes`: for the probes the background loops run every tick, which
   * would otherwise count as changes and wake each other, and for reads as
   * frequent as status polls.
   */
  peek<Row extends object = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<Row[]>;
  /**
   * A write that can make no background work due sooner than it was (a
   * progress report that moves a processing job's liveness time on): run like
   * `query` but, like `peek`, not counted by `changes`. A running job reports
   * every few seconds, and each counted write made every background loop
   * probe the database again: on PGlite, 13 probes of 5-16 ms each in the
   * 5 s a 66 s job spends in whisper.cpp (2026-12-02, 2-core machine), CPU
   * taken from whisper.cpp.
   */
  quiet<Row extends object = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<Row[]>;
  /**
   * Only where this process is the database's only client (embedded PGlite:
   * one connection, inside this process): how many statements and
   * transactions other than `peek`s have completed on it. While the count
   * stands still nothing stored has changed, so a probe's answer still holds
   * (see db/due-cache.ts). Absent for PostgreSQL, which other processes write to.
   */
  changes?(): number;
  close(): Promise<void>;
}

export type Queryable = Pick<Db, 'query'>;
