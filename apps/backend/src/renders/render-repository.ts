import { randomUUID } from 'node:crypto';
import type { ErrorCode, RenderStatus } from '@ecg/contracts';
import type { Db, Queryable } from '../db/db.js';
import { isJobId } from '../jobs/job-repository.js';

export interface Render {
  id: string;
  jobId: string;
  status: RenderStatus;
  progress: number;
  expressive: boolean;
  strength: number;
  captionVersion: number;
  errorCode: ErrorCode | null;
  errorMessage: string | null;
  /** Storage key of the MP4; set once completed. */
  outputKey: string | null;
  /** Claims so far, the current one included. */
  attempts: number;
  /** The attempt that holds it while processing (see RenderWorker); null otherwise. */
  leaseOwner: string | null;
  createdAt: Date;
  updatedAt: Date;
  startedAt: Date | null;
  completedAt: Date | null;
  /** The client (address) that asked for it; null for renders from before this was recorded. */
  requestedBy: string | null;
}

interface RenderRow {
  id: string;
  job_id: string;
  status: RenderStatus;
  progress: number;
  expressive: boolean;
  strength: number;
  caption_version: number;
  error_code: ErrorCode | null;
  error_message: string | null;
  output_key: string | null;
  attempts: number;
  lease_owner: string | null;
  created_at: Date;
  updated_at: Date;
  started_at: Date | null;
  completed_at: Date | null;
  requested_by: string | null;
}

function toRender(r: RenderRow): Render {
  return {
    id: r.id,
    jobId: r.job_id,
    status: r.status,
    progress: Number(r.progress),
    expressive: r.expressive,
    strength: Number(r.strength),
    captionVersion: Number(r.caption_version),
    errorCode: r.error_code,
    errorMessage: r.error_message,
    outputKey: r.output_key,
    attempts: Number(r.attempts),
    leaseOwner: r.lease_owner,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    startedAt: r.started_at,
    completedAt: r.completed_at,
    requestedBy: r.requested_by,
  };
}

export interface RenderOptions {
  expressive: boolean;
  strength: number;
  captionVersion: number;
}

const LIVE = `status IN ('queued', 'processing')`;

/** The keys (as text) `liveIds` lists: renders that should have work in the queue (WorkQueue.workDue's probe). */
export const LIVE_RENDER_KEYS_SQL = `SELECT id::text FROM renders WHERE ${LIVE}`;

/** First key of the per-job advisory lock (any constant; the job id hashes into the second). */
const RENDER_LOCK_NAMESPACE = 7_412_009;

export interface RenderLimits {
  /** Live renders of the whole instance. */
  maxLive: number;
  /** Live renders one client asked for. */
  maxLivePerRequester: number;
}

export type QueueOutcome =
  | { outcome: 'joined' | 'replaced' | 'created'; render: Render }
  | { outcome: 'full'; scope: 'client' | 'instance' };

/**
 * Every SQL statement about renders. As for jobs, each transition is one
 * conditional UPDATE; a worker's writes also require that its attempt still
 * owns the render (`lease_owner`), so a render retried behind a slow worker's
 * back is never completed or failed by that worker afterwards. Who works on
 * a render when, and for how long a claim holds, is the work queue's
 * (queue/work-queue.ts); this table is the truth about the render itself.
 */
export class RenderRepository {
  constructor(private readonly db: Db) {}

  async get(id: string): Promise<Render | null> {
    if (!isJobId(id)) return null;
    const rows = await this.db.query<RenderRow>('SELECT * FROM renders WHERE id = $1', [id]);
    return rows[0] ? toRender(rows[0]) : null;
  }

  /**
   * Queues a render for a job, keeping at most one waiting per job: the live
   * render with the same options and captions version is joined; otherwise a
   * render still waiting for this job takes the new options (it has not
   * started, so nobody loses work, and its id stays valid for whoever polls
   * it); otherwise a new one is queued, if `limits` allow one more. A per-job
   * advisory lock serialises requests for the same job across backends.
   */
  async queueForJob(jobId: string, opts: RenderOptions, requestedBy: string, limits: RenderLimits): Promise<QueueOutcome> {
    return this.db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [RENDER_LOCK_NAMESPACE, jobId]);
      const live = await this.findLive(jobId, opts, tx);
      if (live) return { outcome: 'joined', render: live };
      const replaced = await tx.query<RenderRow>(
        `UPDATE renders SET expressive = $2, strength = $3, caption_version = $4, requested_by = $5, updated_at = now()
          WHERE id = (SELECT id FROM renders WHERE job_id = $1 AND status = 'queued' ORDER BY created_at DESC, id LIMIT 1)
            AND status = 'queued'
         RETURNING *`,
        [jobId, opts.expressive, opts.strength, opts.captionVersion, requestedBy],
      );
      if (replaced[0]) return { outcome: 'replaced', render: toRender(replaced[0]) };
      const [counts] = await tx.query<{ total: number; mine: number }>(
        `SELECT count(*)::int AS total, (count(*) FILTER (WHERE requested_by = $1))::int AS mine
           FROM renders WHERE ${LIVE}`,
        [requestedBy],
      );
      if ((counts?.mine ?? 0) >= limits.maxLivePerRequester) return { outcome: 'full', scope: 'client' };
      if ((counts?.total ?? 0) >= limits.maxLive) return { outcome: 'full', scope: 'instance' };
      const inserted = await tx.query<RenderRow>(
        `INSERT INTO renders (id, job_id, expressive, strength, caption_version, requested_by)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING *`,
        [randomUUID(), jobId, opts.expressive, opts.strength, opts.captionVersion, requestedBy],
      );
      return { outcome: 'created', render: toRender(inserted[0]!) };
    });
  }

  /** The queued or processing render of this job with these options and captions version, if any. */
  async findLive(jobId: string, opts: RenderOptions, on: Queryable = this.db): Promise<Render | null> {
    const rows = await on.query<RenderRow>(
      `SELECT * FROM renders
        WHERE job_id = $1 AND expressive = $2 AND strength = $3 AND caption_version = $4 AND ${LIVE}`,
      [jobId, opts.expressive, opts.strength, opts.captionVersion],
    );
    return rows[0] ? toRender(rows[0]) : null;
  }

  /** Renders waiting or running, all jobs together. */
  async countLive(): Promise<number> {
    const rows = await this.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM renders WHERE ${LIVE}`);
    return rows[0]?.n ?? 0;
  }

  /** Every queued or processing render's id: each should have its work waiting or under way in the work queue. */
  async liveIds(on: Queryable = this.db): Promise<string[]> {
    const rows = await on.query<{ id: string }>(`SELECT id FROM renders WHERE ${LIVE} ORDER BY created_at, id`);
    return rows.map((r) => r.id);
  }

  /**
   * Takes render `id` for the attempt `owner` (the work queue handed it over):
   * a queued one, or a processing one whose earlier attempt's claim ran out
   * (that attempt can no longer write: it is not the owner). Null when the
   * render has ended or is gone, and there is nothing to do.
   */
  async claim(id: string, owner: string): Promise<Render | null> {
    const rows = await this.db.query<RenderRow>(
      `UPDATE renders
          SET status = 'processing', progress = 0, attempts = attempts + 1,
              lease_owner = $2, lease_expires_at = NULL, started_at = now(), updated_at = now()
        WHERE id = $1 AND ${LIVE}
       RETURNING *`,
      [id, owner],
    );
    return rows[0] ? toRender(rows[0]) : null;
  }

  /**
   * Live renders among `ids` that have no work in the queue (an interrupted
   * render whose retries ran out, one handed back at shutdown, one from before
   * the queue): a processing one claimed `maxAttempts` times fails, the others
   * are (or stay) queued; returns both, so the caller queues the work of the rest.
   */
  async settleOrphans(ids: readonly string[], maxAttempts: number, on: Queryable = this.db): Promise<{ queued: Render[]; failed: Render[] }> {
    const idList = JSON.stringify(ids);
    const failed = await on.query<RenderRow>(
      `UPDATE renders
          SET status = 'failed', error_code = 'INTERNAL_ERROR',
              error_message = 'the render was interrupted ' || attempts || ' times (the backend stopped while rendering); start it again',
              lease_owner = NULL, lease_expires_at = NULL, updated_at = now(), completed_at = now()
        WHERE id::text IN (SELECT jsonb_array_elements_text($1::jsonb)) AND status = 'processing' AND attempts >= $2
       RETURNING *`,
      [idList, maxAttempts],
    );
    const queued = await on.query<RenderRow>(
      `UPDATE renders
          SET status = 'queued', progress = 0, lease_owner = NULL, lease_expires_at = NULL,
              updated_at = CASE WHEN status = 'queued' THEN updated_at ELSE now() END
        WHERE id::text IN (SELECT jsonb_array_elements_text($1::jsonb)) AND ${LIVE}
       RETURNING *`,
      [idList],
    );
    return { queued: queued.map(toRender), failed: failed.map(toRender) };
  }

  /** Records progress (never backwards) while `owner`'s attempt runs. False once the render is no longer `owner`'s. */
  async renew(id: string, owner: string, progress?: number): Promise<boolean> {
    const rows = await this.db.query<{ id: string }>(
      `UPDATE renders
          SET progress = GREATEST(progress, LEAST(100, COALESCE($3::double precision, progress))),
              updated_at = now()
        WHERE id = $1 AND status = 'processing' AND lease_owner = $2
       RETURNING id`,
      [id, owner, progress ?? null],
    );
    return rows.length > 0;
  }

  async complete(id: string, owner: string, outputKey: string): Promise<Render | null> {
    const rows = await this.db.query<RenderRow>(
      `UPDATE renders
          SET status = 'completed', progress = 100, output_key = $3, error_code = NULL, error_message = NULL,
              lease_owner = NULL, lease_expires_at = NULL, updated_at = now(), completed_at = now()
        WHERE id = $1 AND status = 'processing' AND lease_owner = $2
       RETURNING *`,
      [id, owner, outputKey],
    );
    return rows[0] ? toRender(rows[0]) : null;
  }

  async fail(id: string, owner: string, code: ErrorCode, message: string): Promise<Render | null> {
    const rows = await this.db.query<RenderRow>(
      `UPDATE renders
          SET status = 'failed', error_code = $3, error_message = $4,
              lease_owner = NULL, lease_expires_at = NULL, updated_at = now(), completed_at = now()
        WHERE id = $1 AND status = 'processing' AND lease_owner = $2
       RETURNING *`,
      [id, owner, code, message],
    );
    return rows[0] ? toRender(rows[0]) : null;
  }

  /** Hands a claimed render back to the queue (shutdown): another worker, or this one after a restart, starts it again. */
  async release(id: string, owner: string): Promise<boolean> {
    const rows = await this.db.query<{ id: string }>(
      `UPDATE renders
          SET status = 'queued', progress = 0, lease_owner = NULL, lease_expires_at = NULL,
              attempts = GREATEST(attempts - 1, 0), updated_at = now()
        WHERE id = $1 AND status = 'processing' AND lease_owner = $2
       RETURNING id`,
      [id, owner],
    );
    return rows.length > 0;
  }
}
