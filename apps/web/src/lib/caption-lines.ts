import type { CaptionWord } from '@ecg/contracts';

/**
 * Which line of the caption text each word is on: word indexes per line, in
 * order, or null when the words no longer spell the text (then the text is
 * shown as it is, without per-word highlighting). Line breaks live only in
 * `text` ("\n", Shift+Enter or the layout engine); words carry timing, so
 * the karaoke views need this map to draw a two-line caption as two lines.
 * Reads the words in order like alignWords in @ecg/captions; whitespace-only
 * words ride on the line the reading has reached.
 */
export function wordLines(text: string, words: readonly Pick<CaptionWord, 'word'>[]): number[][] | null {
  const lines: number[][] = [[]];
  let cursor = 0;
  for (let i = 0; i < words.length; i++) {
    const token = words[i]!.word.trim();
    if (token !== '') {
      const at = text.indexOf(token, cursor);
      const skipped = at < 0 ? '' : text.slice(cursor, at);
      // A word found further on than whitespace means an earlier word is missing from the text.
      if (at < 0 || skipped.trim() !== '') return null;
      for (const ch of skipped) if (ch === '\n') lines.push([]);
      cursor = at + token.length;
    }
    lines.at(-1)!.push(i);
  }
  if (text.slice(cursor).trim() !== '') return null;
  // Blank lines are not shown (every writer drops them), so no empty line is drawn either.
  const shown = lines.filter((line) => line.length > 0);
  return shown.length > 0 ? shown : [[]];
}
