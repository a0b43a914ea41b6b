import type { JobStatus } from '@ecg/contracts';
import type { Db } from '../db/db.js';
import { isJobId } from './job-repository.js';

/** What finishing a deletion needs to know about a marked job. */
export interface MarkedJob {
  id: string;
  fileKey: string;
  status: JobStatus;
  /** When the job was marked: a cancel the ML service never answered is given up on after a while. */
  deletingAt: Date;
}

interface MarkedRow {
  id: string;
  file_key: string;
  status: JobStatus;
  deleting_at: Date;
}

const toMarked = (r: MarkedRow): MarkedJob => ({ id: r.id, fileKey: r.file_key, status: r.status, deletingAt: r.deleting_at });

/**
 * Every SQL statement about deleting jobs. A deletion is mark → objects →
 * rows: the mark is one UPDATE (`deleting_at`), after which JobRepository's
 * reads no longer see the job, so nothing shows a job whose objects are half
 * gone; the rows go last, so a deletion interrupted at any point still has its
 * mark and its render rows (the render keys) for the sweep to finish with.
 */
export class JobDeletionRepository {
  constructor(private readonly db: Db) {}

  /** Marks `ownerId`'s job (again: the first mark's time is kept); null for an unknown id or another's job. */
  async markForDeletion(id: string, ownerId: string): Promise<MarkedJob | null> {
    if (!isJobId(id)) return null;
    const rows = await this.db.query<MarkedRow>(
      `UPDATE jobs SET deleting_at = COALESCE(deleting_at, now()) WHERE id = $1 AND owner_id = $2
       RETURNING id, file_key, status, deleting_at`,
      [id, ownerId],
    );
    return rows[0] ? toMarked(rows[0]) : null;
  }

  /** Marks up to `limit` kept jobs created more than `days` days ago; returns how many. */
  async markExpired(days: number, limit: number): Promise<number> {
    const rows = await this.db.query<{ id: string }>(
      `UPDATE jobs SET deleting_at = now()
        WHERE id IN (SELECT id FROM jobs
                      WHERE deleting_at IS NULL AND created_at <= now() - ($1::double precision * interval '1 day')
                      ORDER BY created_at LIMIT $2)
       RETURNING id`,
      [days, limit],
    );
    return rows.length;
  }

  /** Marked jobs, the longest-marked first. */
  async listMarked(limit: number): Promise<MarkedJob[]> {
    const rows = await this.db.query<MarkedRow>(
      `SELECT id, file_key, status, deleting_at FROM jobs WHERE deleting_at IS NOT NULL ORDER BY deleting_at LIMIT $1`,
      [limit],
    );
    return rows.map(toMarked);
  }

  /** Render rows of a job, with the key each one writes to or wrote (renderKey of its id; output_key when recorded). */
  async renderIds(jobId: string): Promise<Array<{ id: string; outputKey: string | null }>> {
    const rows = await this.db.query<{ id: string; output_key: string | null }>(
      'SELECT id, output_key FROM renders WHERE job_id = $1',
      [jobId],
    );
    return rows.map((r) => ({ id: r.id, outputKey: r.output_key }));
  }

  /** Completed renders' output keys of several jobs at once (the recent list's storage figures). */
  async renderOutputKeys(jobIds: readonly string[]): Promise<Map<string, string[]>> {
    const byJob = new Map<string, string[]>();
    if (jobIds.length === 0) return byJob;
    const rows = await this.db.query<{ job_id: string; output_key: string }>(
      `SELECT job_id, output_key FROM renders
        WHERE job_id::text IN (SELECT jsonb_array_elements_text($1::jsonb)) AND output_key IS NOT NULL`,
      [JSON.stringify(jobIds)],
    );
    for (const r of rows) byJob.set(r.job_id, [...(byJob.get(r.job_id) ?? []), r.output_key]);
    return byJob;
  }

  /** Deletes a marked job's rows (renders go with it: ON DELETE CASCADE); false when already gone. */
  async deleteRows(id: string): Promise<boolean> {
    const rows = await this.db.query<{ id: string }>(
      'DELETE FROM jobs WHERE id = $1 AND deleting_at IS NOT NULL RETURNING id',
      [id],
    );
    return rows.length > 0;
  }
}
