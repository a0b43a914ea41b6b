import type { Db } from '../db/db.js';
import { createDueCache, type DueCache } from '../db/due-cache.js';

/** A queued webhook, as the sender sees it. */
export interface WebhookDelivery {
  jobId: string;
  ownerId: string;
  url: string;
  /** The event without result_url (enqueue-webhook.ts). */
  body: Record<string, unknown>;
  /** Attempts made so far, this one included (counted when claimed). */
  attempts: number;
}

interface DeliveryRow {
  job_id: string;
  owner_id: string;
  url: string;
  body: Record<string, unknown>;
  attempts: number;
}

const PENDING = 'd.delivered_at IS NULL AND d.given_up_at IS NULL';

/**
 * Every SQL statement about webhook deliveries. A delivery is claimed with a
 * lease (its next_attempt_at pushed out) so several backends, or a tick that
 * overruns, never send it twice at once; a claim counts as an attempt, so a
 * crash mid-send still brings it nearer to being given up.
 */
export class WebhookRepository {
  private readonly due: DueCache;

  constructor(private readonly db: Db) {
    this.due = createDueCache(db);
  }

  /**
   * True when claimDue would claim something now. One small read, and none
   * at all on PGlite while nothing was stored and no retry's time has come
   * (db/due-cache.ts).
   */
  async anyDue(): Promise<boolean> {
    return this.due('deliveries', async () => {
      const rows = await this.db.peek<{ due_in_ms: number | null }>(
        `SELECT (EXTRACT(EPOCH FROM min(d.next_attempt_at) - now()) * 1000)::double precision AS due_in_ms
           FROM webhook_deliveries d JOIN jobs j ON j.id = d.job_id
          WHERE ${PENDING} AND j.deleting_at IS NULL`,
      );
      return rows[0]?.due_in_ms ?? null;
    });
  }

  /** Due deliveries of jobs not being deleted (a job marked for deletion gets no webhook). */
  async claimDue(limit: number, leaseMs: number): Promise<WebhookDelivery[]> {
    const rows = await this.db.query<DeliveryRow>(
      `WITH due AS (
         SELECT d.job_id FROM webhook_deliveries d JOIN jobs j ON j.id = d.job_id
          WHERE ${PENDING} AND d.next_attempt_at <= now() AND j.deleting_at IS NULL
          ORDER BY d.next_attempt_at
          LIMIT $1
          FOR UPDATE OF d SKIP LOCKED
       )
       UPDATE webhook_deliveries w
          SET attempts = w.attempts + 1,
              next_attempt_at = now() + ($2::double precision * interval '1 millisecond')
         FROM due WHERE w.job_id = due.job_id
       RETURNING w.job_id, w.owner_id, w.url, w.body, w.attempts`,
      [limit, leaseMs],
    );
    return rows.map((r) => ({ jobId: r.job_id, ownerId: r.owner_id, url: r.url, body: r.body, attempts: Number(r.attempts) }));
  }

  async markDelivered(jobId: string): Promise<void> {
    await this.db.query(`UPDATE webhook_deliveries SET delivered_at = now(), last_error = NULL WHERE job_id = $1`, [jobId]);
  }

  async scheduleRetry(jobId: string, delayMs: number, error: string): Promise<void> {
    await this.db.query(
      `UPDATE webhook_deliveries SET next_attempt_at = now() + ($2::double precision * interval '1 millisecond'), last_error = $3
        WHERE job_id = $1`,
      [jobId, delayMs, error],
    );
  }

  async giveUp(jobId: string, error: string): Promise<void> {
    await this.db.query(`UPDATE webhook_deliveries SET given_up_at = now(), last_error = $2 WHERE job_id = $1`, [jobId, error]);
  }
}
