/**
 * The SQL that queues a job's webhook, run as a CTE of the very statement
 * that ends the job (`WITH ended AS (UPDATE jobs … RETURNING *) …`), so the
 * job cannot end without its delivery being queued, whatever crashes after.
 * `ended` names the CTE holding the ended rows; only rows with a callback_url,
 * not marked for deletion, get one. ON CONFLICT: a job ends once, and a
 * replay of the end must not queue a second delivery.
 */
export function enqueueWebhookSql(ended: string): string {
  return `INSERT INTO webhook_deliveries (job_id, owner_id, url, body)
    SELECT e.id, e.owner_id, e.callback_url,
           jsonb_build_object('job_id', e.id, 'status', e.status)
             || CASE WHEN e.error_code IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('error_code', e.error_code) END
      FROM ${ended} e
     WHERE e.callback_url IS NOT NULL AND e.deleting_at IS NULL
    ON CONFLICT (job_id) DO NOTHING`;
}
