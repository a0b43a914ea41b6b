import { useEffect, useId, useRef, useState } from 'react';
import type { CaptionSpeaker } from '@ecg/contracts';
import { useI18n } from '../i18n/i18n.js';
import { formatDuration } from '../lib/format.js';
import { useAnnounce } from './Announcer.js';
import { MergeMenu } from './MergeMenu.js';
import { SpeakerDot } from './SpeakerDot.js';

interface Props {
  speakers: readonly CaptionSpeaker[];
  /** Captions mentioning each speaker. */
  counts: ReadonlyMap<string, number>;
  /** Seconds each speaker speaks (speakerTalkTime). */
  talkTimes: ReadonlyMap<string, number>;
  /** Renames everywhere at once, one undo step; false when the name is refused. */
  onRename: (id: string, name: string) => boolean;
  /** Merges `from` into `into` everywhere at once, one undo step; false when there was nothing to merge. */
  onMerge: (from: string, into: string) => boolean;
  /** The speaker whose captions alone are shown; null: all. */
  filter: string | null;
  onFilter: (id: string | null) => void;
  shown: number;
  total: number;
}

/**
 * The job's speakers: each one's colour, name (edited in place: the new name
 * shows on every caption at once), number of captions and speaking time; and the filter
 * that shows only one speaker's captions; and merging one speaker into
 * another (the diarizer found one person as two).
 */
export function SpeakersPanel({ speakers, counts, talkTimes, onRename, onMerge, filter, onFilter, shown, total }: Props) {
  const { t, lang } = useI18n();
  const announce = useAnnounce();
  const ids = { title: useId(), filter: useId(), hint: useId() };
  const section = useRef<HTMLElement>(null);
  // The merged speaker's row, which held focus, is gone: focus goes to the row of the one it joined.
  const [focusRow, setFocusRow] = useState<string | null>(null);
  useEffect(() => {
    if (focusRow === null) return;
    const row = section.current?.querySelector(`li[data-speaker-id="${CSS.escape(focusRow)}"]`);
    const target = row?.querySelector<HTMLElement>('.speaker-merge-button') ?? row?.querySelector<HTMLElement>('.speaker-only');
    target?.focus();
    setFocusRow(null);
  }, [focusRow, speakers]);

  const merge = (from: CaptionSpeaker, into: string): void => {
    const target = speakers.find((s) => s.id === into);
    if (!target || !onMerge(from.id, into)) return;
    setFocusRow(into);
    announce(t('speakers.merged', { from: from.name, into: target.name }));
  };

  return (
    <section ref={section} className="speakers-panel" aria-labelledby={ids.title} data-testid="speakers-panel">
      <div className="qc-head">
        <h2 id={ids.title} className="qc-title">
          {t('speakers.title')}
        </h2>
        <div className="speakers-filter">
          <label htmlFor={ids.filter}>{t('speakers.filter')}</label>
          <select id={ids.filter} value={filter ?? ''} onChange={(e) => onFilter(e.target.value === '' ? null : e.target.value)}>
            <option value="">{t('speakers.filterAll')}</option>
            {speakers.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </select>
        </div>
      </div>
      <p id={ids.hint} className="hint">
        {t('speakers.hint')}
      </p>
      <ul className="speaker-list" aria-label={t('speakers.listLabel')}>
        {speakers.map((s, i) => {
          const count = counts.get(s.id) ?? 0;
          return (
            <li key={s.id} className="speaker-row" data-speaker-id={s.id}>
              <SpeakerDot speakers={speakers} id={s.id} />
              <NameField speaker={s} n={i + 1} hintId={ids.hint} onRename={onRename} />
              <span className="speaker-count" data-testid="speaker-count">
                {t('speakers.countTime', {
                  captions: count === 1 ? t('editor.captionCountOne') : t('editor.captionCount', { count }),
                  time: formatDuration(talkTimes.get(s.id) ?? 0, lang),
                })}
              </span>
              <button
                type="button"
                className="btn btn-small btn-ghost speaker-only"
                aria-pressed={filter === s.id}
                aria-label={t('speakers.only', { name: s.name })}
                onClick={() => onFilter(filter === s.id ? null : s.id)}
              >
                {t('speakers.onlyShort')}
              </button>
              <MergeMenu speaker={s} speakers={speakers} onMerge={(into) => merge(s, into)} />
            </li>
          );
        })}
      </ul>
      {filter !== null && (
        <p className="hint speakers-shown" role="status">
          {t('speakers.shown', { shown, count: total })}
        </p>
      )}
    </section>
  );
}

interface NameProps {
  speaker: CaptionSpeaker;
  n: number;
  hintId: string;
  onRename: (id: string, name: string) => boolean;
}

/**
 * A speaker's name, renamed when the field is left or Enter is pressed (not
 * per keystroke: the rename is one undo step); Escape puts the name back.
 */
function NameField({ speaker, n, hintId, onRename }: NameProps) {
  const { t } = useI18n();
  const announce = useAnnounce();
  const id = useId();
  const errorId = useId();
  const [draft, setDraft] = useState(speaker.name);
  const [refused, setRefused] = useState(false);
  // An undo, a redo or a reload changes the name under the field.
  useEffect(() => setDraft(speaker.name), [speaker.name]);

  const commit = (): void => {
    if (draft === speaker.name) return;
    if (onRename(speaker.id, draft)) {
      setRefused(false);
      announce(t('speakers.renamed', { old: speaker.name, name: draft.trim() }));
    } else {
      setRefused(true);
      setDraft(speaker.name);
      announce(t('speakers.emptyName'));
    }
  };

  return (
    <div className="speaker-name">
      <label htmlFor={id} className="sr-only">
        {t('speakers.nameLabel', { n })}
      </label>
      <input
        id={id}
        className="speaker-input"
        value={draft}
        // CaptionSpeaker's limit (packages/contracts/src/speakers.ts).
        maxLength={100}
        aria-describedby={refused ? `${errorId} ${hintId}` : hintId}
        aria-invalid={refused || undefined}
        onChange={(e) => setDraft(e.target.value)}
        onBlur={commit}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && !e.nativeEvent.isComposing) {
            // isComposing: Enter also confirms a Korean IME syllable; that Enter is not ours.
            e.preventDefault();
            commit();
          } else if (e.key === 'Escape') {
            e.preventDefault();
            setDraft(speaker.name);
            setRefused(false);
          }
        }}
      />
      {refused && (
        <p id={errorId} className="speaker-error" role="alert">
          {t('speakers.emptyName')}
        </p>
      )}
    </div>
  );
}
