import { memo, useEffect, useId, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import {
  deleteCaption,
  editText,
  mergeWithNext,
  normaliseCaptionText,
  setTiming,
  speakerLines,
  speakerName,
  splitCaption,
  type CheckOptions,
  type EditRefusal,
  type EditResult,
} from '@ecg/captions';
import type { Caption, CaptionIssue, CaptionProfile, CaptionSpeaker } from '@ecg/contracts';
import type { SpeakerOutcome } from '../hooks/useCaptionEditor.js';
import { useI18n } from '../i18n/i18n.js';
import { captionLines, draftIssues, measureCaption } from '../lib/caption-qc.js';
import { wordLines } from '../lib/caption-lines.js';
import { formatClock, parseClock } from '../lib/format.js';
import { captionSpeakerIds, speakerRefusalKey } from '../lib/speaker-edits.js';
import { CaptionMeasureLine, CaptionWarnings } from './CaptionChecks.js';
import { SpeakerDot } from './SpeakerDot.js';
import { SpeakerMenu } from './SpeakerMenu.js';

export interface RowActions {
  select: (id: string | null) => void;
  seek: (time: number) => void;
  /** Applies an edit to the current list; answers the refusal reason or null. */
  apply: (edit: (captions: Caption[]) => EditResult) => EditRefusal | null;
  playhead: () => number | null;
  /** Gives caption `captionId` (number `n` in the list), or its words from `fromChar` on, to a speaker or NEW_SPEAKER. */
  give: (captionId: string, n: number, target: string, fromChar?: number) => SpeakerOutcome;
}

/** The speakers every row can name and give captions to: one object for the whole list, so memoised rows keep it. */
export interface RowSpeakers {
  list: readonly CaptionSpeaker[];
  /** What a new speaker would be called; null when no more can be made. */
  newName: string | null;
}

/** What every row is measured against: one object for the whole list, so memoised rows keep it. */
export interface RowChecks {
  profile: CaptionProfile;
  options: CheckOptions;
}

interface Props {
  caption: Caption;
  index: number;
  isLast: boolean;
  selected: boolean;
  current: boolean;
  wordIndex: number;
  actions: RowActions;
  /** The rules this caption breaks (NO_ISSUES when none). */
  issues: readonly CaptionIssue[];
  checks: RowChecks;
  speakers: RowSpeakers;
  /** Filtered out by the speaker filter: kept in the list (its index is its number), not shown. */
  hidden: boolean;
}

/** The cursor in the cleaned text that corresponds to a cursor in the draft (spaces collapsed, start trimmed). */
function cleanedOffset(draft: string, cursor: number): number {
  return draft.slice(0, cursor).replace(/\s+/g, ' ').replace(/^\s+/, '').length;
}

export const CaptionRow = memo(function CaptionRow({ caption, index, isLast, selected, current, wordIndex, actions, issues, checks, speakers, hidden }: Props) {
  const { t } = useI18n();
  const label = t('editor.captionLabel', { n: index + 1, start: formatClock(caption.start), end: formatClock(caption.end) });
  const warned = issues.length > 0;
  const cls = ['cap', selected ? 'is-selected' : '', current ? 'is-current' : '', warned ? 'has-issues' : ''].filter(Boolean).join(' ');
  const measure = useMemo(() => measureCaption(caption, checks.profile), [caption, checks.profile]);
  return (
    <li className={cls} aria-current={current ? 'time' : undefined} data-caption-id={caption.id} hidden={hidden}>
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
        <CaptionForm caption={caption} number={index + 1} isLast={isLast} actions={actions} issues={issues} checks={checks} speakers={speakers} />
      ) : (
        <div className="cap-body">
          {speakers.list.length > 0 && (
            <SpeakerMenu
              caption={caption}
              number={index + 1}
              speakers={speakers.list}
              newName={speakers.newName}
              fromCursor={false}
              onGive={(target) => actions.give(caption.id, index + 1, target)}
            />
          )}
          <p className="cap-text" onClick={() => actions.select(caption.id)}>
            <CaptionText caption={caption} current={current} wordIndex={wordIndex} seek={actions.seek} speakers={speakers.list} />
          </p>
          <CaptionMeasureLine measure={measure} />
          <CaptionWarnings issues={issues} number={index + 1} />
        </div>
      )}
    </li>
  );
});

interface TextProps {
  caption: Caption;
  current: boolean;
  wordIndex: number;
  seek: (time: number) => void;
  speakers: readonly CaptionSpeaker[];
}

/**
 * Who speaks each line, for a caption of two speakers (one line each, the
 * dash convention); null for a caption of one speaker, whose chip says it.
 */
function lineSpeakers(caption: Caption, lineCount: number): Array<string | undefined> | null {
  if (captionSpeakerIds(caption).length < 2) return null;
  const lines = speakerLines(caption);
  return lines.length === lineCount ? lines.map((l) => l.speaker) : null;
}

function LineSpeaker({ speakers, id }: { speakers: readonly CaptionSpeaker[]; id: string | undefined }) {
  const { t } = useI18n();
  if (id === undefined) return null;
  return (
    <>
      <span className="cap-line-speaker">
        <SpeakerDot speakers={speakers} id={id} />
        {t('speakers.lineSpeaker', { name: speakerName(speakers, id) })}
      </span>{' '}
    </>
  );
}

/**
 * The caption's text line by line, as it will be shown on the video: each
 * word clickable (seeks to it) and the spoken one highlighted, where the
 * words still spell the text; the plain lines otherwise. A two-speaker
 * caption names the speaker of each line.
 */
function CaptionText({ caption, current, wordIndex, seek, speakers }: TextProps) {
  const lines = caption.words.length > 0 ? wordLines(caption.text, caption.words) : null;
  if (!lines) {
    const texts = captionLines(caption.text);
    const who = lineSpeakers(caption, texts.length);
    return texts.map((line, n) => (
      <span key={n} className="cap-line">
        {who && <LineSpeaker speakers={speakers} id={who[n]} />}
        {line}
      </span>
    ));
  }
  const who = lineSpeakers(caption, lines.length);
  return lines.map((indexes, n) => (
    <span key={n} className="cap-line">
      {who && <LineSpeaker speakers={speakers} id={who[n]} />}
      {indexes.map((i) => {
        const w = caption.words[i]!;
        return (
          <span
            key={i}
            className={current && i === wordIndex ? 'word is-current' : 'word'}
            onClick={(e) => {
              e.stopPropagation();
              seek(w.start);
            }}
          >
            {w.word}
          </span>
        );
      })}
    </span>
  ));
}

interface FormProps {
  caption: Caption;
  number: number;
  isLast: boolean;
  actions: RowActions;
  issues: readonly CaptionIssue[];
  checks: RowChecks;
  speakers: RowSpeakers;
}

function CaptionForm({ caption, number, isLast, actions, issues, checks, speakers }: FormProps) {
  const { t } = useI18n();
  const ids = { text: useId(), hint: useId(), start: useId(), end: useId() };
  const [draft, setDraft] = useState(caption.text);
  const [refusal, setRefusal] = useState<EditRefusal | null>(null);
  const [speakerProblem, setSpeakerProblem] = useState<string | null>(null);
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

  // Measured as typed, keystroke by keystroke: the figures and warnings say what saving this text would give.
  const measure = useMemo(() => measureCaption({ ...caption, text: draft }, checks.profile), [caption, draft, checks.profile]);
  const live = useMemo(
    () => (draft === caption.text ? issues : draftIssues(caption, draft, checks.profile, checks.options, issues)),
    [caption, draft, issues, checks],
  );

  const commitText = (): boolean => {
    if (normaliseCaptionText(draft) === caption.text) return true;
    return run((cs) => editText(cs, caption.id, draft));
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>): void => {
    // Shift+Enter is left to the textarea: it inserts the line break, which editText keeps.
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
      const edited = normaliseCaptionText(text) === caption.text ? { ok: true as const, captions: cs } : editText(cs, caption.id, text);
      return edited.ok ? splitCaption(edited.captions, caption.id, at) : edited;
    });
  };

  const give = (target: string, fromCursor: boolean): void => {
    // The text was committed when the field lost focus to the menu, so the cursor is in the caption's text.
    const outcome = actions.give(caption.id, number, target, fromCursor ? cleanedOffset(draft, cursor.current) : undefined);
    setRefusal(null);
    setSpeakerProblem(outcome.ok ? null : t(speakerRefusalKey(outcome.reason)));
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
      {speakers.list.length > 0 && (
        <SpeakerMenu caption={caption} number={number} speakers={speakers.list} newName={speakers.newName} fromCursor onGive={give} />
      )}
      <label htmlFor={ids.text} className="sr-only">
        {t('editor.text')}
      </label>
      <textarea
        id={ids.text}
        ref={textRef}
        className="cap-textarea"
        value={draft}
        rows={Math.min(6, Math.max(2, draft.split('\n').length, Math.ceil(draft.length / 48)))}
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
      <CaptionMeasureLine measure={measure} />
      <CaptionWarnings issues={live} number={number} />
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
      {speakerProblem && (
        <p className="notice notice-error" role="alert">
          {speakerProblem}
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
