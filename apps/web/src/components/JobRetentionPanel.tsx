import { useEffect, useState } from 'react';
import type { JobSummary } from '@ecg/contracts';
import { getJobSummary } from '../api/backend.js';
import { useI18n } from '../i18n/i18n.js';
import { JobRetention } from './JobRetention.js';

/**
 * The job page's keeping section: when the job is deleted automatically, what
 * it stores, and Delete. Read once when the page opens; a backend without the
 * summary route shows nothing rather than a guess.
 */
export function JobRetentionPanel({ jobId, onDeleted }: { jobId: string; onDeleted: () => void }) {
  const { t } = useI18n();
  const [summary, setSummary] = useState<JobSummary | null>(null);

  useEffect(() => {
    const abort = new AbortController();
    getJobSummary(jobId, abort.signal)
      .then(setSummary)
      .catch(() => setSummary(null));
    return () => abort.abort();
  }, [jobId]);

  if (!summary) return null;
  return (
    <section className="card" aria-label={t('retention.title')}>
      <JobRetention job={summary} onDeleted={onDeleted} />
    </section>
  );
}
