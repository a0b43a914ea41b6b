import { useId } from 'react';
import { speakerName } from '@ecg/captions';
import type { Caption, CaptionSpeaker } from '@ecg/contracts';
import { useI18n } from '../i18n/i18n.js';
import { useMenuButton } from '../hooks/useMenuButton.js';
import { captionSpeakerIds, NEW_SPEAKER } from '../lib/speaker-edits.js';
import { SpeakerDot } from './SpeakerDot.js';

interface Props {
  caption: Caption;
  /** The caption's number in the list, for labels. */
  number: number;
  speakers: readonly CaptionSpeaker[];
  /** The name a new speaker would get; null when no more can be made. */
  newName: string | null;
  /** Offered only while the caption's text field is open: it has the cursor. */
  fromCursor: boolean;
  onGive: (target: string, fromCursor: boolean) => void;
}

interface Item {
  key: string;
  label: string;
  text: string;
  speaker: string | null;
  run: () => void;
}

/**
 * A caption's speaker chip (colour and name of each speaker it holds) and
 * the menu it opens: give the caption, or the words from the cursor on, to
 * another speaker or a new one. A menu button as the WAI-ARIA Authoring
 * Practices describe it: Enter, Space or ArrowDown opens it on the first
 * item, arrows and Home/End move, Escape closes it back onto the chip.
 */
export function SpeakerMenu({ caption, number, speakers, newName, fromCursor, onGive }: Props) {
  const { t } = useI18n();
  const ids = { menu: useId() };
  const { open, setOpen, root, button: chip, close, onButtonKey, onMenuKey } = useMenuButton();
  const own = captionSpeakerIds(caption);
  const names = own.length > 0 ? own.map((id) => speakerName(speakers, id)).join(', ') : t('speakers.none');

  const items = (fromCursorOn: boolean): Item[] => {
    // Giving a one-speaker caption to its own speaker would change nothing.
    const targets = fromCursorOn ? speakers : speakers.filter((s) => !(own.length === 1 && own[0] === s.id));
    const label = fromCursorOn ? 'speakers.fromCursorTo' : 'speakers.captionTo';
    const give = (target: string) => () => {
      close(true);
      onGive(target, fromCursorOn);
    };
    const list: Item[] = targets.map((s) => ({ key: s.id, label: t(label, { name: s.name }), text: s.name, speaker: s.id, run: give(s.id) }));
    if (newName !== null) {
      const text = t('speakers.newSpeaker', { name: newName });
      list.push({ key: NEW_SPEAKER, label: t(label, { name: text }), text, speaker: null, run: give(NEW_SPEAKER) });
    }
    return list;
  };
  const groups = [{ key: 'caption', title: t('speakers.captionGroup'), items: items(false) }];
  if (fromCursor) groups.push({ key: 'from', title: t('speakers.fromCursorGroup'), items: items(true) });

  return (
    <div className="speaker-pick" ref={root}>
      <button
        ref={chip}
        type="button"
        className="speaker-chip"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? ids.menu : undefined}
        aria-label={t('speakers.chipLabel', { n: number, names })}
        onClick={() => setOpen((o) => !o)}
        onKeyDown={onButtonKey}
        // Keeps the caption's text field focused (and its cursor) until the menu takes focus.
        onMouseDown={(e) => e.preventDefault()}
        data-testid="speaker-chip"
      >
        {own.length > 0 ? (
          own.map((id) => (
            <span key={id} className="speaker-tag">
              <SpeakerDot speakers={speakers} id={id} />
              {speakerName(speakers, id)}
            </span>
          ))
        ) : (
          <span className="speaker-tag is-none">{t('speakers.none')}</span>
        )}
        <svg className="speaker-caret" viewBox="0 0 24 24" aria-hidden="true">
          <path d="m6 9 6 6 6-6" />
        </svg>
      </button>
      {open && (
        <div id={ids.menu} className="speaker-menu" role="menu" aria-label={t('speakers.menuLabel', { n: number })} onKeyDown={onMenuKey}>
          {groups.map((g) => (
            <div key={g.key} role="group" aria-label={g.title} className="speaker-menu-group">
              <span className="speaker-menu-head" aria-hidden="true">
                {g.title}
              </span>
              {g.items.map((item) => (
                <button key={item.key} type="button" role="menuitem" tabIndex={-1} className="speaker-menu-item" aria-label={item.label} onClick={item.run}>
                  {item.speaker !== null ? <SpeakerDot speakers={speakers} id={item.speaker} /> : <span className="speaker-dot is-new" aria-hidden="true" />}
                  {item.text}
                </button>
              ))}
            </div>
          ))}
        </div>
      )}
    </div>
  );
}
