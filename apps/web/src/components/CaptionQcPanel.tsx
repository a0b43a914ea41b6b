import { useEffect, useId, useState } from 'react';
import { captionProfile } from '@ecg/captions';
import type { CaptionProfileName } from '@ecg/contracts';
import type { EditorLayout, ReflowOutcome } from '../hooks/useCaptionEditor.js';
import { useI18n } from '../i18n/i18n.js';
import { profileFigures, profileLabel, PROFILE_NAMES, readProfileName, reflowRequest } from '../lib/caption-profiles.js';
import type { QcEntry } from '../lib/caption-qc.js';
import { formatClock } from '../lib/format.js';
import { useAnnounce } from './Announcer.js';
import { useIssueText, WarningIcon } from './CaptionChecks.js';

interface Props {
  entries: readonly QcEntry[];
  layout: EditorLayout;
  /** Plays the caption and opens it for editing, focused. */
  onJump: (entry: QcEntry) => void;
  onReflow: (request: EditorLayout['request']) => Promise<ReflowOutcome>;
  disabled: boolean;
}

/**
 * The captions' quality check: the profile they are measured against, every
 * rule broken as a list of buttons that jump to the caption, and "Re-flow
 * captions" under a chosen profile, which is one undoable step.
 */
export function CaptionQcPanel({ entries, layout, onJump, onReflow, disabled }: Props) {
  const { t } = useI18n();
  const titleId = useId();
  const text = useIssueText();
  const { profile } = layout;
  const label = profileLabel(profile.name);
  const name = t(label.key, label.vars);
  const figures = profileFigures(profile);
  return (
    <section className="qc-panel" aria-labelledby={titleId} data-testid="qc-panel">
      <div className="qc-head">
        <h2 id={titleId} className="qc-title">
          {t('qc.title')}
        </h2>
        <span className={`qc-count${entries.length > 0 ? ' has-issues' : ''}`} role="status">
          {entries.length > 0 && <WarningIcon />}
          {entries.length === 0 ? t('qc.none') : entries.length === 1 ? t('qc.countOne') : t('qc.count', { count: entries.length })}
        </span>
      </div>
      <p className="hint">
        {t('qc.against', { profile: profile.vertical ? t('profile.verticalName', { profile: name }) : name })} {t(figures.key, figures.vars)}
      </p>
      {entries.length > 0 && (
        <>
          <p className="hint qc-jump-hint">{t('qc.jumpHint')}</p>
          <ol className="qc-list" aria-label={t('qc.listLabel')}>
            {entries.map((entry, i) => (
              <li key={`${entry.captionId}:${entry.issue.rule}:${i}`}>
                <button type="button" className="qc-entry" onClick={() => onJump(entry)}>
                  <WarningIcon />
                  <span className="qc-entry-caption">{t('qc.entry', { n: entry.number })}</span>
                  <span className="qc-entry-time">{formatClock(entry.start)}</span>
                  <span className="qc-entry-rule">{text(entry.issue)}</span>
                </button>
              </li>
            ))}
          </ol>
        </>
      )}
      <ReflowForm layout={layout} onReflow={onReflow} disabled={disabled} />
    </section>
  );
}

function ReflowForm({ layout, onReflow, disabled }: Pick<Props, 'layout' | 'onReflow' | 'disabled'>) {
  const { t, messages } = useI18n();
  const announce = useAnnounce();
  const ids = { profile: useId(), vertical: useId(), hint: useId() };
  const [name, setName] = useState<CaptionProfileName>(layout.profile.name);
  const [vertical, setVertical] = useState(layout.profile.vertical);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);

  // After a re-flow or a reload the picker shows the rules the captions now follow.
  useEffect(() => {
    setName(layout.profile.name);
    setVertical(layout.profile.vertical);
  }, [layout.profile.name, layout.profile.vertical]);

  const picked = captionProfile(name, vertical);
  const figures = profileFigures(picked);

  const start = async (): Promise<void> => {
    setBusy(true);
    setProblem(null);
    try {
      const outcome = await onReflow(reflowRequest(layout.request, layout.profile, { name, vertical }));
      if (outcome.ok) {
        announce(t('reflow.done', { count: outcome.count }));
      } else if (outcome.reason === 'unsaved') {
        setProblem(t('reflow.unsaved'));
      } else if (outcome.reason !== 'VERSION_CONFLICT') {
        // A conflict is shown by the save status, with its way out.
        setProblem(`${t('reflow.failed')} ${messages.errors[outcome.reason].what}`);
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="reflow" role="group" aria-label={t('reflow.title')}>
      <div className="reflow-fields">
        <div className="field reflow-profile">
          <label htmlFor={ids.profile}>{t('reflow.profile')}</label>
          <select id={ids.profile} value={name} onChange={(e) => {
              const next = readProfileName(e.target.value);
              if (next !== 'auto') setName(next);
            }} aria-describedby={ids.hint} disabled={busy}>
            {PROFILE_NAMES.map((n) => {
              const l = profileLabel(n);
              return (
                <option key={n} value={n}>
                  {t(l.key, l.vars)}
                </option>
              );
            })}
          </select>
        </div>
        <label className="switch reflow-vertical" htmlFor={ids.vertical}>
          <input id={ids.vertical} type="checkbox" checked={vertical} onChange={(e) => setVertical(e.target.checked)} disabled={busy} />
          {t('profile.vertical')}
        </label>
        <button type="button" className="btn btn-small btn-secondary" onClick={() => void start()} disabled={disabled || busy} aria-busy={busy}>
          {busy ? t('reflow.busy') : t('reflow.start')}
        </button>
      </div>
      <p id={ids.hint} className="hint">
        {t(figures.key, figures.vars)} {t('reflow.hint')}
      </p>
      {problem && (
        <p className="notice notice-error" role="alert">
          {problem}
        </p>
      )}
    </div>
  );
}
