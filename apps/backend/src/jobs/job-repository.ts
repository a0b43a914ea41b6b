import { randomUUID } from 'node:crypto';
import { ANONYMOUS_USER_ID } from '@ecg/contracts';
import type {
  Caption,
  CaptionLayoutRequest,
  CaptionSpeaker,
  ErrorCode,
  JobStage,
  JobStatus,
  SpeakerCountOptions,
  TranscribeOptions,
  TranscriptResult,
} from '@ecg/contracts';
import type { Db, Queryable } from '../db/db.js';
import { createDueCache, type DueCache } from '../db/due-cache.js';
import { isUuid } from '../db/uuid.js';
import { enqueueWebhookSql } from '../webhooks/enqueue-webhook.js';

export interface Job {
  id: string;
  /** Whose job it is: a user's id, or `anonymous` (ECG_AUTH=off). */
  ownerId: string;
  fileKey: string;
  language: string | null;
  status: JobStatus;
  stage: JobStage;
  progress: number;
  message: string | null;
  errorCode: ErrorCode | null;
  errorMessage: string | null;
  result: TranscriptResult | null;
  /** Deliveries to the ML service tried so far (the work queue schedules them; this only counts). */
  dispatchAttempts: number;
  /** For a processing job: when it is next asked about if it stays silent (claimStaleProcessing). */
  nextDispatchAt: Date;
  dispatchedAt: Date | null;
  lastEventAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  completedAt: Date | null;
  /** The uploaded file's safe name (from its key); null for a key of another shape. */
  fileName: string | null;
  /** Optimistic-concurrency counter of the captions: 0 until the first save or restore. */
  captionVersion: number;
  /** Saved edits; null means none, the transcript's captions apply. */
  captions: Caption[] | null;
  captionsUpdatedAt: Date | null;
  /** The layout the captions follow (profile, vertical, overrides); null: the language's profile as published. */
  captionLayout: CaptionLayoutRequest | null;
  /** How many speakers the diarizer looks for; null: found from the audio. */
  speakerCounts: SpeakerCountOptions | null;
  /** The names the person gave the speakers; null: none given yet. */
  captionSpeakers: CaptionSpeaker[] | null;
  /** How Whisper decodes it (task, prompt, temperature; the OpenAI-compatible API's); null: transcribe with the defaults. */
  jobOptions: TranscribeOptions | null;
}

/** What request-process records with a new job besides its key. */
export interface NewJobOptions {
  /** Whose job it is; `anonymous` when not given (ECG_AUTH=off). */
  ownerId?: string;
  language?: string | null;
  fileName?: string | null;
  captionLayout?: CaptionLayoutRequest | null;
  speakerCounts?: SpeakerCountOptions | null;
  jobOptions?: TranscribeOptions | null;
  /** Where the job's end is announced (a checked URL; see webhooks/). */
  callbackUrl?: string | null;
}

interface JobRow {
  id: string;
  owner_id: string;
  file_key: string;
  language: string | null;
  status: JobStatus;
  stage: JobStage;
  progress: number;
  message: string | null;
  error_code: ErrorCode | null;
  error_message: string | null;
  result: TranscriptResult | null;
  dispatch_attempts: number;
  next_dispatch_at: Date;
  dispatched_at: Date | null;
  last_event_at: Date | null;
  created_at: Date;
  updated_at: Date;
  completed_at: Date | null;
  file_name: string | null;
  caption_version: number;
  captions: Caption[] | null;
  captions_updated_at: Date | null;
  caption_layout: CaptionLayoutRequest | null;
  speaker_counts: SpeakerCountOptions | null;
  caption_speakers: CaptionSpeaker[] | null;
  job_options: TranscribeOptions | null;
}

function toJob(r: JobRow): Job {
  return {
    id: r.id,
    ownerId: r.owner_id,
    fileKey: r.file_key,
    language: r.language,
    status: r.status,
    stage: r.stage,
    progress: Number(r.progress),
    message: r.message,
    errorCode: r.error_code,
    errorMessage: r.error_message,
    result: r.result,
    dispatchAttempts: r.dispatch_attempts,
    nextDispatchAt: r.next_dispatch_at,
    dispatchedAt: r.dispatched_at,
    lastEventAt: r.last_event_at,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    completedAt: r.completed_at,
    fileName: r.file_name,
    captionVersion: Number(r.caption_version),
    captions: r.captions,
    captionsUpdatedAt: r.captions_updated_at,
    captionLayout: r.caption_layout,
    speakerCounts: r.speaker_counts ?? null,
    captionSpeakers: r.caption_speakers ?? null,
    jobOptions: r.job_options ?? null,
  };
}

/** A job as the recent-jobs list shows it: no transcript, no captions. */
export interface JobListing {
  id: string;
  /** The upload's key: the list measures what the job stores. */
  fileKey: string;
  status: JobStatus;
  progress: number;
  fileName: string | null;
  errorCode: ErrorCode | null;
  createdAt: Date;
  updatedAt: Date;
}

/** What a status poll answers (job-views.ts statusView): no transcript, no captions. */
export type JobStatusFields = Pick<Job, 'id' | 'status' | 'progress' | 'stage' | 'message' | 'errorCode' | 'errorMessage'>;

/** createOrGetLive for a key whose job is being deleted (DELETE …/jobs/{id} or retention): the upload is going too. */
export class UploadDeletedError extends Error {
  constructor(readonly fileKey: string) {
    super(`the upload ${fileKey} was deleted with its job`);
    this.name = 'UploadDeletedError';
  }
}

/** True for a well-formed job id; anything else can never name a job. */
export const isJobId = isUuid;

const LIVE = `status IN ('queued', 'processing')`;

/** A progress report's changes; its WHERE says which jobs it may touch. Progress never goes backwards (recordProgress). */
const PROGRESS_UPDATE = `UPDATE jobs SET
        status = 'processing',
        stage = CASE WHEN COALESCE($2::double precision, progress) >= progress THEN COALESCE($3, stage) ELSE stage END,
        message = CASE WHEN COALESCE($2::double precision, progress) >= progress THEN COALESCE($4, message) ELSE message END,
        progress = GREATEST(progress, COALESCE($2::double precision, progress)),
        dispatched_at = COALESCE(dispatched_at, now()),
        last_event_at = now(),
        updated_at = now()`;

/** Not marked for deletion (job-deletion-repository.ts): a marked job is gone for every read and is never dispatched again. */
const KEPT = 'deleting_at IS NULL';

/**
 * The keys (as text) of the jobs that should have a delivery in the work
 * queue: what `queuedIds` lists, for WorkQueue.workDue's probe.
 */
export const QUEUED_JOB_KEYS_SQL = `SELECT id::text FROM jobs WHERE status = 'queued' AND ${KEPT}`;

export interface ProgressUpdate {
  progress?: number | undefined;
  stage?: JobStage | undefined;
  message?: string | undefined;
}

/**
 * Every SQL statement about jobs. Transitions are single conditional UPDATEs
 * (`WHERE status IN (live)`), so a terminal job is never changed again and
 * concurrent deliveries cannot interleave into a half state.
 */
export class JobRepository {
  private readonly due: DueCache;

  constructor(private readonly db: Db) {
    this.due = createDueCache(db);
  }

  /** Any owner's job: for the service's own work (dispatch, callbacks, renders), never to answer a user. */
  async get(id: string, on: Queryable = this.db): Promise<Job | null> {
    if (!isJobId(id)) return null;
    const sql = `SELECT * FROM jobs WHERE id = $1 AND ${KEPT}`;
    // A read: outside a transaction it is a peek, so it wakes no background loop (db/due-cache.ts).
    const rows = on === this.db ? await this.db.peek<JobRow>(sql, [id]) : await on.query<JobRow>(sql, [id]);
    return rows[0] ? toJob(rows[0]) : null;
  }

  /** The job if `ownerId` owns it: what every request about a job reads, so another user's job is simply not there. */
  async getOwned(id: string, ownerId: string): Promise<Job | null> {
    if (!isJobId(id)) return null;
    const rows = await this.db.peek<JobRow>(`SELECT * FROM jobs WHERE id = $1 AND owner_id = $2 AND ${KEPT}`, [id, ownerId]);
    return rows[0] ? toJob(rows[0]) : null;
  }

  /**
   * getOwned for a status poll: only the columns a status answer shows, so a
   * completed job's transcript (megabytes of JSON for an hour) is neither
   * read nor parsed once a second.
   */
  async getStatusOwned(id: string, ownerId: string): Promise<JobStatusFields | null> {
    if (!isJobId(id)) return null;
    const rows = await this.db.peek<Pick<JobRow, 'id' | 'status' | 'progress' | 'stage' | 'message' | 'error_code' | 'error_message'>>(
      `SELECT id, status, progress, stage, message, error_code, error_message FROM jobs WHERE id = $1 AND owner_id = $2 AND ${KEPT}`,
      [id, ownerId],
    );
    const r = rows[0];
    if (!r) return null;
    return {
      id: r.id,
      status: r.status,
      progress: Number(r.progress),
      stage: r.stage,
      message: r.message,
      errorCode: r.error_code,
      errorMessage: r.error_message,
    };
  }

  /**
   * True when failTimedOut or claimStaleProcessing (same arguments) has
   * something to do now. One small read, and none at all on PGlite while
   * nothing was stored and no job's time has come (db/due-cache.ts).
   */
  async dispatchChecksDue(timeoutSeconds: number, staleSeconds: number): Promise<boolean> {
    return this.due(`dispatch-checks ${timeoutSeconds} ${staleSeconds}`, async () => {
      const rows = await this.db.peek<{ due_in_ms: number | null }>(
        // The moments failTimedOut's and claimStaleProcessing's conditions become true, the earliest first.
        `SELECT (EXTRACT(EPOCH FROM LEAST(
                  (SELECT min(created_at) FROM jobs WHERE ${LIVE}) + ($1::double precision * interval '1 second'),
                  (SELECT min(GREATEST(next_dispatch_at,
                                       COALESCE(last_event_at, dispatched_at, updated_at) + ($2::double precision * interval '1 second')))
                     FROM jobs WHERE status = 'processing' AND ${KEPT})
                ) - now()) * 1000)::double precision AS due_in_ms`,
        [timeoutSeconds, staleSeconds],
      );
      return rows[0]?.due_in_ms ?? null;
    });
  }

  /**
   * Creates a queued job for the key, or returns the job the key already has,
   * whatever its status: one upload is one job. A completed job is answered
   * again rather than transcribed twice, and so is a failed one: trying again
   * means uploading again, which makes a new key (upload URLs write once), so a
   * retry can never run on bytes other than the ones the failure was about.
   *
   * The NOT EXISTS keeps finished keys from getting a second row; the partial
   * unique index `jobs_one_live_job_per_file` decides a race between two
   * requests for a new key: the loser's insert does nothing and it reads the
   * winner's row.
   */
  async createOrGetLive(fileKey: string, options: NewJobOptions = {}): Promise<{ job: Job; created: boolean }> {
    const { language = null, fileName = null, captionLayout = null, speakerCounts = null, jobOptions = null, callbackUrl = null } = options;
    const ownerId = options.ownerId ?? ANONYMOUS_USER_ID;
    const json = (v: object | null) => (v === null ? null : JSON.stringify(v));
    // Rounds only matter if a row found conflicting is gone by the time we read (jobs are never deleted today).
    for (let round = 0; round < 3; round += 1) {
      const inserted = await this.db.query<JobRow>(
        `INSERT INTO jobs (id, file_key, language, file_name, caption_layout, speaker_counts, job_options, callback_url, owner_id)
         SELECT $1::uuid, $2::text, $3::text, $4::text, $5::jsonb, $6::jsonb, $7::jsonb, $8::text, $9::text
          WHERE NOT EXISTS (SELECT 1 FROM jobs WHERE file_key = $2::text)
         ON CONFLICT (file_key) WHERE ${LIVE} DO NOTHING
         RETURNING *`,
        [randomUUID(), fileKey, language, fileName, json(captionLayout), json(speakerCounts), json(jobOptions), callbackUrl, ownerId],
      );
      if (inserted[0]) return { job: toJob(inserted[0]), created: true };
      const existing = await this.findByFileKey(fileKey);
      if (existing) return { job: existing, created: false };
      // The key's only job is being deleted: its upload goes with it, so no new job may take it.
      const marked = await this.db.query<{ id: string }>(`SELECT id FROM jobs WHERE file_key = $1 AND NOT (${KEPT}) LIMIT 1`, [fileKey]);
      if (marked[0]) throw new UploadDeletedError(fileKey);
    }
    throw new Error(`could not create or find the job for ${fileKey}`);
  }

  /** The job of an uploaded object, or null when none was requested yet. */
  async findByFileKey(fileKey: string): Promise<Job | null> {
    // Keys from before uploads were write-once may hold several jobs: the live one, else the latest.
    const rows = await this.db.query<JobRow>(
      `SELECT * FROM jobs WHERE file_key = $1 AND ${KEPT} ORDER BY (${LIVE}) DESC, created_at DESC LIMIT 1`,
      [fileKey],
    );
    return rows[0] ? toJob(rows[0]) : null;
  }

  /**
   * Ids of the queued jobs (oldest first): each should have a delivery waiting
   * in the work queue, and the dispatcher queues one for any that has none.
   */
  async queuedIds(limit: number, on: Queryable = this.db): Promise<string[]> {
    const rows = await on.query<{ id: string }>(
      `SELECT id FROM jobs WHERE status = 'queued' AND ${KEPT} ORDER BY created_at, id LIMIT $1`,
      [limit],
    );
    return rows.map((r) => r.id);
  }

  /**
   * A delivery attempt starts: counts it (`dispatchAttempts`, for people and
   * logs; the work queue decides when to try) and returns the job, or null
   * when it is no longer queued (delivered, finished, deleted) and nothing is to be sent.
   */
  async beginDispatchAttempt(id: string): Promise<Job | null> {
    const rows = await this.db.query<JobRow>(
      `UPDATE jobs SET dispatch_attempts = dispatch_attempts + 1, updated_at = now()
        WHERE id = $1 AND status = 'queued' AND ${KEPT}
       RETURNING *`,
      [id],
    );
    return rows[0] ? toJob(rows[0]) : null;
  }

  /** The ML service accepted the job. A callback may already have moved it on; then nothing changes. */
  async markDispatched(id: string, stage: JobStage): Promise<boolean> {
    const rows = await this.db.query<{ id: string }>(
      `UPDATE jobs SET status = 'processing', stage = $2, dispatched_at = now(), last_event_at = now(),
              next_dispatch_at = now(), updated_at = now()
        WHERE id = $1 AND status = 'queued'
       RETURNING id`,
      [id, stage],
    );
    return rows.length > 0;
  }

  /** Delivery failed; the work queue tries again. `message` says so to whoever polls the job. */
  async noteDispatchWait(id: string, message: string): Promise<void> {
    await this.db.query(`UPDATE jobs SET message = $2, updated_at = now() WHERE id = $1 AND status = 'queued'`, [id, message]);
  }

  /** The ML service no longer knows the job: queue it for delivery again. */
  async requeue(id: string, message: string): Promise<boolean> {
    const rows = await this.db.query<{ id: string }>(
      `UPDATE jobs SET status = 'queued', stage = 'queued', message = $2,
              next_dispatch_at = now(), updated_at = now()
        WHERE id = $1 AND status = 'processing'
       RETURNING id`,
      [id, message],
    );
    return rows.length > 0;
  }

  /**
   * Claims processing jobs silent for `staleSeconds` and due for a check, and
   * defers their next check by the same period, so each is asked about once
   * per period however many backends run.
   */
  async claimStaleProcessing(staleSeconds: number, limit: number): Promise<Job[]> {
    const rows = await this.db.query<JobRow>(
      `WITH stale AS (
         SELECT id FROM jobs
          WHERE status = 'processing' AND ${KEPT}
            AND next_dispatch_at <= now()
            AND COALESCE(last_event_at, dispatched_at, updated_at) <= now() - ($1::double precision * interval '1 second')
          ORDER BY next_dispatch_at
          LIMIT $2
          FOR UPDATE SKIP LOCKED
       )
       UPDATE jobs j
          SET next_dispatch_at = now() + ($1::double precision * interval '1 second')
         FROM stale WHERE j.id = stale.id
       RETURNING j.*`,
      [staleSeconds, limit],
    );
    return rows.map(toJob);
  }

  /**
   * A progress report. Progress never goes backwards: a report older than the
   * current progress (deliveries may arrive out of order) changes nothing but
   * the liveness time. Any report means the ML service holds the job.
   * Null when the job is not live (finished, being deleted, or unknown).
   */
  async recordProgress(id: string, update: ProgressUpdate): Promise<Job | null> {
    if (!isJobId(id)) return null;
    const params = [id, update.progress ?? null, update.stage ?? null, update.message ?? null];
    // A job already processing only has its liveness time moved on, which makes no background work
    // due sooner (db.ts, quiet); a queued one becomes processing, which the stale check must hear of.
    const running = await this.db.quiet<JobRow>(`${PROGRESS_UPDATE} WHERE id = $1 AND status = 'processing' AND ${KEPT} RETURNING *`, params);
    if (running[0]) return toJob(running[0]);
    const rows = await this.db.query<JobRow>(`${PROGRESS_UPDATE} WHERE id = $1 AND ${LIVE} AND ${KEPT} RETURNING *`, params);
    return rows[0] ? toJob(rows[0]) : null;
  }

  /**
   * Stores the result; only a live job can complete, so a replay changes nothing.
   * Ending a job (here, fail, failTimedOut) queues its webhook in the same statement.
   */
  async complete(id: string, result: TranscriptResult, message: string | null): Promise<Job | null> {
    const rows = await this.db.query<JobRow>(
      `WITH ended AS (
         UPDATE jobs SET status = 'completed', stage = 'completed', progress = 100, result = $2::jsonb,
                message = COALESCE($3, 'Transcription completed.'), error_code = NULL, error_message = NULL,
                last_event_at = now(), updated_at = now(), completed_at = now()
          WHERE id = $1 AND ${LIVE}
         RETURNING *
       ), webhook AS (${enqueueWebhookSql('ended')})
       SELECT * FROM ended`,
      [id, JSON.stringify(result), message],
    );
    return rows[0] ? toJob(rows[0]) : null;
  }

  async fail(id: string, code: ErrorCode, errorMessage: string): Promise<Job | null> {
    const rows = await this.db.query<JobRow>(
      `WITH ended AS (
         UPDATE jobs SET status = 'failed', stage = 'failed', error_code = $2, error_message = $3,
                message = $3, last_event_at = now(), updated_at = now(), completed_at = now()
          WHERE id = $1 AND ${LIVE}
         RETURNING *
       ), webhook AS (${enqueueWebhookSql('ended')})
       SELECT * FROM ended`,
      [id, code, errorMessage],
    );
    return rows[0] ? toJob(rows[0]) : null;
  }

  /** Fails every live job created more than `timeoutSeconds` ago; returns them. */
  async failTimedOut(timeoutSeconds: number, message: string): Promise<Job[]> {
    const rows = await this.db.query<JobRow>(
      `WITH ended AS (
         UPDATE jobs SET status = 'failed', stage = 'failed', error_code = 'PROCESSING_TIMEOUT',
                error_message = $2, message = $2, updated_at = now(), completed_at = now()
          WHERE ${LIVE} AND created_at <= now() - ($1::double precision * interval '1 second')
         RETURNING *
       ), webhook AS (${enqueueWebhookSql('ended')})
       SELECT * FROM ended`,
      [timeoutSeconds, message],
    );
    return rows.map(toJob);
  }

  /** Marks a job alive (the ML service still reports it) without changing its state. */
  async touch(id: string): Promise<void> {
    // Quiet (db.ts): a later liveness time makes no background work due sooner.
    await this.db.quiet(`UPDATE jobs SET last_event_at = now(), updated_at = now() WHERE id = $1 AND ${LIVE}`, [id]);
  }

  /**
   * Stores edited captions if `baseVersion` is still the current version of a
   * completed job, bumping the version, all in one statement: two saves from
   * the same base cannot both win, whatever the driver or the number of
   * backends. Null when nothing changed (unknown job, not completed, or
   * another version); the caller reads the job to say which. An unset layout
   * or speaker list keeps the stored one.
   */
  async saveCaptions(
    id: string,
    baseVersion: number,
    captions: readonly Caption[],
    captionLayout?: CaptionLayoutRequest,
    speakers?: readonly CaptionSpeaker[],
  ): Promise<Job | null> {
    if (!isJobId(id)) return null;
    const rows = await this.db.query<JobRow>(
      `UPDATE jobs SET captions = $3::jsonb, caption_version = caption_version + 1,
              caption_layout = COALESCE($4::jsonb, caption_layout),
              caption_speakers = COALESCE($5::jsonb, caption_speakers),
              captions_updated_at = now(), updated_at = now()
        WHERE id = $1 AND caption_version = $2 AND status = 'completed'
       RETURNING *`,
      [
        id,
        baseVersion,
        JSON.stringify(captions),
        captionLayout === undefined ? null : JSON.stringify(captionLayout),
        speakers === undefined ? null : JSON.stringify(speakers),
      ],
    );
    return rows[0] ? toJob(rows[0]) : null;
  }

  /** Drops saved edits (the transcript's captions apply again) under the same rule as saveCaptions. */
  async restoreCaptions(id: string, baseVersion: number): Promise<Job | null> {
    if (!isJobId(id)) return null;
    const rows = await this.db.query<JobRow>(
      `UPDATE jobs SET captions = NULL, caption_version = caption_version + 1,
              captions_updated_at = now(), updated_at = now()
        WHERE id = $1 AND caption_version = $2 AND status = 'completed'
       RETURNING *`,
      [id, baseVersion],
    );
    return rows[0] ? toJob(rows[0]) : null;
  }

  /** The most recent jobs first, without their (possibly large) transcripts. */
  /** `ownerId`'s most recent jobs, newest first. */
  async listRecent(ownerId: string, limit: number): Promise<JobListing[]> {
    const rows = await this.db.query<Pick<JobRow, 'id' | 'file_key' | 'status' | 'progress' | 'file_name' | 'error_code' | 'created_at' | 'updated_at'>>(
      `SELECT id, file_key, status, progress, file_name, error_code, created_at, updated_at
         FROM jobs WHERE owner_id = $1 AND ${KEPT} ORDER BY created_at DESC, id DESC LIMIT $2`,
      [ownerId, limit],
    );
    return rows.map((r) => ({
      id: r.id,
      fileKey: r.file_key,
      status: r.status,
      progress: Number(r.progress),
      fileName: r.file_name,
      errorCode: r.error_code,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    }));
  }

  /** Every kept job of `ownerId`, by id and upload key (their storage used). */
  async listFileKeysOf(ownerId: string): Promise<Array<{ id: string; fileKey: string }>> {
    const rows = await this.db.query<{ id: string; file_key: string }>(
      `SELECT id, file_key FROM jobs WHERE owner_id = $1 AND ${KEPT}`,
      [ownerId],
    );
    return rows.map((r) => ({ id: r.id, fileKey: r.file_key }));
  }

  async count(): Promise<number> {
    const rows = await this.db.query<{ n: number }>('SELECT count(*)::int AS n FROM jobs');
    return rows[0]?.n ?? 0;
  }
}
