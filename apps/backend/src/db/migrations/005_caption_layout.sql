-- Captions are laid out from the word timings by a subtitle profile
-- (issue "Captions, not transcripts"). `caption_layout` is the layout request
-- the job's captions follow ({profile?, vertical?, overrides?}, as
-- CaptionLayoutRequest): given at request-process, changed by a reflow;
-- NULL means the transcript language's profile as published.
ALTER TABLE jobs ADD COLUMN IF NOT EXISTS caption_layout jsonb;

-- One upload, one job: request-process looks a key's job up whatever its
-- status, which the partial index of live jobs does not cover.
CREATE INDEX IF NOT EXISTS jobs_file_key ON jobs (file_key);
