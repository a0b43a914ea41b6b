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
  leaseOwner: string | null;
  leaseExpiresAt: Date | null;
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
  lease_expires_at: Date | null;
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
    leaseExpiresAt: r.lease_expires_at,
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
const SECONDS = `($SEC::double precision * interval '1 second')`;
const seconds = (param: number) => SECONDS.replace('$SEC', `$${param}`);

/**
 * Every SQL statement about renders. As for jobs, each transition is one
 * conditional UPDATE; a worker's writes also require its own lease
 * (`lease_owner`), so a render requeued behind a slow worker's back is never
 * completed or failed by that worker afterwards.
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

  /**
   * Claims up to `limit` queued renders, oldest first, for `owner` until the
   * lease runs out. SKIP LOCKED lets several backends claim side by side.
   */
  async claimQueued(limit: number, owner: string, leaseSeconds: number): Promise<Render[]> {
    if (limit <= 0) return [];
    const rows = await this.db.query<RenderRow>(
      `WITH next AS (
         SELECT id FROM renders WHERE status = 'queued'
          ORDER BY created_at, id
          LIMIT $1
          FOR UPDATE SKIP LOCKED
       )
       UPDATE renders r
          SET status = 'processing', progress = 0, attempts = r.attempts + 1,
              lease_owner = $2, lease_expires_at = now() + ${seconds(3)},
              started_at = now(), updated_at = now()
         FROM next WHERE r.id = next.id
       RETURNING r.*`,
      [limit, owner, leaseSeconds],
    );
    return rows.map(toRender);
  }

  /** Extends `owner`'s lease and records progress (never backwards). False once the lease is no longer `owner`'s. */
  async renew(id: string, owner: string, leaseSeconds: number, progress?: number): Promise<boolean> {
    const rows = await this.db.query<{ id: string }>(
      `UPDATE renders
          SET lease_expires_at = now() + ${seconds(3)},
              progress = GREATEST(progress, LEAST(100, COALESCE($4::double precision, progress))),
              updated_at = now()
        WHERE id = $1 AND status = 'processing' AND lease_owner = $2
       RETURNING id`,
      [id, owner, leaseSeconds, progress ?? null],
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

  /**
   * Processing renders whose lease ran out (their backend died or hung): those
   * tried `maxAttempts` times fail, the others are queued again.
   */
  async recoverExpired(maxAttempts: number): Promise<{ requeued: Render[]; failed: Render[] }> {
    const failed = await this.db.query<RenderRow>(
      `UPDATE renders
          SET status = 'failed', error_code = 'INTERNAL_ERROR',
              error_message = 'the render was interrupted ' || attempts || ' times (the backend stopped while rendering); start it again',
              lease_owner = NULL, lease_expires_at = NULL, updated_at = now(), completed_at = now()
        WHERE status = 'processing' AND lease_expires_at <= now() AND attempts >= $1
       RETURNING *`,
      [maxAttempts],
    );
    const requeued = await this.db.query<RenderRow>(
      `UPDATE renders
          SET status = 'queued', progress = 0, lease_owner = NULL, lease_expires_at = NULL, updated_at = now()
        WHERE status = 'processing' AND lease_expires_at <= now()
       RETURNING *`,
    );
    return { requeued: requeued.map(toRender), failed: failed.map(toRender) };
  }
}
