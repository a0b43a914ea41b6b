import { useId, useRef, useState } from 'react';
import { setupFirstAdmin } from '../api/auth.js';
import { useAnnounce } from '../components/Announcer.js';
import { ErrorNotice } from '../components/ErrorNotice.js';
import { useSession } from '../components/SessionProvider.js';
import { EMAIL_INPUT, TextField } from '../components/TextField.js';
import { useFormSubmit } from '../hooks/useFormSubmit.js';
import { useI18n } from '../i18n/i18n.js';
import { newAccountProblems, PASSWORD_MIN, type NewAccountField } from '../lib/account-fields.js';

/**
 * The one-time creation of the first admin, offered while no user exists and
 * the browser is on the server itself (GET /api/auth/setup says so). The
 * password is typed twice: there is no one yet who could reset it.
 */
export function SetupPage() {
  const { t } = useI18n();
  const announce = useAnnounce();
  const { signedIn, retry } = useSession();
  const ids = { title: useId(), email: useId(), password: useId(), confirm: useId() };
  const refs = { email: useRef<HTMLInputElement>(null), password: useRef<HTMLInputElement>(null), confirm: useRef<HTMLInputElement>(null) };
  const [form, setForm] = useState({ email: '', password: '', confirm: '' });
  const { problems, failure, busy, onSubmit } = useFormSubmit({
    refs,
    check: () => newAccountProblems(form),
    send: async () => {
      const session = await setupFirstAdmin({ email: form.email, password: form.password });
      announce(t('setup.done', { email: session.user.email ?? form.email }));
      signedIn(session);
    },
    leaves: true,
  });

  const field = (name: NewAccountField, label: string, hint?: string) => (
    <TextField
      ref={refs[name]}
      id={ids[name]}
      label={label}
      hint={hint}
      {...(name === 'email' ? { ...EMAIL_INPUT, autoComplete: 'username' } : { type: 'password', autoComplete: 'new-password', minLength: PASSWORD_MIN })}
      name={name}
      required
      value={form[name]}
      onChange={(e) => setForm((f) => ({ ...f, [name]: e.target.value }))}
      problem={problems[name]}
    />
  );

  return (
    <section className="card auth-card" aria-labelledby={ids.title}>
      <h1 id={ids.title}>{t('setup.title')}</h1>
      <p className="lead">{t('setup.lead')}</p>
      <form className="auth-form" noValidate onSubmit={onSubmit}>
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
