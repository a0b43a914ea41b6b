-- Job deletion and retention. Deleting a job is three steps that a crash may
-- interrupt: mark the row (one UPDATE: from then on every read treats the job
-- as gone), delete its stored objects, delete its rows. The retention sweep
-- finishes every marked job, so a delete cut short midway completes on the
-- next sweep instead of leaving half a job behind.
ALTER TABLE jobs ADD COLUMN IF NOT EXISTS deleting_at timestamptz;

-- The sweep's scan for marked jobs (few rows: they exist only while being deleted).
CREATE INDEX IF NOT EXISTS jobs_being_deleted ON jobs (deleting_at) WHERE deleting_at IS NOT NULL;

-- RETENTION_DAYS: the sweep looks for kept jobs older than the cut-off.
CREATE INDEX IF NOT EXISTS jobs_kept_by_age ON jobs (created_at) WHERE deleting_at IS NULL;
