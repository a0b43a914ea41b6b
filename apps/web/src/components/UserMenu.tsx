import { useId, useState } from 'react';
import { asApiError } from '../api/http.js';
import { useMenuButton } from '../hooks/useMenuButton.js';
import { useI18n } from '../i18n/i18n.js';
import { Link } from '../lib/router.js';
import { useAnnounce } from './Announcer.js';
import { useSession } from './SessionProvider.js';

/**
 * The signed-in person's menu in the header: their email, Account, Users
 * (admins), Sign out. Absent in single-user mode (ECG_AUTH=off), where there is
 * no one to sign in or out, so the header stays as it was before accounts.
 */
export function UserMenu() {
  const { t, messages } = useI18n();
  const announce = useAnnounce();
  const { session, signOut } = useSession();
  const menuId = useId();
  const { open, setOpen, root, button, close, onButtonKey, onMenuKey } = useMenuButton();
  const [error, setError] = useState<string | null>(null);
  if (!session?.auth_enabled || session.user.email === null) return null;
  const { email, role } = session.user;

  const go = (href: string) => () => {
    // Following a link to the page already shown changes no path, so nothing else would take focus.
    close(location.pathname === href);
  };
  const out = async (): Promise<void> => {
    close(false);
    setError(null);
    try {
      await signOut();
      announce(t('menu.signedOut'));
    } catch (err) {
      setError(t('menu.signOutFailed', { message: messages.errors[asApiError(err).code].what }));
      button.current?.focus();
    }
  };

  return (
    <div className="user-menu" ref={root}>
      <button
        ref={button}
        type="button"
        className="user-menu-button"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? menuId : undefined}
        aria-label={t('menu.label', { email })}
        onClick={() => setOpen((o) => !o)}
        onKeyDown={onButtonKey}
      >
        <svg className="user-menu-icon" viewBox="0 0 24 24" aria-hidden="true">
          <circle cx="12" cy="8" r="4" />
          <path d="M4 21c0-4 3.6-7 8-7s8 3 8 7" />
        </svg>
        <span className="user-menu-email">{email}</span>
        <svg className="speaker-caret" viewBox="0 0 24 24" aria-hidden="true">
          <path d="m6 9 6 6 6-6" />
        </svg>
      </button>
      {open && (
        <div id={menuId} className="speaker-menu user-menu-list" role="menu" aria-label={t('menu.label', { email })} onKeyDown={onMenuKey}>
          <span className="user-menu-who" aria-hidden="true">
            {email} · {t(`role.${role}`)}
          </span>
          <Link role="menuitem" tabIndex={-1} className="speaker-menu-item" href="/account" onClick={go('/account')}>
            {t('menu.account')}
          </Link>
          {role === 'admin' && (
            <Link role="menuitem" tabIndex={-1} className="speaker-menu-item" href="/admin/users" onClick={go('/admin/users')}>
              {t('menu.users')}
            </Link>
          )}
          <button type="button" role="menuitem" tabIndex={-1} className="speaker-menu-item" onClick={() => void out()}>
            {t('menu.signOut')}
          </button>
        </div>
      )}
      {error && (
        <p className="user-menu-error notice notice-warn" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
