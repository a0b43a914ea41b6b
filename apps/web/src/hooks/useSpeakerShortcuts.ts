import { useEffect } from 'react';
import type { CaptionSpeaker } from '@ecg/contracts';
import { isMacPlatform, speakerKey, speakerKeyTarget } from '../lib/speaker-keys.js';

/** The browser's platform name; userAgentData where there is one (navigator.platform is deprecated there). */
export function browserIsMac(): boolean {
  const nav = navigator as Navigator & { userAgentData?: { platform?: string } };
  return isMacPlatform(nav.userAgentData?.platform || nav.platform || '');
}

interface Options {
  /** The open caption (the one the row's form edits, that "Play from here" and split act on); null: none. */
  selected: string | null;
  speakers: readonly CaptionSpeaker[];
  mac: boolean;
  /** Gives the caption to a speaker id or NEW_SPEAKER (one undo step, announced by the caller). */
  give: (captionId: string, target: string) => void;
  /** Said when the digit names no speaker in the list. */
  noSpeaker: (n: number) => void;
}

/**
 * Alt+1…9 (Ctrl+Option on macOS) give the open caption to speaker 1…9,
 * Alt+0 to a new speaker; see lib/speaker-keys.ts for the chord. They work in
 * the caption's text field too: the chord types nothing there. With no
 * caption open the keys are left to the browser.
 */
export function useSpeakerShortcuts({ selected, speakers, mac, give, noSpeaker }: Options): void {
  useEffect(() => {
    if (selected === null || speakers.length === 0) return;
    const onKey = (e: KeyboardEvent): void => {
      const key = speakerKey(e, mac);
      if (!key) return;
      // Ours even when there is no such speaker: Linux browsers would otherwise switch tabs on Alt+digit.
      e.preventDefault();
      const target = speakerKeyTarget(key, speakers);
      if (target === null) noSpeaker(key.kind === 'speaker' ? key.index + 1 : 0);
      else give(selected, target);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [selected, speakers, mac, give, noSpeaker]);
}
