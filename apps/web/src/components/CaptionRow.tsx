import { memo, useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import {
  deleteCaption,
  editText,
  mergeWithNext,
  setTiming,
  splitCaption,
  type EditRefusal,
  type EditResult,
} from '@ecg/captions';
import type { Caption } from '@ecg/contracts';
import { useI18n } from '../i18n/i18n.js';
import { formatClock, parseClock } from '../lib/format.js';

export interface RowActions {
  select: (id: string | null) => void;
  seek: (time: number) => void;
  /** Applies an edit to the current list; answers the refusal reason or null. */
  apply: (edit: (captions: Caption[]) => EditResult) => EditRefusal | null;
  playhead: () => number | null;
}

interface Props {
  caption: Caption;
  index: number;
  isLast: boolean;
  selected: boolean;
  current: boolean;
  wordIndex: number;
  actions: RowActions;
}

/** The cursor in the cleaned text that corresponds to a cursor in the draft (spaces collapsed, start trimmed). */
function cleanedOffset(draft: string, cursor: number): number {
  return draft.slice(0, cursor).replace(/\s+/g, ' ').replace(/^\s+/, '').length;
}

export const CaptionRow = memo(function CaptionRow({ caption, index, isLast, selected, current, wordIndex, actions }: Props) {
  const { t } = useI18n();
  const label = t('editor.captionLabel', { n: index + 1, start: formatClock(caption.start), end: formatClock(caption.end) });
  const cls = ['cap', selected ? 'is-selected' : '', current ? 'is-current' : ''].filter(Boolean).join(' ');
  return (
    <li className={cls} aria-current={current ? 'time' : undefined} data-caption-id={caption.id}>
      <button
        type="button"
        className="cap-time"
        aria-label={label}
        aria-expanded={selected}
        onClick={() => {
          actions.seek(caption.start);
          actions.select(selected ? null : caption.id);
        }}
      >
        <span>{formatClock(caption.start)}</span>
        <span className="cap-time-end">{formatClock(caption.end)}</span>
      </button>
      {selected ? (
        <CaptionForm caption={caption} isLast={isLast} actions={actions} />
      ) : (
        <p
          className="cap-text"
          onClick={() => actions.select(caption.id)}
        >
          {caption.words.length > 0
            ? caption.words.map((w, i) => (
                <span
                  key={i}
                  className={current && i === wordIndex ? 'word is-current' : 'word'}
                  onClick={(e) => {
                    e.stopPropagation();
                    actions.seek(w.start);
                  }}
                >
                  {w.word}
                </span>
              ))
            : caption.text}
        </p>
      )}
    </li>
  );
});

function CaptionForm({ caption, isLast, actions }: { caption: Caption; isLast: boolean; actions: RowActions }) {
  const { t } = useI18n();
  const ids = { text: useId(), hint: useId(), start: useId(), end: useId() };
  const [draft, setDraft] = useState(caption.text);
  const [refusal, setRefusal] = useState<EditRefusal | null>(null);
  const cursor = useRef(0);
  const textRef = useRef<HTMLTextAreaElement>(null);

  useEffect(() => setDraft(caption.text), [caption.text]);
  useEffect(() => {
    textRef.current?.focus();
  }, []);

  const run = (edit: (captions: Caption[]) => EditResult): boolean => {
    const reason = actions.apply(edit);
    setRefusal(reason);
    return reason === null;
  };

  const commitText = (): boolean => {
    if (draft.trim() === caption.text) return true;
    return run((cs) => editText(cs, caption.id, draft));
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>): void => {
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      // isComposing: Enter also confirms a Korean/Japanese IME syllable; that Enter is not ours.
      e.preventDefault();
      commitText();
    } else if (e.key === 'Escape') {
      e.preventDefault();
      setDraft(caption.text);
      setRefusal(null);
    }
  };

  const split = (): void => {
    const at = cleanedOffset(draft, cursor.current);
    const text = draft;
    run((cs) => {
      const edited = text.trim() === caption.text ? { ok: true as const, captions: cs } : editText(cs, caption.id, text);
      return edited.ok ? splitCaption(edited.captions, caption.id, at) : edited;
    });
  };

  const setTime = (which: 'start' | 'end', value: number | null, clamp = false): void => {
    if (value === null) {
      setRefusal('INVALID_TIME');
      return;
    }
    const start = which === 'start' ? value : caption.start;
    const end = which === 'end' ? value : caption.end;
    run((cs) => setTiming(cs, caption.id, Math.round(start * 1000) / 1000, Math.round(end * 1000) / 1000, { clamp }));
  };

  return (
    <div className="cap-form">
      <label htmlFor={ids.text} className="sr-only">
        {t('editor.text')}
      </label>
      <textarea
        id={ids.text}
        ref={textRef}
        className="cap-textarea"
        value={draft}
        rows={Math.min(6, Math.max(2, Math.ceil(draft.length / 48)))}
        aria-describedby={ids.hint}
        onChange={(e) => setDraft(e.target.value)}
        onSelect={(e) => {
          cursor.current = e.currentTarget.selectionStart;
        }}
        onBlur={commitText}
        onKeyDown={onKeyDown}
      />
      <p id={ids.hint} className="hint">
        {t('editor.textHint')}
      </p>
      <div className="cap-times">
        <TimeField
          id={ids.start}
          label={t('editor.start')}
          value={caption.start}
          onSet={(v) => setTime('start', v)}
          onNudge={(d) => setTime('start', Math.max(0, caption.start + d), true)}
          onPlayhead={() => setTime('start', actions.playhead())}
        />
        <TimeField
          id={ids.end}
          label={t('editor.end')}
          value={caption.end}
          onSet={(v) => setTime('end', v)}
          onNudge={(d) => setTime('end', caption.end + d, true)}
          onPlayhead={() => setTime('end', actions.playhead())}
        />
      </div>
      <div className="cap-actions">
        <button type="button" className="btn btn-small" onMouseDown={(e) => e.preventDefault()} onClick={split}>
          {t('editor.split')}
        </button>
        <button
          type="button"
          className="btn btn-small"
          disabled={isLast}
          onClick={() => commitText() && run((cs) => mergeWithNext(cs, caption.id))}
        >
          {t('editor.merge')}
        </button>
        <button type="button" className="btn btn-small" onClick={() => actions.seek(caption.start)}>
          {t('editor.play')}
        </button>
        <button
          type="button"
          className="btn btn-small btn-danger"
          onClick={() => {
            if (run((cs) => deleteCaption(cs, caption.id))) actions.select(null);
          }}
        >
          {t('editor.delete')}
        </button>
      </div>
      {refusal && (
        <p className="notice notice-error" role="alert">
          {t(`refusal.${refusal}`)}
        </p>
      )}
    </div>
  );
}

interface TimeFieldProps {
  id: string;
  label: string;
  value: number;
  onSet: (value: number | null) => void;
  onNudge: (delta: number) => void;
  onPlayhead: () => void;
}

function TimeField({ id, label, value, onSet, onNudge, onPlayhead }: TimeFieldProps) {
  const { t } = useI18n();
  const [text, setText] = useState(formatClock(value));
  useEffect(() => setText(formatClock(value)), [value]);
  const commit = (): void => {
    if (text === formatClock(value)) return;
    onSet(parseClock(text));
  };
  return (
    <div className="time-field">
      <label htmlFor={id}>{label}</label>
      <div className="time-controls">
        <button type="button" className="btn btn-icon" aria-label={t('editor.nudgeEarlier', { what: label })} onClick={() => onNudge(-0.1)}>
          −
        </button>
        <input
          id={id}
          className="time-input"
          inputMode="decimal"
          value={text}
          title={t('editor.timeHint')}
          onChange={(e) => setText(e.target.value)}
          onBlur={commit}
          onKeyDown={(e) => {
            if (e.key === 'Enter') commit();
            if (e.key === 'Escape') setText(formatClock(value));
          }}
        />
        <button type="button" className="btn btn-icon" aria-label={t('editor.nudgeLater', { what: label })} onClick={() => onNudge(0.1)}>
          +
        </button>
        <button type="button" className="btn btn-icon" aria-label={t('editor.setToPlayhead', { what: label })} title={t('editor.setToPlayhead', { what: label })} onClick={onPlayhead}>
          <svg viewBox="0 0 24 24" aria-hidden="true">
            <circle cx="12" cy="12" r="7" />
            <path d="M12 2v4M12 18v4M2 12h4M18 12h4" />
          </svg>
        </button>
      </div>
    </div>
  );
}
