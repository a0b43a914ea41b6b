import type { CaptionWord } from '@ecg/contracts';

/** Collapses whitespace runs (Whisper's segments start with a space and may hold doubles). */
export function normaliseText(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * Tidies a caption's text as a person typed it: each line like normaliseText,
 * blank lines dropped, but the line breaks themselves kept (Shift+Enter in
 * the editor, the layout engine's two-line captions): they are part of the
 * caption and every export writes them.
 */
export function normaliseCaptionText(text: string): string {
  return text
    .split(/\r\n?|\n/)
    .map(normaliseText)
    .filter((line) => line !== '')
    .join('\n');
}

// Scripts written without spaces between words: joining two captions in them
// must not insert one. Hangul is spaced, so it is not listed.
// Script_Extensions, not Script: the prolonged sound mark ー and the iteration mark 々 are
// "Common" by Script but belong to kana and kanji text ("東京タワーに" has no space).
const UNSPACED = /[\p{scx=Han}\p{scx=Hiragana}\p{scx=Katakana}\p{scx=Thai}\p{scx=Lao}\p{scx=Khmer}\p{scx=Myanmar}\u3000-\u303f\uff00-\uffef]/u;

/** True for a character of a script written without spaces between words (CJK, Thai, …; Hangul is spaced). */
export function isUnspacedChar(ch: string): boolean {
  return UNSPACED.test(ch);
}

/** Joins two caption texts with a space, or without one between two characters of unspaced scripts. */
export function joinTexts(a: string, b: string): string {
  if (a === '') return b;
  if (b === '') return a;
  const last = Array.from(a).pop() ?? '';
  const first = Array.from(b)[0] ?? '';
  return isUnspacedChar(last) && isUnspacedChar(first) ? a + b : `${a} ${b}`;
}

/**
 * Where each word sits in the caption text, as [from, to) character offsets,
 * found by reading the words in order. Null when the words no longer spell the
 * text (after an edit that did not go through editText), so callers fall back
 * to proportional timing instead of trusting stale offsets.
 */
export function alignWords(text: string, words: readonly CaptionWord[]): Array<[number, number]> | null {
  const ranges: Array<[number, number]> = [];
  let cursor = 0;
  for (const w of words) {
    const token = w.word.trim();
    if (token === '') {
      ranges.push([cursor, cursor]);
      continue;
    }
    const at = text.indexOf(token, cursor);
    // A word found far ahead means an earlier word vanished from the text: the
    // alignment would be a guess, so report it as lost.
    if (at < 0 || text.slice(cursor, at).trim().length > 0) return null;
    ranges.push([at, at + token.length]);
    cursor = at + token.length;
  }
  return ranges;
}

/** Tokens of a text as editText times them: whitespace-separated runs. */
export function tokenize(text: string): string[] {
  return text.split(/\s+/).filter((t) => t !== '');
}
