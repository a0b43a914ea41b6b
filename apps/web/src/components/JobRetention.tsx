import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import type { JobSummary } from '@ecg/contracts';
import { asApiError } from '../api/http.js';
import { deleteJob } from '../api/backend.js';
import { useI18n } from '../i18n/i18n.js';
import { expiryLine, storageLine } from '../lib/job-retention.js';
import { useAnnounce } from './Announcer.js';

type Summary = Pick<JobSummary, 'job_id' | 'file_name' | 'expires_at' | 'storage_bytes'>;

/**
 * A job's expiry and storage used, and Delete in two steps: the first press
 * only asks (focus moves to "Delete for good"; Escape or "Keep it" goes
 * back), the second deletes. A job already gone counts as deleted.
 * `children`: other actions on the job, shown just before Delete.
 */
export function JobRetention({ job, onDeleted, children }: { job: Summary; onDeleted: () => void; children?: ReactNode }) {
  const { t, lang } = useI18n();
  const announce = useAnnounce();
  const [step, setStep] = useState<'idle' | 'confirm' | 'deleting'>('idle');
  const [error, setError] = useState<string | null>(null);
  const confirmRef = useRef<HTMLButtonElement>(null);
  const deleteRef = useRef<HTMLButtonElement>(null);
  const wasConfirming = useRef(false);
  const promptId = useId();
  const name = job.file_name ?? t('recent.untitled');

  useEffect(() => {
    if (step === 'confirm') confirmRef.current?.focus();
    else if (step === 'idle' && wasConfirming.current) deleteRef.current?.focus();
    wasConfirming.current = step === 'confirm';
  }, [step]);

  const remove = async () => {
    setStep('deleting');
    setError(null);
    try {
      await deleteJob(job.job_id);
    } catch (err) {
      const e = asApiError(err);
      if (e.code !== 'JOB_NOT_FOUND') {
        setError(t('retention.failed', { message: e.message }));
        setStep('idle');
        return;
      }
    }
    announce(t('retention.deleted', { name }));
    onDeleted();
  };

  const storage = storageLine(job.storage_bytes, t, lang);
  return (
    <div className="job-retention">
      <span className="hint">
        {expiryLine(job.expires_at, t, lang)}
        {storage && ` · ${storage}`}
      </span>{' '}
      {children}
      {children && ' '}
      {step === 'confirm' ? (
        <div
          role="group"
          aria-labelledby={promptId}
          className="job-retention-confirm"
          onKeyDown={(e) => {
            if (e.key === 'Escape') setStep('idle');
          }}
        >
          <span id={promptId}>{t('retention.confirmPrompt', { name })}</span>{' '}
          <button ref={confirmRef} type="button" className="btn btn-danger btn-small" onClick={() => void remove()}>
            {t('retention.confirm')}
          </button>{' '}
          <button type="button" className="btn btn-ghost btn-small" onClick={() => setStep('idle')}>
            {t('retention.cancel')}
          </button>
        </div>
      ) : (
        <button
          ref={deleteRef}
          type="button"
          className="btn btn-ghost btn-small"
          disabled={step === 'deleting'}
          aria-label={t('retention.deleteNamed', { name })}
          onClick={() => setStep('confirm')}
        >
          {step === 'deleting' ? t('retention.deleting') : t('retention.delete')}
        </button>
      )}
      {error && (
        <p className="notice notice-warn" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
