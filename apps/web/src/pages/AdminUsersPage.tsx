import { useEffect, useId, useRef, useState } from 'react';
import type { User, UserRole } from '@ecg/contracts';
import { createUser, listUsers, updateUser } from '../api/auth.js';
import { asApiError, type ApiError } from '../api/http.js';
import { AccountsOff } from '../components/AccountsOff.js';
import { useAnnounce } from '../components/Announcer.js';
import { ConfirmAction } from '../components/ConfirmAction.js';
import { ErrorNotice } from '../components/ErrorNotice.js';
import { useSession } from '../components/SessionProvider.js';
import { EMAIL_INPUT, TextField } from '../components/TextField.js';
import { useFormSubmit } from '../hooks/useFormSubmit.js';
import { useLoaded } from '../hooks/useLoaded.js';
import { useI18n } from '../i18n/i18n.js';
import { newAccountProblems, PASSWORD_MIN, type FieldProblem } from '../lib/account-fields.js';
import { formatDate } from '../lib/format.js';

/** `/admin/users`, for admins: everyone who can sign in, adding people, disabling and enabling them. */
export function AdminUsersPage() {
  const { t } = useI18n();
  const { session } = useSession();
  if (!session) return null;
  if (!session.auth_enabled) return <AccountsOff title={t('users.title')} />;
  if (session.user.role !== 'admin') {
    return (
      <div className="account">
        <h1>{t('users.title')}</h1>
        <ErrorNotice code="FORBIDDEN" />
      </div>
    );
  }
  return <UsersAdmin selfId={session.user.id} />;
}

function UsersAdmin({ selfId }: { selfId: string }) {
  const { t, lang } = useI18n();
  const announce = useAnnounce();
  const [users, setUsers, loadError] = useLoaded(() => listUsers().then((r) => r.users));
  const [error, setError] = useState<ApiError | null>(null);
  const [busyId, setBusyId] = useState<string | null>(null);
  // After a row's action the button under focus is replaced (Disable → Enable): focus follows to the new one.
  const [focusRow, setFocusRow] = useState<string | null>(null);
  const tableRef = useRef<HTMLTableElement>(null);

  useEffect(() => {
    if (focusRow === null) return;
    tableRef.current?.querySelector<HTMLElement>(`tr[data-user="${CSS.escape(focusRow)}"] .cell-actions button`)?.focus();
    setFocusRow(null);
  }, [focusRow, users]);

  const setDisabled = async (user: User, disabled: boolean): Promise<void> => {
    setError(null);
    setBusyId(user.id);
    try {
      const updated = await updateUser(user.id, { disabled });
      setUsers((prev) => prev?.map((u) => (u.id === updated.id ? updated : u)) ?? null);
      announce(t(disabled ? 'users.disabledDone' : 'users.enabledDone', { email: updated.email }));
      setFocusRow(updated.id);
    } catch (err) {
      const e = asApiError(err);
      setError(e);
      throw e;
    } finally {
      setBusyId(null);
    }
  };

  return (
    <div className="account">
      <h1>{t('users.title')}</h1>
      <p className="lead">{t('users.lead')}</p>
      <section className="card" aria-label={t('users.caption')}>
        {error && <ErrorNotice code={error.code} />}
        {loadError ? (
          <ErrorNotice code={loadError.code} />
        ) : users === null ? (
          <p className="hint" role="status">
            <span className="spinner" aria-hidden="true" /> {t('users.loading')}
          </p>
        ) : (
          <div className="table-wrap">
            <table className="data-table" ref={tableRef}>
              <caption className="sr-only">{t('users.caption')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('users.colEmail')}</th>
                  <th scope="col">{t('users.colRole')}</th>
                  <th scope="col">{t('users.colCreated')}</th>
                  <th scope="col" className="cell-number">
                    {t('users.colJobs')}
                  </th>
                  <th scope="col">{t('users.colStatus')}</th>
                  <th scope="col">
                    <span className="sr-only">{t('users.colActions')}</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {users.map((u) => (
                  <tr key={u.id} data-user={u.id} className={u.disabled ? 'is-disabled' : undefined}>
                    <th scope="row" className="cell-name">
                      {u.email}
                      {u.id === selfId && <span className="badge badge-self">{t('users.you')}</span>}
                    </th>
                    <td>{t(`role.${u.role}`)}</td>
                    <td>
                      <time dateTime={u.created_at}>{formatDate(u.created_at, lang)}</time>
                    </td>
                    <td className="cell-number">{new Intl.NumberFormat(lang).format(u.job_count)}</td>
                    <td>
                      <span className={u.disabled ? 'badge badge-failed' : 'badge badge-completed'}>{u.disabled ? t('users.disabled') : t('users.active')}</span>
                    </td>
                    <td className="cell-actions">
                      {/* Disabling yourself would sign you out with no admin left to undo it from here. */}
                      {u.id === selfId ? null : u.disabled ? (
                        <button
                          type="button"
                          className="btn btn-ghost btn-small"
                          disabled={busyId === u.id}
                          aria-label={t('users.enableNamed', { email: u.email })}
                          onClick={() => void setDisabled(u, false).catch(() => undefined)}
                        >
                          {busyId === u.id ? t('users.saving') : t('users.enable')}
                        </button>
                      ) : (
                        <ConfirmAction
                          label={t('users.disable')}
                          name={t('users.disableNamed', { email: u.email })}
                          prompt={t('users.disablePrompt', { email: u.email })}
                          confirmLabel={t('users.disableConfirm')}
                          cancelLabel={t('users.keepActive')}
                          busyLabel={t('users.saving')}
                          onConfirm={() => setDisabled(u, true)}
                        />
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <CreateUserForm
        onCreated={(user) => {
          setUsers((prev) => [...(prev ?? []), user]);
          announce(t('users.created', { email: user.email }));
        }}
      />
    </div>
  );
}

type CreateField = 'email' | 'password';

function CreateUserForm({ onCreated }: { onCreated: (user: User) => void }) {
  const { t } = useI18n();
  const ids = { title: useId(), email: useId(), password: useId(), role: useId() };
  const refs = { email: useRef<HTMLInputElement>(null), password: useRef<HTMLInputElement>(null) };
  const [form, setForm] = useState<{ email: string; password: string; role: UserRole }>({ email: '', password: '', role: 'user' });
  const { problems, failure, busy, onSubmit } = useFormSubmit({
    refs,
    check: () =>
      newAccountProblems({ email: form.email, password: form.password }).filter((p): p is [CreateField, FieldProblem] => p[0] !== 'confirm'),
    send: async () => {
      const user = await createUser(form);
      onCreated(user);
      setForm({ email: '', password: '', role: 'user' });
      refs.email.current?.focus();
    },
    refused: (error) => (error.code === 'EMAIL_TAKEN' ? ['email', { key: 'users.emailTaken' }] : undefined),
  });

  return (
    <section className="card" aria-labelledby={ids.title}>
      <h2 id={ids.title}>{t('users.createTitle')}</h2>
      <form className="auth-form" noValidate onSubmit={onSubmit}>
        <TextField
          ref={refs.email}
          id={ids.email}
          label={t('users.email')}
          {...EMAIL_INPUT}
          // Someone else's address: the browser should neither fill in nor remember the admin's own.
          autoComplete="off"
          required
          value={form.email}
          onChange={(e) => setForm((f) => ({ ...f, email: e.target.value }))}
          problem={problems.email}
        />
        <TextField
          ref={refs.password}
          id={ids.password}
          label={t('users.password')}
          hint={t('users.passwordHint', { min: PASSWORD_MIN })}
          type="password"
          autoComplete="new-password"
          required
          minLength={PASSWORD_MIN}
          value={form.password}
          onChange={(e) => setForm((f) => ({ ...f, password: e.target.value }))}
          problem={problems.password}
        />
        <div className="field">
          <label htmlFor={ids.role}>{t('users.role')}</label>
          <select id={ids.role} value={form.role} onChange={(e) => setForm((f) => ({ ...f, role: e.target.value as UserRole }))}>
            <option value="user">{t('role.user')}</option>
            <option value="admin">{t('role.admin')}</option>
          </select>
        </div>
        {failure && <ErrorNotice code={failure.code} />}
        <div>
          <button type="submit" className="btn btn-primary" disabled={busy}>
            {busy ? t('users.creating') : t('users.create')}
          </button>
        </div>
      </form>
    </section>
  );
}
