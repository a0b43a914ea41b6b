import { useId } from 'react';
import type { RenderState } from '../hooks/useRender.js';
import { useI18n } from '../i18n/i18n.js';
import { ProgressBar } from './ProgressBar.js';

interface Props {
  state: RenderState;
  expressive: boolean;
  strength: number;
  disabled: boolean;
  onStart: () => void;
}

/** Burns the captions into a copy of the video on the server, shows its progress, then links the file. */
export function RenderPanel({ state, expressive, strength, disabled, onStart }: Props) {
  const { t, messages } = useI18n();
  const headingId = useId();
  const busy = state.kind === 'checking' || state.kind === 'saving' || state.kind === 'starting' || state.kind === 'running';
  const percent = state.kind === 'running' ? Math.round(state.job.progress) : 0;
  // Read out in steps of ten, not every second's percent.
  const spoken =
    state.kind === 'checking'
      ? t('render.checking')
      : state.kind === 'saving'
        ? t('render.saving')
        : state.kind === 'starting'
          ? t('render.starting')
          : state.kind === 'running'
            ? state.job.status === 'queued'
              ? t('render.queued')
              : t('render.progress', { percent: Math.floor(percent / 10) * 10 })
            : state.kind === 'completed'
              ? t('render.done')
              : '';
  const settings = expressive ? t('render.settingsExpressive', { strength: strength.toFixed(1) }) : t('render.settingsPlain');
  return (
    <section className="render-panel" aria-labelledby={headingId} data-testid="render-panel">
      <h2 id={headingId} className="render-title">
        {t('render.title')}
      </h2>
      <p className="hint">
        {t('render.lead')} {settings}
      </p>
      <p className="render-status" aria-live="polite">
        {busy && <span className="spinner render-spinner" aria-hidden="true" />}
        {spoken}
      </p>
      {state.kind === 'running' && (
        <>
          <ProgressBar value={state.job.progress} label={t('render.progressLabel')} valueText={t('job.percent', { percent })} />
          {state.connectionLost && <p className="notice notice-warn">{t('job.connectionLost')}</p>}
        </>
      )}
      {state.kind === 'failed' && (
        <div className="notice notice-error" role="alert">
          <p className="notice-title">{t('render.failed')}</p>
          <p>{messages.errors[state.code].what}</p>
          {state.message && <p className="notice-code">{state.message}</p>}
          <p className="hint">{t('job.errorCode', { code: state.code })}</p>
        </div>
      )}
      {state.kind === 'unsaved' && (
        <p className="notice notice-error" role="alert">
          {t('render.unsaved')}
        </p>
      )}
      <div className="render-actions">
        {state.kind === 'completed' && state.job.download_url && (
          <a className="btn btn-primary" href={state.job.download_url} download data-testid="render-download">
            {t('render.download')}
          </a>
        )}
        <button type="button" className={state.kind === 'completed' ? 'btn' : 'btn btn-primary'} disabled={busy || disabled} onClick={onStart}>
          {state.kind === 'completed' ? t('render.again') : state.kind === 'failed' ? t('render.retry') : t('render.start')}
        </button>
      </div>
    </section>
  );
}
