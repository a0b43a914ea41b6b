import { useI18n } from '../i18n/i18n.js';

/** An account page in single-user mode (no accounts to show): its title and why there is nothing under it. */
export function AccountsOff({ title }: { title: string }) {
  const { t } = useI18n();
  return (
    <div className="account">
      <h1>{title}</h1>
      <p className="notice notice-warn">{t('account.off')}</p>
    </div>
  );
}
