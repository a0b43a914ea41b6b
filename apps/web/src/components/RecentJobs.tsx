import { useEffect, useState } from 'react';
import type { JobStatus, JobSummary } from '@ecg/contracts';
import { cancelJob, listJobs } from '../api/backend.js';
import { asApiError } from '../api/http.js';
import { useI18n } from '../i18n/i18n.js';
import { isCancellable, statusBadgeKey } from '../lib/job-cancel.js';
import { readLocalJobs } from '../lib/recent-jobs.js';
import { Link } from '../lib/router.js';
import { useAnnounce } from './Announcer.js';
import { ConfirmAction } from './ConfirmAction.js';
import { JobRetention } from './JobRetention.js';

interface Row {
  job_id: string;
  file_name: string | null;
  created_at: string;
  status?: JobStatus;
  progress?: number;
  error_code?: JobSummary['error_code'];
  /** Only the backend's list says these (and only its jobs can be deleted from here). */
  expires_at?: JobSummary['expires_at'];
  storage_bytes?: JobSummary['storage_bytes'];
}

/** The backend's recent jobs; jobs started in this browser when the backend has no list. */
export function RecentJobs() {
  const { t, lang } = useI18n();
  const [rows, setRows] = useState<Row[] | null>(null);
  const [localOnly, setLocalOnly] = useState(false);
  const [cancelError, setCancelError] = useState<{ jobId: string; text: string } | null>(null);
  const announce = useAnnounce();

  useEffect(() => {
    let live = true;
    listJobs(10)
      .then((r) => live && setRows(r.jobs))
      .catch(() => {
        if (!live) return;
        setLocalOnly(true);
        setRows(readLocalJobs());
      });
    return () => {
      live = false;
    };
  }, []);

  const dateFormat = new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short' });
  const when = (iso: string): string => {
    const d = new Date(iso);
    return Number.isNaN(d.getTime()) ? '' : dateFormat.format(d);
  };

  const cancel = async (row: Row): Promise<void> => {
    const name = row.file_name ?? t('recent.untitled');
    setCancelError(null);
    try {
      const summary = await cancelJob(row.job_id);
      setRows((prev) => prev?.map((r) => (r.job_id === row.job_id ? { ...r, ...summary } : r)) ?? null);
      announce(summary.error_code === 'CANCELLED' ? t('recent.cancelled', { name }) : `${name}: ${t(statusBadgeKey(summary.status, summary.error_code))}`);
    } catch (err) {
      setCancelError({ jobId: row.job_id, text: t('job.cancelFailed', { message: asApiError(err).message }) });
      throw err;
    }
  };

  return (
    <section className="card recent" aria-labelledby="recent-title">
      <h2 id="recent-title">{t('recent.title')}</h2>
      {rows === null ? (
        <p className="hint">
          <span className="spinner" aria-hidden="true" />
        </p>
      ) : rows.length === 0 ? (
        <p className="hint">{t('recent.empty')}</p>
      ) : (
        <>
          {localOnly && <p className="hint">{t('recent.localOnly')}</p>}
          <ul className="job-list">
            {rows.map((j) => (
              <li key={j.job_id}>
                <Link className="job-link" href={`/jobs/${encodeURIComponent(j.job_id)}`}>
                  <span className="job-name">{j.file_name ?? t('recent.untitled')}</span>
                  <span className="job-meta">
                    <time dateTime={j.created_at}>{when(j.created_at)}</time>
                    {j.status && (
                      <span className={`badge badge-${j.status}`}>
                        {t(statusBadgeKey(j.status, j.error_code))}
                        {j.status === 'processing' && j.progress !== undefined ? ` ${Math.round(j.progress)}%` : ''}
                      </span>
                    )}
                  </span>
                </Link>
                {!localOnly && (
                  <JobRetention
                    job={{ job_id: j.job_id, file_name: j.file_name, expires_at: j.expires_at ?? null, storage_bytes: j.storage_bytes ?? null }}
                    onDeleted={() => setRows((prev) => prev?.filter((r) => r.job_id !== j.job_id) ?? null)}
                  >
                    {isCancellable(j.status) && (
                      <ConfirmAction
                        label={t('recent.cancel')}
                        name={t('recent.cancelNamed', { name: j.file_name ?? t('recent.untitled') })}
                        prompt={t('recent.cancelPrompt', { name: j.file_name ?? t('recent.untitled') })}
                        confirmLabel={t('job.cancelConfirm')}
                        cancelLabel={t('job.cancelKeep')}
                        busyLabel={t('job.cancelling')}
                        onConfirm={() => cancel(j)}
                      />
                    )}
                  </JobRetention>
                )}
                {cancelError?.jobId === j.job_id && (
                  <p className="notice notice-warn" role="alert">
                    {cancelError.text}
                  </p>
                )}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
