import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { SendOutcome } from '../pipeline/deliver-result.js';
import { originOf } from '@ecg/net-policy';
import { readJsonFile, writeFileAtomic } from './atomic-file.js';
import { backoffDelayMs } from '@ecg/service-kit';

/** One final delivery waiting for the backend to take it. */
export interface OutboxEntry {
  job_id: string;
  kind: 'result' | 'failure';
  url: string;
  /** The exact JSON text to send; signed afresh at each attempt. */
  body: string;
  attempts: number;
  created_at: string;
  next_attempt_at: string;
  last_error?: string;
}

export type OutboxSettlement = 'delivered' | 'gone' | 'expired';

/**
 * The deliveries seam: final deliveries (result or failure) kept until the
 * backend takes them. Two implementations: DeliveryOutbox (files under
 * ML_DATA_DIR, this process sends them) and BullDeliveries (BullMQ jobs on
 * Redis, any worker instance sends them). Both retry with backoffDelayMs,
 * drop an entry the backend answers 404/410 for, and call the settlement
 * callbacks once an entry leaves.
 *
 * Callers may rely on: `add` resolves once the delivery is persisted (it
 * survives a restart of this process from then on); `retryNow(url)` is a
 * hint that url's backend answers again; `stop` stops sending and keeps
 * what is pending.
 */
export interface Deliveries {
  add(input: Pick<OutboxEntry, 'job_id' | 'kind' | 'url' | 'body'>): Promise<void>;
  retryNow(url: string): void;
  /** Begins sending; answers how many deliveries were already pending. */
  start(): Promise<number>;
  stop(): Promise<void>;
}

export interface DeliveryOutboxOptions {
  dir: string;
  send: (entry: OutboxEntry) => Promise<SendOutcome>;
  /** Called once an entry leaves the outbox, whatever the reason. */
  onSettled?: (entry: OutboxEntry, how: OutboxSettlement, detail: string) => Promise<void>;
  /** Called after a failed attempt, with the retry scheduled. */
  onRetry?: (entry: OutboxEntry, retryInMs: number) => Promise<void>;
  backoff?: (attempt: number) => number;
  /** An entry still undelivered after this long is dropped (and reported as expired). */
  maxAgeMs?: number;
  log?: { info: (obj: object, msg: string) => void; warn: (obj: object, msg: string) => void };
}

const SAFE_ID = /^[A-Za-z0-9_-]{1,128}$/;

// Entries retried together when a backend is back go out this far apart, not as one burst of large POSTs.
const FLUSH_SPACING_MS = 50;

/**
 * Final deliveries (result or failure) persisted before they are sent, one
 * file per job and kind under `dir`, and retried with exponential backoff
 * until the backend answers 2xx, so a result survives a backend outage and an
 * ML restart. A 404/410 means the backend does not know the job: the entry is
 * dropped with a log line instead of being retried forever. When a delivery
 * gets through (or `retryNow` is told that a backend answers again), every
 * other entry for that backend's origin waiting out a backoff is tried at
 * once: the backend is back, and its results should not wait out the delay
 * they grew while it was down.
 */
export class DeliveryOutbox implements Deliveries {
  readonly #opts: DeliveryOutboxOptions;
  readonly #backoff: (attempt: number) => number;
  readonly #entries = new Map<string, OutboxEntry>();
  readonly #timers = new Map<string, NodeJS.Timeout>();
  /** When each scheduled attempt is due (ms since epoch). */
  readonly #due = new Map<string, number>();
  readonly #inFlight = new Map<string, Promise<void>>();
  #stopped = false;

  constructor(opts: DeliveryOutboxOptions) {
    this.#opts = opts;
    this.#backoff = opts.backoff ?? ((n) => backoffDelayMs(n));
  }

  static key(jobId: string, kind: OutboxEntry['kind']): string {
    if (!SAFE_ID.test(jobId)) throw new Error(`unsafe job id ${JSON.stringify(jobId)}`);
    return `${jobId}.${kind}`;
  }

  /** Loads what a previous process left and schedules it. */
  async start(): Promise<number> {
    await mkdir(this.#opts.dir, { recursive: true });
    for (const name of await readdir(this.#opts.dir)) {
      if (!name.endsWith('.json')) continue;
      const entry = await readJsonFile<OutboxEntry>(join(this.#opts.dir, name)).catch(() => null);
      if (!entry) continue;
      const key = DeliveryOutbox.key(entry.job_id, entry.kind);
      this.#entries.set(key, entry);
      this.#schedule(key, Math.max(0, Date.parse(entry.next_attempt_at) - Date.now()));
    }
    return this.#entries.size;
  }

  /** Persists a delivery (replacing one of the same job and kind), then tries it at once. */
  async add(input: Pick<OutboxEntry, 'job_id' | 'kind' | 'url' | 'body'>): Promise<void> {
    const now = new Date().toISOString();
    const entry: OutboxEntry = { ...input, attempts: 0, created_at: now, next_attempt_at: now };
    const key = DeliveryOutbox.key(entry.job_id, entry.kind);
    await writeFileAtomic(this.#file(key), JSON.stringify(entry));
    this.#entries.set(key, entry);
    this.#schedule(key, 0);
  }

  has(jobId: string): boolean {
    return this.#entries.has(`${jobId}.result`) || this.#entries.has(`${jobId}.failure`);
  }

  pending(): number {
    return this.#entries.size;
  }

  /**
   * Tries every waiting entry addressed to `url`'s origin now (spaced a little
   * apart), instead of after its backoff: call it when something reached
   * that backend. Entries in flight or already due are left alone.
   */
  retryNow(url: string): void {
    const origin = originOf(url);
    if (origin === null) return;
    let slot = 0;
    const now = Date.now();
    for (const [key, entry] of this.#entries) {
      if (this.#inFlight.has(key) || originOf(entry.url) !== origin) continue;
      const delay = slot * FLUSH_SPACING_MS;
      const due = this.#due.get(key);
      if (due !== undefined && due <= now + delay) continue;
      this.#schedule(key, delay);
      slot++;
    }
  }

  /** Stops retrying (entries stay on disk for the next start) and waits for attempts in flight. */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const t of this.#timers.values()) clearTimeout(t);
    this.#timers.clear();
    this.#due.clear();
    await Promise.all(this.#inFlight.values());
  }

  #file(key: string): string {
    return join(this.#opts.dir, `${key}.json`);
  }

  #schedule(key: string, delayMs: number): void {
    if (this.#stopped) return;
    const existing = this.#timers.get(key);
    if (existing) clearTimeout(existing);
    const timer = setTimeout(() => {
      this.#timers.delete(key);
      this.#due.delete(key);
      if (this.#inFlight.has(key)) return this.#schedule(key, 100);
      const attempt = this.#attempt(key).finally(() => this.#inFlight.delete(key));
      this.#inFlight.set(key, attempt);
    }, delayMs);
    // Pending deliveries alone must not keep a stopping process alive; they are on disk.
    timer.unref();
    this.#timers.set(key, timer);
    this.#due.set(key, Date.now() + delayMs);
  }

  async #attempt(key: string): Promise<void> {
    const entry = this.#entries.get(key);
    if (!entry) return;
    const { log, maxAgeMs = 7 * 24 * 3600_000 } = this.#opts;
    let outcome: SendOutcome;
    try {
      outcome = await this.#opts.send(entry);
    } catch (err) {
      outcome = { kind: 'retry', error: (err as Error).message };
    }
    if (this.#entries.get(key) !== entry) return; // replaced by a newer delivery meanwhile
    if (outcome.kind === 'delivered') {
      await this.#settle(key, entry, 'delivered', `HTTP ${outcome.status}`);
      this.retryNow(entry.url);
      return;
    }
    if (outcome.kind === 'gone') {
      log?.warn({ jobId: entry.job_id, kind: entry.kind, status: outcome.status }, 'backend does not know this job; delivery dropped');
      return this.#settle(key, entry, 'gone', `the backend answered HTTP ${outcome.status} (job unknown there)`);
    }
    const attempts = entry.attempts + 1;
    if (Date.now() - Date.parse(entry.created_at) > maxAgeMs) {
      log?.warn({ jobId: entry.job_id, kind: entry.kind, attempts, error: outcome.error }, 'delivery expired; dropped');
      return this.#settle(key, entry, 'expired', `not delivered after ${attempts} attempts: ${outcome.error}`);
    }
    const delay = this.#backoff(attempts);
    const next: OutboxEntry = { ...entry, attempts, last_error: outcome.error, next_attempt_at: new Date(Date.now() + delay).toISOString() };
    log?.info({ jobId: entry.job_id, kind: entry.kind, attempts, retryInMs: delay, error: outcome.error }, 'delivery failed; will retry');
    await writeFileAtomic(this.#file(key), JSON.stringify(next));
    this.#entries.set(key, next);
    this.#schedule(key, delay);
    await this.#opts.onRetry?.(next, delay);
  }

  async #settle(key: string, entry: OutboxEntry, how: OutboxSettlement, detail: string): Promise<void> {
    this.#entries.delete(key);
    await rm(this.#file(key), { force: true });
    await this.#opts.onSettled?.(entry, how, detail);
  }

  /** Entries as they stand (for status messages). */
  get(jobId: string, kind: OutboxEntry['kind']): OutboxEntry | undefined {
    return this.#entries.get(DeliveryOutbox.key(jobId, kind));
  }
}
