import { RecentJobs } from '../components/RecentJobs.js';
import { UploadPanel } from '../components/UploadPanel.js';
import { useI18n } from '../i18n/i18n.js';

export function StartPage() {
  const { t } = useI18n();
  return (
    <div className="start">
      <header className="hero">
        <h1>{t('start.title')}</h1>
        <p className="lead">{t('start.lead')}</p>
      </header>
      <UploadPanel />
      <RecentJobs />
    </div>
  );
}
