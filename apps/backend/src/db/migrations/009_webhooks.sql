-- Webhooks for API users. A job may name a callback_url at request-process;
-- when the job ends, the same statement that ends it queues one delivery row
-- (job-repository.ts), so a crash between "ended" and "queued" cannot lose
-- it. The webhook sender (webhooks/webhook-sender.ts) POSTs it, retrying with
-- backoff until a 2xx, a final refusal or the last attempt.
ALTER TABLE jobs ADD COLUMN IF NOT EXISTS callback_url text;

CREATE TABLE IF NOT EXISTS webhook_deliveries (
  -- A job ends once, so it has at most one delivery; a replayed end does nothing (ON CONFLICT).
  -- CASCADE: deleting a job (job-deleter.ts) takes its delivery with it.
  job_id          uuid PRIMARY KEY REFERENCES jobs (id) ON DELETE CASCADE,
  -- Whose secret signs it; 'anonymous' until accounts exist.
  owner_id        text NOT NULL DEFAULT 'anonymous',
  url             text NOT NULL,
  -- The event as the job ended (job_id, status, error_code); result_url is added
  -- when sending, from PUBLIC_URL, which the database does not know.
  body            jsonb NOT NULL,
  attempts        integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  delivered_at    timestamptz,
  given_up_at     timestamptz,
  last_error      text,
  created_at      timestamptz NOT NULL DEFAULT now()
);

-- The sender's scan: pending deliveries by when they are next due.
CREATE INDEX IF NOT EXISTS webhook_deliveries_due
  ON webhook_deliveries (next_attempt_at) WHERE delivered_at IS NULL AND given_up_at IS NULL;
