import type { ErrorCode, JobStage, JobStatus, SpeakerCountOptions, TranscribeOptions, TranscriptSegment } from '@ecg/contracts';

/** Everything the service knows about one job; the store is its only home. */
export interface JobRecord {
  job_id: string;
  status: JobStatus;
  stage: JobStage;
  progress: number;
  message: string;
  video_url: string;
  language: string;
  /** How many speakers to look for, as process-video took it; absent: found from the audio. */
  speakers?: SpeakerCountOptions;
  /** How Whisper decodes (task, prompt, temperature), as process-video took it; absent: transcribe with the defaults. */
  decode?: TranscribeOptions;
  /** Full URL the result is POSTed to (BACKEND_URL or an allow-listed fastapi_base_url). */
  callback_url: string;
  created_at: string;
  updated_at: string;
  /** When the current run started (reset when a run is restarted after a crash). */
  started_at: string | null;
  finished_at: string | null;
  /** Runs started so far; more than one means the job was resumed after a restart. */
  runs: number;
  error_code?: ErrorCode;
  error_message?: string;
  partial_segments?: TranscriptSegment[];
}

export type JobPatch = Partial<Omit<JobRecord, 'job_id' | 'created_at'>>;

/**
 * The job store seam: the only place job state lives. The worker pool, the
 * routes and the outbox read and write through it, and anything they hold in
 * memory is a cache of it, so jobs survive a restart. Two implementations:
 * the file store (one process, the default) and the Redis store (REDIS_URL:
 * shared by every instance; see redis-job-store.ts).
 *
 * Callers may rely on:
 * - `create` is atomic create-if-absent: of two concurrent creates with the
 *   same id exactly one returns `created: true`, and both get the stored record;
 * - `update` is atomic per record (readers never see a half-written record)
 *   and serialised per job id (across processes too, for the Redis store); it
 *   returns the record after the patch, or null for an unknown id;
 * - `list` returns records oldest first (by created_at).
 */
export interface JobStore {
  create(record: JobRecord): Promise<{ record: JobRecord; created: boolean }>;
  get(jobId: string): Promise<JobRecord | null>;
  update(jobId: string, patch: JobPatch): Promise<JobRecord | null>;
  list(filter?: { status?: readonly JobStatus[] }): Promise<JobRecord[]>;
}

export function newJobRecord(
  input: { job_id: string; video_url: string; language: string; callback_url: string; speakers?: SpeakerCountOptions; decode?: TranscribeOptions },
  now = new Date(),
): JobRecord {
  const at = now.toISOString();
  return {
    ...input,
    status: 'queued',
    stage: 'queued',
    progress: 0,
    message: 'waiting for a worker',
    created_at: at,
    updated_at: at,
    started_at: null,
    finished_at: null,
    runs: 0,
  };
}
