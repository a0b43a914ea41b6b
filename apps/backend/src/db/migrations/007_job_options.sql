-- How Whisper decodes a job (the OpenAI-compatible API's options):
-- {task?: 'transcribe'|'translate', prompt?, temperature?}, as TranscribeOptions
-- in packages/contracts/src/ml.ts; the dispatcher sends them to the ML service
-- with the job. NULL: transcribe with the ML service's defaults (every upload
-- through request-process).
ALTER TABLE jobs ADD COLUMN IF NOT EXISTS job_options jsonb;
