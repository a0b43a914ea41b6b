import { useEffect, useRef } from 'react';
import { AnnouncerProvider } from './components/Announcer.js';
import { LanguageSwitch } from './components/LanguageSwitch.js';
import { useI18n } from './i18n/i18n.js';
import { JobPage, NotFound } from './pages/JobPage.js';
import { StartPage } from './pages/StartPage.js';
import { Link, matchRoute, usePath } from './lib/router.js';

export function App() {
  const { t } = useI18n();
  const path = usePath();
  const route = matchRoute(path);
  const mainRef = useRef<HTMLElement>(null);
  const first = useRef(true);

  // After an in-page navigation, focus moves to the new content, as a page load would.
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    mainRef.current?.focus();
  }, [path]);

  return (
    <AnnouncerProvider>
      <a className="skip-link" href="#main">
        {t('app.skip')}
      </a>
      <header className="app-header">
        <Link className="brand" href="/" aria-label={`${t('app.name')} — ${t('app.home')}`}>
          <svg className="brand-mark" viewBox="0 0 32 32" aria-hidden="true">
            <rect width="32" height="32" rx="8" />
            <rect x="6" y="18" width="20" height="3.2" rx="1.6" className="line1" />
            <rect x="9" y="23.5" width="14" height="3.2" rx="1.6" className="line2" />
          </svg>
          <span className="brand-name">{t('app.name')}</span>
          <span className="brand-tagline">{t('app.tagline')}</span>
        </Link>
        <LanguageSwitch />
      </header>
      <main id="main" ref={mainRef} tabIndex={-1} className={route.page === 'job' ? 'main main-wide' : 'main'}>
        {route.page === 'start' && <StartPage />}
        {route.page === 'job' && <JobPage key={route.jobId} jobId={route.jobId} />}
        {route.page === 'missing' && <NotFound />}
      </main>
      <footer className="app-footer">
        <p>{t('app.footer')}</p>
      </footer>
    </AnnouncerProvider>
  );
}
