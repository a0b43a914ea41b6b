-- Burned-in caption renders (ffmpeg + libass), run by the render worker inside
-- the backend. A render is inserted `queued`; a worker claims it (`processing`)
-- with a lease it renews while ffmpeg runs. A lease that runs out means its
-- backend died: the render is queued again (or failed after too many tries),
-- so none stays `processing` forever.
CREATE TABLE IF NOT EXISTS renders (
  id               uuid PRIMARY KEY,
  job_id           uuid NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  status           text NOT NULL DEFAULT 'queued'
                   CHECK (status IN ('queued', 'processing', 'completed', 'failed')),
  progress         double precision NOT NULL DEFAULT 0 CHECK (progress >= 0 AND progress <= 100),
  expressive       boolean NOT NULL,
  strength         double precision NOT NULL,
  -- The captions version asked for: a save after it makes the same options a different render.
  caption_version  integer NOT NULL DEFAULT 0,
  error_code       text,
  error_message    text,
  output_key       text,
  attempts         integer NOT NULL DEFAULT 0,
  lease_owner      text,
  lease_expires_at timestamptz,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  started_at       timestamptz,
  completed_at     timestamptz
);

-- One live render per job, options and captions version: a double click or a
-- retried request gets the render already under way.
CREATE UNIQUE INDEX IF NOT EXISTS renders_one_live_per_options
  ON renders (job_id, expressive, strength, caption_version) WHERE status IN ('queued', 'processing');

-- The worker's scans: queued renders oldest first, processing ones by lease.
CREATE INDEX IF NOT EXISTS renders_queued ON renders (created_at) WHERE status = 'queued';
CREATE INDEX IF NOT EXISTS renders_processing_lease ON renders (lease_expires_at) WHERE status = 'processing';
CREATE INDEX IF NOT EXISTS renders_by_job ON renders (job_id, created_at DESC);
