import type { CaptionSpeaker } from '@ecg/contracts';
import { NEW_SPEAKER } from './speaker-edits.js';

/*
 * The keys that give the open caption to a speaker, as Subtitle Edit and
 * other subtitle tools have them: modifier + 1…9 for the speakers in list
 * order, modifier + 0 for a new one.
 *
 * The modifier is Alt, except on macOS, where Option+digit types characters
 * (¡ ™ £ … on the US layout) in the caption's text field: there it is
 * Ctrl+Option, which types nothing. Not Ctrl+Alt elsewhere: on Windows that
 * is AltGr, which types characters on many layouts (German AltGr+2 is ²,
 * Polish AltGr+… ). Because the chord types nothing, it works while the
 * caption's text is being edited too. Keys are matched by `code` (the
 * physical key), not `key`: Option changes `key` on macOS, and on AZERTY the
 * digits need Shift, so `key` would be "&" for the 1 key.
 */

/** The parts of a keydown the mapping reads (a KeyboardEvent has them all). */
export interface SpeakerKeyPress {
  code: string;
  altKey: boolean;
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey: boolean;
  /** An IME composition (Korean) owns the keys while it lasts. */
  isComposing?: boolean;
}

/** What a key press asks for: the speaker at `index` in the list (0-based), a new speaker, or nothing of ours. */
export type SpeakerKey = { kind: 'speaker'; index: number } | { kind: 'new' } | null;

/** Whether the browser runs on macOS (or iOS with a keyboard), from navigator.platform or userAgentData.platform. */
export function isMacPlatform(platform: string): boolean {
  return /mac|iphone|ipad|ipod/i.test(platform);
}

/** The digit of a digit key, top row or keypad; null for any other key. */
function digitOf(code: string): number | null {
  const m = /^(?:Digit|Numpad)([0-9])$/.exec(code);
  return m ? Number(m[1]) : null;
}

/** Reads a key press as a speaker shortcut (see the comment above for the chord per platform). */
export function speakerKey(e: SpeakerKeyPress, mac: boolean): SpeakerKey {
  if (e.isComposing || e.metaKey || e.shiftKey || !e.altKey) return null;
  if (e.ctrlKey !== mac) return null;
  const digit = digitOf(e.code);
  if (digit === null) return null;
  return digit === 0 ? { kind: 'new' } : { kind: 'speaker', index: digit - 1 };
}

/**
 * The target a shortcut gives the caption to: a speaker's id, NEW_SPEAKER,
 * or null when the list has no speaker at that place (Alt+5 with three).
 */
export function speakerKeyTarget(key: Exclude<SpeakerKey, null>, speakers: readonly CaptionSpeaker[]): string | null {
  if (key.kind === 'new') return NEW_SPEAKER;
  return speakers[key.index]?.id ?? null;
}

/** The modifier as the shortcuts line names it: "Alt", or "Ctrl+Option" on macOS. */
export function speakerKeyModifier(mac: boolean): string {
  return mac ? 'Ctrl+Option' : 'Alt';
}

/** The chord for aria-keyshortcuts (ARIA names Option "Alt"). */
export function speakerKeyAria(mac: boolean, digit: number): string {
  return mac ? `Control+Alt+${digit}` : `Alt+${digit}`;
}
