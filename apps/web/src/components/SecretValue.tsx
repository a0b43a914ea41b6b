import { useId, useRef, useState } from 'react';
import { useI18n } from '../i18n/i18n.js';
import { useAnnounce } from './Announcer.js';

/**
 * A secret shown as read-only text with a Copy button (an API key, the
 * webhook secret). When the clipboard is refused (an http:// origin other
 * than localhost), the text is selected so the person can copy it themselves.
 */
export function SecretValue({ value, label, copyLabel }: { value: string; label: string; copyLabel: string }) {
  const { t } = useI18n();
  const announce = useAnnounce();
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  const [copy, setCopy] = useState<'idle' | 'done' | 'failed'>('idle');

  const run = async (): Promise<void> => {
    try {
      await navigator.clipboard.writeText(value);
      setCopy('done');
      announce(t('copy.done'));
    } catch {
      setCopy('failed');
      input.current?.focus();
      input.current?.select();
    }
  };

  return (
    <div className="secret">
      <label htmlFor={id} className="secret-label">
        {label}
      </label>
      <div className="secret-row">
        <input
          ref={input}
          id={id}
          className="secret-input"
          type="text"
          readOnly
          value={value}
          spellCheck={false}
          autoComplete="off"
          onFocus={(e) => e.currentTarget.select()}
        />
        <button type="button" className="btn btn-secondary btn-small" onClick={() => void run()}>
          {copy === 'done' ? t('copy.done') : copyLabel}
        </button>
      </div>
      {copy === 'failed' && (
        <p className="hint" role="status">
          {t('copy.failed')}
        </p>
      )}
    </div>
  );
}
