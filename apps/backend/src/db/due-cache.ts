import type { Db } from './db.js';

/**
 * "Is some background work due now?", answered by a probe that reports how
 * many milliseconds remain until the earliest work is due (0 or less: due
 * now; null: nothing waits). Where the database counts its changes (PGlite,
 * see Db.changes) an answer holds until something is stored or the time it
 * named arrives, so an idle loop asks the database nothing at all between
 * changes; each probe costs a WASM query there (1-3 ms of CPU when run once a
 * second, measured 2026-12-01 on the 2-core dev machine). Elsewhere every call
 * asks, and the server's clock decides.
 *
 * Keyed so one cache serves several probes (and differing arguments) of
 * the same repository.
 */
export type DueCache = (key: string, probe: () => Promise<number | null>) => Promise<boolean>;

export function createDueCache(db: Pick<Db, 'changes'>): DueCache {
  const known = new Map<string, { changes: number; dueAt: number }>();
  return async (key, probe) => {
    const changes = db.changes?.();
    // Read before the probe runs: the time it names is then never later than the real one.
    const now = Date.now();
    const hit = changes === undefined ? undefined : known.get(key);
    if (hit && hit.changes === changes && now < hit.dueAt) return false;
    const inMs = await probe();
    // PGlite's now() is this process's clock, so a time the probe named can be compared with Date.now().
    if (changes !== undefined) known.set(key, { changes, dueAt: inMs === null ? Infinity : now + inMs });
    return inMs !== null && inMs <= 0;
  };
}
