import { useEffect, useRef } from 'react';
import { AnnouncerProvider } from './components/Announcer.js';
import { ErrorNotice } from './components/ErrorNotice.js';
import { LanguageSwitch } from './components/LanguageSwitch.js';
import { SessionProvider, useSession } from './components/SessionProvider.js';
import { UserMenu } from './components/UserMenu.js';
import { useI18n } from './i18n/i18n.js';
import { AccountPage } from './pages/AccountPage.js';
import { AdminUsersPage } from './pages/AdminUsersPage.js';
import { JobPage, NotFound } from './pages/JobPage.js';
import { LoginPage } from './pages/LoginPage.js';
import { SetupPage } from './pages/SetupPage.js';
import { StartPage } from './pages/StartPage.js';
import { Link, matchRoute, navigate, usePath } from './lib/router.js';
import { screenFor } from './lib/session-state.js';

export function App() {
  return (
    <AnnouncerProvider>
      <SessionProvider>
        <Shell />
      </SessionProvider>
    </AnnouncerProvider>
  );
}

function Shell() {
  const { t } = useI18n();
  const { state, retry } = useSession();
  const path = usePath();
  const route = matchRoute(path);
  const decision = screenFor(state, route, path, location.search);
  const mainRef = useRef<HTMLElement>(null);
  const first = useRef(true);

  // Signed out, every page leads to the login page (remembering where the person was); signed in, the login page leads back.
  useEffect(() => {
    if (decision.redirect !== undefined && decision.redirect !== `${location.pathname}${location.search}`) navigate(decision.redirect, true);
  }, [decision.redirect]);

  // After an in-page navigation, focus moves to the new content, as a page load would.
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    mainRef.current?.focus();
  }, [path]);

  const wide = decision.screen === 'app' && route.page === 'job';
  return (
    <>
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
        <div className="header-tools">
          <UserMenu />
          <LanguageSwitch />
        </div>
      </header>
      <main id="main" ref={mainRef} tabIndex={-1} className={wide ? 'main main-wide' : 'main'}>
        {decision.screen === 'loading' && (
          <p className="hint" role="status">
            <span className="spinner" aria-hidden="true" /> {t('session.loading')}
          </p>
        )}
        {state.status === 'unreachable' && (
          <ErrorNotice code={state.code} title={t('session.unreachable')}>
            <button type="button" className="btn btn-primary" onClick={retry}>
              {t('session.retry')}
            </button>
          </ErrorNotice>
        )}
        {decision.screen === 'login' && route.page === 'login' && <LoginPage expired={state.status === 'signed-out' && state.expired} />}
        {decision.screen === 'setup' && route.page === 'setup' && <SetupPage />}
        {decision.screen === 'app' && !decision.redirect && (
          <>
            {route.page === 'start' && <StartPage />}
            {route.page === 'job' && <JobPage key={route.jobId} jobId={route.jobId} />}
            {route.page === 'account' && <AccountPage />}
            {route.page === 'admin-users' && <AdminUsersPage />}
            {route.page === 'missing' && <NotFound />}
          </>
        )}
      </main>
      <footer className="app-footer">
        <p>{t('app.footer')}</p>
      </footer>
    </>
  );
}
