import { useEffect, useRef, useState } from 'react';
import type { JobSummary, MlStatusResponse } from '@ecg/contracts';
import { cancelJob } from '../api/backend.js';
import { asApiError } from '../api/http.js';
import { useI18n } from '../i18n/i18n.js';
import { formatClock, formatSpan } from '../lib/format.js';
import { useAnnounce } from './Announcer.js';
import { ConfirmAction } from './ConfirmAction.js';
import { ProgressBar } from './ProgressBar.js';

const SHOWN_PARTIAL = 60;

interface Props {
  jobId: string;
  status: MlStatusResponse | null;
  connectionLost: boolean;
  /** The backend's answer to Cancel; the page then shows how the job ended. */
  onCancelled: (summary: JobSummary) => void;
}

export function ProcessingView({ jobId, status, connectionLost, onCancelled }: Props) {
  const { t, lang } = useI18n();
  const announce = useAnnounce();
  const [copied, setCopied] = useState(false);
  const [cancelError, setCancelError] = useState<string | null>(null);
  const listRef = useRef<HTMLOListElement>(null);
  const progress = status?.progress ?? 0;
  const stage = status?.stage ?? 'queued';
  const stageText = t(`stage.${stage}`);
  const partial = status?.partial_segments ?? [];

  useEffect(() => {
    announce(stageText);
  }, [announce, stageText]);

  useEffect(() => {
    const el = listRef.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [partial.length]);

  const copy = async (): Promise<void> => {
    try {
      await navigator.clipboard.writeText(location.href);
      setCopied(true);
      announce(t('job.linkCopied'));
    } catch {
      setCopied(false); // clipboard refused (insecure origin): the address bar still has the link
    }
  };

  const cancel = async (): Promise<void> => {
    setCancelError(null);
    try {
      const summary = await cancelJob(jobId);
      announce(summary.error_code === 'CANCELLED' ? t('job.cancelled') : t(`status.${summary.status}`));
      onCancelled(summary);
    } catch (err) {
      setCancelError(t('job.cancelFailed', { message: asApiError(err).message }));
      throw err;
    }
  };

  return (
    <section className="card processing" aria-labelledby="processing-title">
      <h1 id="processing-title">{t('job.processingTitle')}</h1>
      <div className="progress-head">
        <span className="stage">
          <span className="spinner" aria-hidden="true" /> {stageText}
        </span>
        <span className="progress-pct">{t('job.percent', { percent: Math.floor(progress) })}</span>
      </div>
      <ProgressBar value={progress} label={t('job.progressLabel')} valueText={`${Math.floor(progress)}% — ${stageText}`} />
      <p className="progress-meta">
        {status?.eta_seconds != null ? t('job.eta', { time: formatSpan(status.eta_seconds, lang) }) : t('job.etaUnknown')}
      </p>
      {connectionLost && (
        <p className="notice notice-warn" role="status">
          {t('job.connectionLost')}
        </p>
      )}
      <div className="leave-hint">
        <p className="hint">{t('job.leaveHint')}</p>
        <button type="button" className="btn btn-ghost" onClick={() => void copy()}>
          {copied ? t('job.linkCopied') : t('job.copyLink')}
        </button>
      </div>
      <div className="processing-cancel">
        <ConfirmAction
          label={t('job.cancel')}
          name={t('job.cancel')}
          prompt={t('job.cancelPrompt')}
          confirmLabel={t('job.cancelConfirm')}
          cancelLabel={t('job.cancelKeep')}
          busyLabel={t('job.cancelling')}
          onConfirm={cancel}
        />
        {cancelError && (
          <p className="notice notice-warn" role="alert">
            {cancelError}
          </p>
        )}
      </div>

      <h2 className="partial-title">{t('job.partialTitle')}</h2>
      {partial.length === 0 ? (
        <p className="hint">{t('job.partialEmpty')}</p>
      ) : (
        <ol className="partial" ref={listRef} tabIndex={0} aria-label={t('job.partialTitle')}>
          {partial.slice(-SHOWN_PARTIAL).map((s) => (
            <li key={`${s.id}-${s.start}`}>
              <span className="time">{formatClock(s.start)}</span>
              <span>{s.text.trim()}</span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
