import type { SaveState } from '../hooks/useCaptionEditor.js';
import { useI18n } from '../i18n/i18n.js';

interface Props {
  state: SaveState;
  onRetry: () => void;
  onReload: () => void;
  onOverwrite: () => void;
}

/** Where autosave stands, read out politely; failures and conflicts offer the way out. */
export function SaveStatus({ state, onRetry, onReload, onOverwrite }: Props) {
  const { t, messages } = useI18n();
  return (
    <div className={`save-status save-${state.kind}`} aria-live="polite" data-testid="save-status">
      {state.kind === 'idle' && <span>{t('save.idle')}</span>}
      {state.kind === 'pending' && <span>{t('save.pending')}</span>}
      {state.kind === 'saving' && (
        <span>
          <span className="spinner" aria-hidden="true" /> {t('save.saving')}
        </span>
      )}
      {state.kind === 'saved' && <span>✓ {t('save.saved')}</span>}
      {state.kind === 'failed' && (
        <span role="alert">
          {t('save.failed')} <span className="hint">{messages.errors[state.code].todo}</span>{' '}
          <button type="button" className="btn btn-small" onClick={onRetry}>
            {t('save.retry')}
          </button>
        </span>
      )}
      {state.kind === 'conflict' && (
        <span role="alert">
          {t('save.conflict')}{' '}
          <button type="button" className="btn btn-small" onClick={onReload}>
            {t('save.reload')}
          </button>{' '}
          <button type="button" className="btn btn-small" onClick={onOverwrite}>
            {t('save.overwrite')}
          </button>
        </span>
      )}
    </div>
  );
}
