import { useId } from 'react';
import type { CaptionSpeaker } from '@ecg/contracts';
import { useI18n } from '../i18n/i18n.js';
import { useMenuButton } from '../hooks/useMenuButton.js';
import { SpeakerDot } from './SpeakerDot.js';

interface Props {
  /** The speaker to merge away. */
  speaker: CaptionSpeaker;
  /** The document's speakers, for the targets and their colours. */
  speakers: readonly CaptionSpeaker[];
  onMerge: (into: string) => void;
}

/**
 * "Merge into…" on a row of the speakers panel: a menu button (the same
 * keyboard as the caption chips' menu) listing every other speaker. A menu
 * rather than a <select>: Chromium on Windows and Linux fires a closed
 * select's change on each arrow key, and a merge must not happen while
 * someone is only moving through the choices (WCAG 2.1 3.2.2, On Input).
 */
export function MergeMenu({ speaker, speakers, onMerge }: Props) {
  const { t } = useI18n();
  const menuId = useId();
  const { open, setOpen, root, button, close, onButtonKey, onMenuKey } = useMenuButton();
  const targets = speakers.filter((s) => s.id !== speaker.id);
  if (targets.length === 0) return null;

  return (
    <div className="speaker-pick speaker-merge" ref={root}>
      <button
        ref={button}
        type="button"
        className="btn btn-small btn-ghost speaker-merge-button"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? menuId : undefined}
        aria-label={t('speakers.mergeLabel', { name: speaker.name })}
        onClick={() => setOpen((o) => !o)}
        onKeyDown={onButtonKey}
      >
        {t('speakers.merge')}
      </button>
      {open && (
        <div id={menuId} className="speaker-menu" role="menu" aria-label={t('speakers.mergeMenu', { name: speaker.name })} onKeyDown={onMenuKey}>
          {targets.map((s) => (
            <button
              key={s.id}
              type="button"
              role="menuitem"
              tabIndex={-1}
              className="speaker-menu-item"
              aria-label={t('speakers.mergeInto', { from: speaker.name, into: s.name })}
              onClick={() => {
                // No refocus: this row goes away with the merge; the panel moves focus to the target's row.
                close(false);
                onMerge(s.id);
              }}
            >
              <SpeakerDot speakers={speakers} id={s.id} />
              {s.name}
            </button>
          ))}
        </div>
      )}
    </div>
  );
}
