import { Editor } from '../components/Editor.js';
import { ErrorNotice } from '../components/ErrorNotice.js';
import { ProcessingView } from '../components/ProcessingView.js';
import { useJobLifecycle } from '../hooks/useJobLifecycle.js';
import { useI18n } from '../i18n/i18n.js';
import { JobRetentionPanel } from '../components/JobRetentionPanel.js';
import { failedTitleKey } from '../lib/job-cancel.js';
import { Link, navigate } from '../lib/router.js';

export function JobPage({ jobId }: { jobId: string }) {
  const { t } = useI18n();
  const job = useJobLifecycle(jobId);
  switch (job.phase) {
    case 'loading':
      return (
        <div className="card">
          <p className="status-line" role="status">
            <span className="spinner" aria-hidden="true" /> {t('job.loading')}
          </p>
          {job.connectionLost && <p className="notice notice-warn">{t('job.connectionLost')}</p>}
        </div>
      );
    case 'processing':
      return (
        <>
          <ProcessingView jobId={jobId} status={job.status} connectionLost={job.connectionLost} onCancelled={job.cancelled} />
          <JobRetentionPanel jobId={jobId} onDeleted={() => navigate('/')} />
        </>
      );
    case 'completed':
      return (
        <>
          <Editor jobId={jobId} result={job.result} />
          <JobRetentionPanel jobId={jobId} onDeleted={() => navigate('/')} />
        </>
      );
    case 'failed':
      return (
        <>
          <ErrorNotice code={job.code} title={t(failedTitleKey(job.code))}>
            <Link className="btn btn-primary" href="/">
              {t('job.tryAgain')}
            </Link>
          </ErrorNotice>
          <JobRetentionPanel jobId={jobId} onDeleted={() => navigate('/')} />
        </>
      );
    case 'not_found':
      return <NotFound />;
  }
}

export function NotFound() {
  const { t } = useI18n();
  return (
    <div className="card">
      <p>{t('job.notFound')}</p>
      <Link className="btn btn-primary" href="/">
        {t('job.backHome')}
      </Link>
    </div>
  );
}
