import { useEffect, useId, useRef, useState } from 'react';
import { login } from '../api/auth.js';
import { useAnnounce } from '../components/Announcer.js';
import { ErrorNotice } from '../components/ErrorNotice.js';
import { useSession } from '../components/SessionProvider.js';
import { EMAIL_INPUT, TextField } from '../components/TextField.js';
import { useFormSubmit } from '../hooks/useFormSubmit.js';
import { useI18n } from '../i18n/i18n.js';
import { loginProblems } from '../lib/account-fields.js';
import { loginFailureLine } from '../lib/login-failure.js';

/**
 * Email and password, for a password manager (autocomplete username /
 * current-password) and a keyboard: a missing field or a refused sign-in puts
 * focus where the person can fix it, and the reason is read out (role=alert).
 * Too many failures disable the button for the wait the server named.
 */
export function LoginPage({ expired }: { expired: boolean }) {
  const { t, lang } = useI18n();
  const announce = useAnnounce();
  const { signedIn } = useSession();
  const ids = { title: useId(), email: useId(), password: useId(), failure: useId() };
  const refs = { email: useRef<HTMLInputElement>(null), password: useRef<HTMLInputElement>(null) };
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [waitUntil, setWaitUntil] = useState<number | null>(null);

  // The button comes back by itself when the server's wait is over.
  useEffect(() => {
    if (waitUntil === null) return;
    const timer = setTimeout(() => setWaitUntil(null), Math.max(0, waitUntil - Date.now()));
    return () => clearTimeout(timer);
  }, [waitUntil]);

  const { problems, failure, busy, onSubmit } = useFormSubmit({
    refs,
    check: () => loginProblems({ email, password }),
    send: async () => {
      const session = await login({ email, password });
      announce(t('login.signedIn', { email: session.user.email ?? email }));
      signedIn(session);
    },
    refused: (error) => {
      if (error.code === 'INVALID_CREDENTIALS') {
        setPassword('');
        refs.password.current?.focus();
      }
      if (error.retryAfterSeconds !== null && error.retryAfterSeconds > 0) setWaitUntil(Date.now() + error.retryAfterSeconds * 1000);
      return undefined;
    },
    leaves: true,
  });

  const failureLine = failure && loginFailureLine(failure, t, lang);
  const failureId = failure ? ids.failure : null;

  return (
    <section className="card auth-card" aria-labelledby={ids.title}>
      <h1 id={ids.title}>{t('login.title')}</h1>
      {expired ? (
        <p className="notice notice-warn" role="status">
          {t('login.expired')}
        </p>
      ) : (
        <p className="lead">{t('login.lead')}</p>
      )}
      <form className="auth-form" noValidate onSubmit={onSubmit}>
        <TextField
          ref={refs.email}
          id={ids.email}
          label={t('login.email')}
          {...EMAIL_INPUT}
          name="email"
          autoComplete="username"
          required
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          problem={problems.email}
          describedBy={failureId}
        />
        <TextField
          ref={refs.password}
          id={ids.password}
          label={t('login.password')}
          type="password"
          name="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          problem={problems.password}
          describedBy={failureId}
        />
        {failure &&
          (failureLine ? (
            <p id={ids.failure} className="notice notice-error auth-failure" role="alert">
              {failureLine}
            </p>
          ) : (
            <div id={ids.failure}>
              <ErrorNotice code={failure.code} />
            </div>
          ))}
        <button type="submit" className="btn btn-primary btn-large" disabled={busy || waitUntil !== null}>
          {busy ? t('login.busy') : t('login.submit')}
        </button>
      </form>
      <p className="hint">{t('login.noAccount')}</p>
    </section>
  );
}
