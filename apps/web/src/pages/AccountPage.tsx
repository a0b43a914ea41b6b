import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { CreateApiKeyRequest, type ApiKey, type AuthSession, type CreatedApiKey } from '@ecg/contracts';
import { createApiKey, getMe, getWebhookSecret, listApiKeys, revokeApiKey } from '../api/auth.js';
import { asApiError, type ApiError } from '../api/http.js';
import { AccountsOff } from '../components/AccountsOff.js';
import { useAnnounce } from '../components/Announcer.js';
import { ConfirmAction } from '../components/ConfirmAction.js';
import { ErrorNotice } from '../components/ErrorNotice.js';
import { SecretValue } from '../components/SecretValue.js';
import { useSession } from '../components/SessionProvider.js';
import { TextField } from '../components/TextField.js';
import { useLoaded } from '../hooks/useLoaded.js';
import { useI18n } from '../i18n/i18n.js';
import type { FieldProblem } from '../lib/account-fields.js';
import { formatBytes, formatDate, formatDateTime } from '../lib/format.js';

/** `/account`: who is signed in, what they keep, their API keys and their webhook secret. */
export function AccountPage() {
  const { t } = useI18n();
  const { session } = useSession();
  if (!session) return null;
  if (!session.auth_enabled) return <AccountsOff title={t('account.title')} />;
  return (
    <div className="account">
      <h1>{t('account.title')}</h1>
      <AccountFacts initial={session} />
      <ApiKeys />
      <WebhookSecretPanel />
    </div>
  );
}

/** The numbers change as jobs come and go, so the page asks again rather than showing the ones from sign-in. */
function AccountFacts({ initial }: { initial: AuthSession }) {
  const { t, lang } = useI18n();
  const [me, setMe] = useState(initial);
  useEffect(() => {
    const ctl = new AbortController();
    // On failure the sign-in figures stay; a 401 takes the person to the login page anyway.
    getMe(ctl.signal).then(setMe, () => undefined);
    return () => ctl.abort();
  }, []);
  return (
    <section className="card" aria-label={t('account.title')}>
      <dl className="facts">
        <div>
          <dt>{t('account.email')}</dt>
          <dd className="file-name">{me.user.email}</dd>
        </div>
        <div>
          <dt>{t('account.role')}</dt>
          <dd>{t(`role.${me.user.role}`)}</dd>
        </div>
        <div>
          <dt>{t('account.storage')}</dt>
          <dd>{me.storage_bytes === null ? t('account.storageUnknown') : formatBytes(me.storage_bytes, lang)}</dd>
        </div>
        <div>
          <dt>{t('account.jobs')}</dt>
          <dd>{new Intl.NumberFormat(lang).format(me.job_count)}</dd>
        </div>
      </dl>
    </section>
  );
}

function ApiKeys() {
  const { t, lang } = useI18n();
  const announce = useAnnounce();
  const ids = { title: useId(), name: useId(), created: useId() };
  const titleRef = useRef<HTMLHeadingElement>(null);
  const nameRef = useRef<HTMLInputElement>(null);
  const createdRef = useRef<HTMLDivElement>(null);
  const [keys, setKeys, loadError] = useLoaded(() => listApiKeys().then((r) => r.keys));
  const [name, setName] = useState('');
  const [problem, setProblem] = useState<FieldProblem | undefined>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [created, setCreated] = useState<CreatedApiKey | null>(null);

  useEffect(() => {
    if (created) createdRef.current?.focus();
  }, [created]);

  const create = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    if (busy) return;
    setError(null);
    if (!CreateApiKeyRequest.safeParse({ name }).success) {
      setProblem({ key: 'field.keyNameMissing' });
      nameRef.current?.focus();
      return;
    }
    setProblem(undefined);
    setBusy(true);
    try {
      const made = await createApiKey({ name });
      const { key: _secret, ...listed } = made;
      setKeys((prev) => [listed, ...(prev ?? [])]);
      setCreated(made);
      setName('');
      announce(t('account.keyCreated', { name: made.name }));
    } catch (err) {
      setError(asApiError(err));
    }
    setBusy(false);
  };

  const revoke = async (key: ApiKey): Promise<void> => {
    setError(null);
    try {
      await revokeApiKey(key.id);
    } catch (err) {
      const e = asApiError(err);
      // Already gone counts as revoked.
      if (e.code !== 'NOT_FOUND') {
        setError(e);
        throw e;
      }
    }
    setKeys((prev) => prev?.filter((k) => k.id !== key.id) ?? null);
    if (created?.id === key.id) setCreated(null);
    announce(t('account.keyRevoked', { name: key.name }));
    // The row and its button are gone: focus goes back to the section rather than to the page's top.
    titleRef.current?.focus();
  };

  return (
    <section className="card" aria-labelledby={ids.title}>
      <h2 id={ids.title} ref={titleRef} tabIndex={-1}>
        {t('account.keysTitle')}
      </h2>
      <p className="hint">{t('account.keysLead')}</p>

      <form className="key-form" noValidate onSubmit={(e) => void create(e)}>
        <TextField
          ref={nameRef}
          id={ids.name}
          label={t('account.keyName')}
          hint={t('account.keyNameHint')}
          type="text"
          autoComplete="off"
          maxLength={100}
          value={name}
          onChange={(e) => setName(e.target.value)}
          problem={problem}
          beside={
            <button type="submit" className="btn btn-primary" disabled={busy}>
              {busy ? t('account.keyCreating') : t('account.keyCreate')}
            </button>
          }
        />
      </form>

      {created && (
        <div ref={createdRef} className="new-key" role="region" aria-labelledby={ids.created} tabIndex={-1}>
          <h3 id={ids.created}>{t('account.keyNew', { name: created.name })}</h3>
          <p className="notice notice-warn">{t('account.keyOnce')}</p>
          <SecretValue value={created.key} label={t('account.keyLabel')} copyLabel={t('account.keyCopy')} />
          <button
            type="button"
            className="btn btn-ghost btn-small"
            onClick={() => {
              setCreated(null);
              nameRef.current?.focus();
            }}
          >
            {t('account.keyDismiss')}
          </button>
        </div>
      )}

      {error && <ErrorNotice code={error.code} />}

      {loadError ? (
        <ErrorNotice code={loadError.code} />
      ) : keys === null ? (
        <p className="hint">
          <span className="spinner" aria-hidden="true" />
        </p>
      ) : keys.length === 0 ? (
        <p className="hint">{t('account.keysEmpty')}</p>
      ) : (
        <div className="table-wrap">
          <table className="data-table">
            <caption className="sr-only">{t('account.keysCaption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('account.keyColName')}</th>
                <th scope="col">{t('account.keyColPrefix')}</th>
                <th scope="col">{t('account.keyColCreated')}</th>
                <th scope="col">{t('account.keyColUsed')}</th>
                <th scope="col">
                  <span className="sr-only">{t('account.keyColActions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {keys.map((k) => (
                <tr key={k.id}>
                  <th scope="row" className="cell-name">
                    {k.name}
                  </th>
                  <td>
                    <code>{k.prefix}…</code>
                  </td>
                  <td>
                    <time dateTime={k.created_at}>{formatDate(k.created_at, lang)}</time>
                  </td>
                  <td>{k.last_used_at ? <time dateTime={k.last_used_at}>{formatDateTime(k.last_used_at, lang)}</time> : t('account.keyNeverUsed')}</td>
                  <td className="cell-actions">
                    <ConfirmAction
                      label={t('account.keyRevoke')}
                      name={t('account.keyRevokeNamed', { name: k.name })}
                      prompt={t('account.keyRevokePrompt', { name: k.name })}
                      confirmLabel={t('account.keyRevokeConfirm')}
                      cancelLabel={t('account.keep')}
                      busyLabel={t('account.keyRevoking')}
                      onConfirm={() => revoke(k)}
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

/** Hidden until asked for: a secret on screen is a secret in every screenshot and screen share. */
function WebhookSecretPanel() {
  const { t } = useI18n();
  const ids = { title: useId(), value: useId() };
  const [shown, setShown] = useState(false);
  const [secret, setSecret] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | null>(null);

  useEffect(() => {
    if (!shown) return;
    let live = true;
    setError(null);
    getWebhookSecret().then(
      (r) => live && setSecret(r.secret),
      (err: unknown) => live && setError(asApiError(err)),
    );
    return () => {
      live = false;
      setSecret(null);
    };
  }, [shown]);

  return (
    <section className="card" aria-labelledby={ids.title}>
      <h2 id={ids.title}>{t('account.webhookTitle')}</h2>
      <p className="hint">{t('account.webhookLead')}</p>
      <p>
        <button type="button" className="btn btn-secondary" aria-expanded={shown} aria-controls={ids.value} onClick={() => setShown((s) => !s)}>
          {shown ? t('account.webhookHide') : t('account.webhookShow')}
        </button>
      </p>
      <div id={ids.value}>
        {shown &&
          (error ? (
            <ErrorNotice code={error.code} />
          ) : secret === null ? (
            <p className="hint" role="status">
              <span className="spinner" aria-hidden="true" /> {t('account.webhookLoading')}
            </p>
          ) : (
            <SecretValue value={secret} label={t('account.webhookLabel')} copyLabel={t('account.webhookCopy')} />
          ))}
      </div>
    </section>
  );
}
