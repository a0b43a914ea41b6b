-- Render flooding: one client could fill the instance-wide render queue by
-- asking for the same job with strength 0.50, 0.51, 0.52, ... Renders now
-- record who asked for them, so a client's live renders can be counted; the
-- one-waiting-render-per-job rule is kept by RenderRepository.queueForJob
-- under a per-job advisory lock (an index cannot express it: a render handed
-- back to the queue at shutdown may briefly wait beside a newer request).
ALTER TABLE renders ADD COLUMN IF NOT EXISTS requested_by text;

CREATE INDEX IF NOT EXISTS renders_live_by_requester
  ON renders (requested_by) WHERE status IN ('queued', 'processing');
