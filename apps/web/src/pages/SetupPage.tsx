import { useId, useRef, useState, type FormEvent } from 'react';
import { setupFirstAdmin } from '../api/auth.js';
import { asApiError, type ApiError } from '../api/http.js';
import { useAnnounce } from '../components/Announcer.js';
import { ErrorNotice } from '../components/ErrorNotice.js';
import { FieldError } from '../components/FieldError.js';
import { useSession } from '../components/SessionProvider.js';
import { useI18n } from '../i18n/i18n.js';
import { newAccountProblems, PASSWORD_MIN, type FieldProblem, type NewAccountField } from '../lib/account-fields.js';

/**
 * The one-time creation of the first admin, offered while no user exists and
 * the browser is on the server itself (GET /api/auth/setup says so). The
 * password is typed twice: there is no one yet who could reset it.
 */
export function SetupPage() {
  const { t } = useI18n();
  const announce = useAnnounce();
  const { signedIn, retry } = useSession();
  const ids = { title: useId(), email: useId(), password: useId(), confirm: useId(), hint: useId() };
  const refs = { email: useRef<HTMLInputElement>(null), password: useRef<HTMLInputElement>(null), confirm: useRef<HTMLInputElement>(null) };
  const [form, setForm] = useState({ email: '', password: '', confirm: '' });
  const [problems, setProblems] = useState<Partial<Record<NewAccountField, FieldProblem>>>({});
  const [failure, setFailure] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    if (busy) return;
    const found = newAccountProblems(form);
    setProblems(Object.fromEntries(found));
    setFailure(null);
    if (found.length > 0) {
      refs[found[0]![0]].current?.focus();
      return;
    }
    setBusy(true);
    try {
      const session = await setupFirstAdmin({ email: form.email, password: form.password });
      announce(t('setup.done', { email: session.user.email ?? form.email }));
      signedIn(session);
    } catch (err) {
      setFailure(asApiError(err));
      setBusy(false);
    }
  };

  const field = (name: NewAccountField, label: string, hint?: string) => (
    <div className="field">
      <label htmlFor={ids[name]}>{label}</label>
      <input
        ref={refs[name]}
        id={ids[name]}
        className="text-input"
        type={name === 'email' ? 'email' : 'password'}
        name={name}
        autoComplete={name === 'email' ? 'username' : 'new-password'}
        autoCapitalize={name === 'email' ? 'none' : undefined}
        spellCheck={name === 'email' ? false : undefined}
        required
        minLength={name === 'email' ? undefined : PASSWORD_MIN}
        value={form[name]}
        onChange={(e) => setForm((f) => ({ ...f, [name]: e.target.value }))}
        aria-invalid={problems[name] ? true : undefined}
        aria-describedby={[problems[name] ? `${ids[name]}-error` : null, hint ? ids.hint : null].filter(Boolean).join(' ') || undefined}
      />
      {hint && (
        <p id={ids.hint} className="hint">
          {hint}
        </p>
      )}
      <FieldError id={`${ids[name]}-error`} problem={problems[name]} />
    </div>
  );

  return (
    <section className="card auth-card" aria-labelledby={ids.title}>
      <h1 id={ids.title}>{t('setup.title')}</h1>
      <p className="lead">{t('setup.lead')}</p>
      <form className="auth-form" noValidate onSubmit={(e) => void submit(e)}>
        {field('email', t('setup.email'))}
        {field('password', t('setup.password'), t('setup.passwordHint', { min: PASSWORD_MIN }))}
        {field('confirm', t('setup.confirm'))}
        {failure && (
          <ErrorNotice code={failure.code}>
            {failure.code === 'SETUP_NOT_AVAILABLE' && (
              <button type="button" className="btn btn-secondary" onClick={retry}>
                {t('login.submit')}
              </button>
            )}
          </ErrorNotice>
        )}
        <button type="submit" className="btn btn-primary btn-large" disabled={busy}>
          {busy ? t('setup.busy') : t('setup.submit')}
        </button>
      </form>
      <p className="hint">{t('setup.local')}</p>
    </section>
  );
}
