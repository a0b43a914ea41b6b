import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { login } from '../api/auth.js';
import { asApiError, type ApiError } from '../api/http.js';
import { useAnnounce } from '../components/Announcer.js';
import { ErrorNotice } from '../components/ErrorNotice.js';
import { useSession } from '../components/SessionProvider.js';
import { FieldError } from '../components/FieldError.js';
import { useI18n } from '../i18n/i18n.js';
import { loginProblems, type FieldProblem } from '../lib/account-fields.js';
import { loginFailureLine } from '../lib/login-failure.js';

type Field = 'email' | 'password';

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
  const [problems, setProblems] = useState<Partial<Record<Field, FieldProblem>>>({});
  const [failure, setFailure] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const [waitUntil, setWaitUntil] = useState<number | null>(null);

  // The button comes back by itself when the server's wait is over.
  useEffect(() => {
    if (waitUntil === null) return;
    const timer = setTimeout(() => setWaitUntil(null), Math.max(0, waitUntil - Date.now()));
    return () => clearTimeout(timer);
  }, [waitUntil]);

  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    if (busy) return;
    const found = loginProblems({ email, password });
    setProblems(Object.fromEntries(found));
    setFailure(null);
    if (found.length > 0) {
      refs[found[0]![0]].current?.focus();
      return;
    }
    setBusy(true);
    try {
      const session = await login({ email, password });
      announce(t('login.signedIn', { email: session.user.email ?? email }));
      signedIn(session);
    } catch (err) {
      const error = asApiError(err);
      setFailure(error);
      setBusy(false);
      if (error.code === 'INVALID_CREDENTIALS') {
        setPassword('');
        refs.password.current?.focus();
      }
      if (error.retryAfterSeconds !== null && error.retryAfterSeconds > 0) setWaitUntil(Date.now() + error.retryAfterSeconds * 1000);
    }
  };

  const failureLine = failure && loginFailureLine(failure, t, lang);
  const describedBy = (field: Field, hint?: string): string | undefined =>
    [problems[field] ? `${ids[field]}-error` : null, failure ? ids.failure : null, hint].filter(Boolean).join(' ') || undefined;

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
      <form className="auth-form" noValidate onSubmit={(e) => void submit(e)}>
        <div className="field">
          <label htmlFor={ids.email}>{t('login.email')}</label>
          <input
            ref={refs.email}
            id={ids.email}
            className="text-input"
            type="email"
            name="email"
            autoComplete="username"
            autoCapitalize="none"
            spellCheck={false}
            required
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            aria-invalid={problems.email ? true : undefined}
            aria-describedby={describedBy('email')}
          />
          <FieldError id={`${ids.email}-error`} problem={problems.email} />
        </div>
        <div className="field">
          <label htmlFor={ids.password}>{t('login.password')}</label>
          <input
            ref={refs.password}
            id={ids.password}
            className="text-input"
            type="password"
            name="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            aria-invalid={problems.password ? true : undefined}
            aria-describedby={describedBy('password')}
          />
          <FieldError id={`${ids.password}-error`} problem={problems.password} />
        </div>
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
