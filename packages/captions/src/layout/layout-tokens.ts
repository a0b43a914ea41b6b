import { MAX_CAPTION_SECONDS, type CaptionWord } from '@ecg/contracts';
import { joinTexts } from '../text-align.js';
import { textWidth, type WidthScheme } from './text-width.js';

/**
 * What the layout engine places: one visible word, with the words that show
 * nothing (whitespace-only tokens Whisper sometimes emits) riding along with
 * it so that every word still lands in exactly one caption, in order. Times
 * are whole milliseconds, made monotonic (a word never starts before the one
 * before it, never ends before it starts) so that overlapping or zero-length
 * Whisper words cannot produce overlapping captions; the words themselves
 * keep their own times untouched.
 */
export interface LayoutToken {
  /** The caption words this token carries, untouched, in order. */
  words: CaptionWord[];
  /** The visible text, trimmed. */
  text: string;
  /** Whether a space separates it from the token before it on the same line. */
  spaceBefore: boolean;
  start: number;
  end: number;
  /** Width of `text` in the profile's units. */
  width: number;
}

const MAX_MS = MAX_CAPTION_SECONDS * 1000;

/** Seconds to whole milliseconds, with anything not a sane time (NaN, negative, huge) replaced by `fallback`. */
export function toMs(seconds: number, fallback: number): number {
  if (!Number.isFinite(seconds) || seconds < 0) return fallback;
  return Math.min(MAX_MS, Math.round(seconds * 1000));
}

/** A word for the tokens: its time span (seconds) and whether whitespace came before it. */
export interface TokenSource {
  word: CaptionWord;
  /** Seconds; defaults to the word's own. */
  start?: number;
  end?: number;
  /** Defaults to: the word's text starts with whitespace. */
  spaceBefore?: boolean;
}

/**
 * Tokens of a word stream. A space between two characters of scripts written
 * without spaces (kana, Han) is dropped, as joinTexts drops it when captions
 * are merged; elsewhere a space shows where the words had one.
 */
export function layoutTokens(sources: readonly TokenSource[], scheme: WidthScheme): LayoutToken[] {
  const tokens: LayoutToken[] = [];
  let pending: CaptionWord[] = [];
  let pendingSpace = false;
  let lastStart = 0;
  for (const s of sources) {
    const w = s.word;
    const text = w.word.trim();
    const space = s.spaceBefore ?? /^\s/.test(w.word);
    if (text === '') {
      pending.push(w);
      // A whitespace-only word between two words is a space between them.
      pendingSpace = pendingSpace || w.word.length > 0;
      continue;
    }
    const start = Math.max(lastStart, toMs(s.start ?? w.start, lastStart));
    const end = Math.max(start, toMs(s.end ?? w.end, start));
    lastStart = start;
    const prev = tokens[tokens.length - 1];
    let spaceBefore = space || pendingSpace;
    if (spaceBefore && prev) {
      const last = Array.from(prev.text).pop() ?? '';
      const first = Array.from(text)[0] ?? '';
      if (joinTexts(last, first) === last + first) spaceBefore = false;
    }
    tokens.push({ words: [...pending, w], text, spaceBefore, start, end, width: textWidth(text, scheme) });
    pending = [];
    pendingSpace = false;
  }
  // Blank words after the last visible one ride with it.
  const last = tokens[tokens.length - 1];
  if (last && pending.length > 0) last.words.push(...pending);
  return tokens;
}
