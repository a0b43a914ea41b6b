import type { ReactNode } from 'react';
import type { ClientErrorCode } from '../api/http.js';
import { useI18n } from '../i18n/i18n.js';

/** What went wrong and what to do, from the error code, in the interface language. */
export function ErrorNotice({ code, title, children }: { code: ClientErrorCode; title?: string; children?: ReactNode }) {
  const { t, messages } = useI18n();
  const text = messages.errors[code];
  return (
    <div className="notice notice-error" role="alert">
      {title && <h2 className="notice-title">{title}</h2>}
      <p className="notice-what">{text.what}</p>
      <p className="notice-todo">{text.todo}</p>
      <p className="notice-code">{t('job.errorCode', { code })}</p>
      {children && <div className="notice-actions">{children}</div>}
    </div>
  );
}
