import PgBoss from 'pg-boss';
import type { Db, Queryable } from '../db/db.js';
import { createDueCache } from '../db/due-cache.js';

/**
 * The queue seam: background work (delivering jobs to the ML service, burning
 * in renders) as pg-boss jobs in the backend's own database, so any number of
 * backends share one queue and none keeps state that matters in memory.
 * pg-boss runs on both drivers of the Db seam (embedded PGlite and a
 * PostgreSQL server) through its custom executor; nothing else is installed.
 *
 * Callers may rely on: a fetched queue job is handed to one fetcher only
 * (pg-boss's SKIP LOCKED fetch); an active job not completed, failed or
 * extended within its queue's `expireInSeconds` is failed by the maintenance
 * pass (every `maintenanceIntervalSeconds`, on every backend) and retried, up
 * to `retryLimit` times, with pg-boss's delays; a row
 * of ours is the truth about its work and a queue job only says "work on row
 * `key`" (`reconcile` restores that link whatever happened to the queue).
 */
export interface WorkQueue {
  readonly schema: string;
  /** Installs or migrates pg-boss's schema and creates the queues; starts the maintenance timer. */
  start(): Promise<void>;
  /** Stops pg-boss's timers; queue jobs in flight are left as they are (they expire and are retried elsewhere). */
  stop(): Promise<void>;
  /** Queues work on row `key`, to start after `startAfterSeconds` (default now). */
  send(name: QueueName, key: string, opts?: { startAfterSeconds?: number; on?: Queryable }): Promise<void>;
  /** Up to `limit` queue jobs now due, each now active for this caller only. */
  fetch(name: QueueName, limit: number): Promise<QueueJob[]>;
  complete(name: QueueName, id: string, on?: Queryable): Promise<void>;
  /** The attempt failed: pg-boss retries it after its backoff, or fails it for good past `retryLimit`. */
  fail(name: QueueName, id: string, reason: string): Promise<void>;
  /** Ends active job `id` and queues row `key` afresh after `startAfterSeconds`, in one transaction (no backoff of pg-boss's own). */
  requeue(name: QueueName, id: string, key: string, startAfterSeconds: number): Promise<void>;
  /**
   * Renews an active job's claim (its expiry counts from now again); false
   * when it is no longer active, i.e. expired and handed to someone else.
   */
  extend(name: QueueName, id: string): Promise<boolean>;
  /** Makes every waiting job of `name` whose start lies ahead (a retry backoff) due now; returns how many. */
  makeWaitingDue(name: QueueName): Promise<number>;
  /**
   * One backend at a time (a transaction-level advisory lock per queue):
   * `rows` lists the rows that should have work queued; those of them with
   * no queue job waiting or active are passed to `orphaned`, which may send
   * for them on the same connection (`tx`), so two backends never both queue
   * the same row.
   */
  reconcile(name: QueueName, rows: (tx: Queryable) => Promise<string[]>, orphaned: (keys: string[], tx: Queryable) => Promise<void>): Promise<void>;
  /**
   * True when a tick of `name`'s worker has something to do now: a row of
   * `keysSql` (a constant SELECT of the keys, as text, that `reconcile`'s
   * `rows` would list) has no queue job waiting or active, or, unless
   * `fetchable` is false, a waiting job's start has come. One small read, and
   * none at all on PGlite while nothing was stored and no start has come
   * (db/due-cache.ts).
   */
  workDue(name: QueueName, keysSql: string, opts?: { fetchable?: boolean }): Promise<boolean>;
}

export interface QueueJob {
  id: string;
  /** The row this work is for (a job id, a render id). */
  key: string;
  /** Earlier attempts of this queue job (0 on the first). */
  retryCount: number;
}

export type QueueName = 'ml-dispatch' | 'render';

export interface QueuePolicy {
  /** Retries after the first attempt before pg-boss fails the job for good. */
  retryLimit: number;
  /** Whole seconds (pg-boss's unit); 0 retries at once. */
  retryDelaySeconds: number;
  /** Doubling delays from `retryDelaySeconds`, with jitter (pg-boss's retryBackoff). */
  retryBackoff: boolean;
  /** How long an active job may go without completing or being extended. */
  expireInSeconds: number;
}

export interface WorkQueueOptions {
  db: Db;
  /** pg-boss's own schema (QUEUE_SCHEMA); its tables never mix with ours. */
  schema: string;
  maintenanceIntervalSeconds: number;
  queues: Record<QueueName, QueuePolicy>;
  onError?: (err: unknown) => void;
}

/**
 * pg-boss's archive (finished jobs out of the job table after its 12 h) and
 * drop (the archive after its 7 days) need no finer pace than this; only
 * expiry bounds how soon a dead backend's work is taken over.
 */
const HOUSEKEEPING_MS = 60 * 60 * 1000;

/** First key of the reconcile lock (any constant; the queue name hashes into the second). */
const RECONCILE_LOCK_NAMESPACE = 7_412_010;

/** deadlock_detected, unique_violation, duplicate_table, duplicate_object, duplicate_schema: another process installing too. */
const INSTALL_RACE_CODES = new Set(['40P01', '23505', '42P07', '42710', '42P06']);

function executorOn(on: Queryable): PgBoss.Db {
  return {
    async executeSql(text: string, values: unknown[] = []) {
      return { rows: await on.query(text, values) };
    },
  };
}

export function createWorkQueue(opts: WorkQueueOptions): WorkQueue {
  if (!/^[a-z_][a-z0-9_]*$/.test(opts.schema)) throw new Error(`invalid queue schema name: ${opts.schema}`);
  const schema = opts.schema;
  const makeBoss = () => {
    const b = new PgBoss({
      db: executorOn(opts.db),
      schema,
      // Our own maintenance pass instead (maintain below): pg-boss's ran four statements every
      // interval whether or not any claim could have run out.
      supervise: false,
      // No cron schedules: the timekeeper would only poll for nothing.
      schedule: false,
    });
    b.on('error', (err) => opts.onError?.(err));
    return b;
  };
  let boss = makeBoss();
  let started: Promise<void> | undefined;
  const due = createDueCache(opts.db);
  let maintenanceTimer: NodeJS.Timeout | undefined;
  let maintaining: Promise<void> | undefined;
  let nextHousekeeping = 0;

  const expiryDue = () =>
    due('expiry', async () => {
      const rows = await opts.db.peek<{ due_in_ms: number | null }>(
        // pg-boss's failJobsByTimeout: state = 'active' AND (started_on + expire_in) < now().
        `SELECT (EXTRACT(EPOCH FROM min(started_on + expire_in) - now()) * 1000)::double precision AS due_in_ms
           FROM ${schema}.job WHERE state = 'active'`,
      );
      return rows[0]?.due_in_ms ?? null;
    });

  /**
   * Fails (for a retry) the active jobs whose claim ran out, asking pg-boss to
   * only when one has (a probe the due cache answers from memory on PGlite
   * while nothing changed), and runs pg-boss's whole pass (expire, archive,
   * drop) hourly.
   */
  const maintain = async () => {
    if (Date.now() >= nextHousekeeping) {
      nextHousekeeping = Date.now() + HOUSEKEEPING_MS;
      await boss.maintain();
    } else if (await expiryDue()) {
      await boss.expire();
    }
  };
  const onMaintenanceTimer = () => {
    maintaining ??= maintain()
      .catch((err: unknown) => opts.onError?.(err))
      .finally(() => (maintaining = undefined));
  };

  const install = async () => {
    await boss.start();
    for (const [name, p] of Object.entries(opts.queues)) {
      const policy = {
        retryLimit: p.retryLimit,
        retryDelay: p.retryDelaySeconds,
        retryBackoff: p.retryBackoff,
        expireInSeconds: p.expireInSeconds,
      };
      // createQueue leaves an existing queue's settings alone; updateQueue applies this start's configuration.
      await boss.createQueue(name, { name, ...policy });
      await boss.updateQueue(name, { name, ...policy });
    }
  };

  const send: WorkQueue['send'] = async (name, key, sendOpts = {}) => {
    await boss.send(name, { key }, {
      singletonKey: key,
      ...(sendOpts.startAfterSeconds ? { startAfter: sendOpts.startAfterSeconds } : {}),
      ...(sendOpts.on ? { db: executorOn(sendOpts.on) } : {}),
    });
  };

  return {
    schema,
    start() {
      started ??= (async () => {
        // pg-boss 10's first install and create_queue are not safe to run from two processes at once (two
        // backends started together on a fresh database: a duplicate schema or type, or a deadlock): the
        // loser starts over on a fresh instance (a failed one stays "starting"), and then finds it installed.
        for (let attempt = 1; ; attempt += 1) {
          try {
            await install();
            maintenanceTimer = setInterval(onMaintenanceTimer, opts.maintenanceIntervalSeconds * 1000);
            maintenanceTimer.unref();
            return;
          } catch (err) {
            if (attempt >= 5 || !INSTALL_RACE_CODES.has((err as { code?: string }).code ?? '')) throw err;
            await boss.stop({ graceful: false, close: false }).catch(() => {});
            boss = makeBoss();
            await new Promise((r) => setTimeout(r, 100 * attempt + Math.random() * 100));
          }
        }
      })();
      return started;
    },
    async stop() {
      if (!started) return;
      await started.catch(() => {});
      clearInterval(maintenanceTimer);
      await maintaining;
      await boss.stop({ graceful: false, close: false });
      started = undefined;
    },
    send,
    async fetch(name, limit) {
      if (limit <= 0) return [];
      const jobs = await boss.fetch<{ key: string }>(name, { batchSize: limit, includeMetadata: true });
      return jobs.map((j) => ({ id: j.id, key: j.data.key, retryCount: j.retryCount }));
    },
    async complete(name, id, on) {
      await boss.complete(name, id, {}, on ? { db: executorOn(on) } : {});
    },
    async fail(name, id, reason) {
      await boss.fail(name, id, { message: reason });
    },
    async requeue(name, id, key, startAfterSeconds) {
      await opts.db.transaction(async (tx) => {
        await tx.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [RECONCILE_LOCK_NAMESPACE, name]);
        await boss.complete(name, id, {}, { db: executorOn(tx) });
        await send(name, key, { startAfterSeconds, on: tx });
      });
    },
    async extend(name, id) {
      // pg-boss 10 has no heartbeat of its own (later majors need Node 22): its expiry reads
      // started_on + expire_in, so moving started_on is exactly a renewed claim.
      const rows = await opts.db.query(
        `UPDATE ${schema}.job SET started_on = now() WHERE name = $1 AND id = $2 AND state = 'active' RETURNING id`,
        [name, id],
      );
      return rows.length > 0;
    },
    async makeWaitingDue(name) {
      const rows = await opts.db.query(
        // A millisecond back: pg-boss fetches `start_after < now()`, and PGlite's clock may read the same millisecond twice.
        `UPDATE ${schema}.job SET start_after = now() - interval '1 millisecond'
          WHERE name = $1 AND state IN ('created', 'retry') AND start_after > now()
         RETURNING id`,
        [name],
      );
      return rows.length;
    },
    async workDue(name, keysSql, dueOpts = {}) {
      const fetchable = dueOpts.fetchable ?? true;
      return due(`${name} ${fetchable} ${keysSql}`, async () => {
        const rows = await opts.db.peek<{ due_in_ms: number | null }>(
          // Orphaned rows are due at once; a waiting job when pg-boss's fetch would take it (start_after < now()).
          `SELECT (EXTRACT(EPOCH FROM LEAST(
                    (SELECT now() WHERE EXISTS (
                       SELECT 1 FROM (${keysSql}) AS k(key)
                        WHERE NOT EXISTS (SELECT 1 FROM ${schema}.job q
                                           WHERE q.name = $1 AND q.state IN ('created', 'retry', 'active') AND q.singleton_key = k.key))),
                    (SELECT min(start_after) FROM ${schema}.job WHERE $2 AND name = $1 AND state < 'active')
                  ) - now()) * 1000)::double precision AS due_in_ms`,
          [name, fetchable],
        );
        return rows[0]?.due_in_ms ?? null;
      });
    },
    async reconcile(name, rows, orphaned) {
      await opts.db.transaction(async (tx) => {
        await tx.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [RECONCILE_LOCK_NAMESPACE, name]);
        const keys = await rows(tx);
        if (keys.length === 0) return;
        const held = await tx.query<{ key: string }>(
          `SELECT DISTINCT singleton_key AS key FROM ${schema}.job
            WHERE name = $1 AND state IN ('created', 'retry', 'active')
              AND singleton_key IN (SELECT jsonb_array_elements_text($2::jsonb))`,
          [name, JSON.stringify(keys)],
        );
        const heldKeys = new Set(held.map((r) => r.key));
        const missing = keys.filter((k) => !heldKeys.has(k));
        if (missing.length > 0) await orphaned(missing, tx);
      });
    },
  };
}
