import type { Caption, CaptionWord } from '@ecg/contracts';

/*
 * The two rules every caption edit follows for speakers (issue 10): a word
 * without its own speaker is spoken by its caption's, and a caption is
 * opened by the speaker of its first word. Kept apart from speakers.ts so
 * split, merge and edit can use them without importing the speaker edits.
 */

/** Who speaks a word: its own speaker, else the caption's. */
export function wordSpeaker(caption: Pick<Caption, 'speaker'>, word: CaptionWord): string | undefined {
  return word.speaker ?? caption.speaker;
}

/** `caption` opened by `speaker`; without the key when there is none (a saved caption never holds `speaker: undefined`). */
export function withCaptionSpeaker(caption: Caption, speaker: string | undefined): Caption {
  const { speaker: _old, ...rest } = caption;
  return speaker === undefined ? rest : { ...rest, speaker };
}

/** `caption` opened by its first word's speaker, or `fallback` (its own, by default) when that word has none. */
export function openedByFirstWord(caption: Caption, fallback: string | undefined = caption.speaker): Caption {
  const first = caption.words[0];
  return withCaptionSpeaker(caption, first?.speaker ?? fallback);
}
