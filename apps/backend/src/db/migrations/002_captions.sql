-- Caption editing. The transcript in `result` is never changed: edits live in
-- `captions` (NULL = none saved, the transcript's captions apply), so a restore
-- only has to drop them. `caption_version` is the optimistic-concurrency
-- counter every save and restore bumps in the same UPDATE that checks it.
ALTER TABLE jobs ADD COLUMN IF NOT EXISTS file_name text;
ALTER TABLE jobs ADD COLUMN IF NOT EXISTS caption_version integer NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN IF NOT EXISTS captions jsonb;
ALTER TABLE jobs ADD COLUMN IF NOT EXISTS captions_updated_at timestamptz;

-- Jobs recorded before this migration: the name is the key's last part
-- (`videos/anonymous/<YYYYMMDD_HHMMSS>_<8 hex>_<safe name>`), as request-process now stores it.
UPDATE jobs
   SET file_name = substring(file_key FROM '^videos/anonymous/[0-9]{8}_[0-9]{6}_[0-9a-f]{8}_(.+)$')
 WHERE file_name IS NULL;

-- The recent-jobs list reads newest first.
CREATE INDEX IF NOT EXISTS jobs_created_at ON jobs (created_at DESC);
