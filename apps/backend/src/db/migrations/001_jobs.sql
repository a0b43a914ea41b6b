-- One row per transcription job. The dispatcher owns delivery to the ML
-- service: a job is inserted `queued` and stays so until the ML service
-- accepts it; `next_dispatch_at` is when the dispatcher may next touch it
-- (a retry after backoff, a claim lease, or the next watchdog check).
CREATE TABLE IF NOT EXISTS jobs (
  id                uuid PRIMARY KEY,
  file_key          text NOT NULL,
  language          text,
  status            text NOT NULL DEFAULT 'queued'
                    CHECK (status IN ('queued', 'processing', 'completed', 'failed')),
  stage             text NOT NULL DEFAULT 'queued',
  progress          double precision NOT NULL DEFAULT 0 CHECK (progress >= 0 AND progress <= 100),
  message           text,
  error_code        text,
  error_message     text,
  result            jsonb,
  dispatch_attempts integer NOT NULL DEFAULT 0,
  next_dispatch_at  timestamptz NOT NULL DEFAULT now(),
  dispatched_at     timestamptz,
  last_event_at     timestamptz,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  completed_at      timestamptz
);

-- At most one live job per uploaded object: a double click or a retried
-- request-process returns the same job instead of transcribing twice.
CREATE UNIQUE INDEX IF NOT EXISTS jobs_one_live_job_per_file
  ON jobs (file_key) WHERE status IN ('queued', 'processing');

-- The dispatcher's scan: live jobs by when they are next due.
CREATE INDEX IF NOT EXISTS jobs_live_due
  ON jobs (next_dispatch_at) WHERE status IN ('queued', 'processing');
