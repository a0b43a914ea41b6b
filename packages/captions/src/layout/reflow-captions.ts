import type { Caption, CaptionProfile, CaptionWord } from '@ecg/contracts';
import { alignWords, isUnspacedChar, normaliseText } from '../text-align.js';
import { breaksAnywhere } from './break-rules.js';
import { layoutSources, type LayoutOptions } from './layout-captions.js';
import type { TokenSource } from './layout-tokens.js';

const clamp = (v: number, lo: number, hi: number): number => Math.min(Math.max(v, lo), hi);

/** Pieces of edited text to lay out, with whether whitespace came before each. */
function textPieces(text: string, cutUnspaced: boolean): Array<{ piece: string; spaced: boolean }> {
  const pieces: Array<{ piece: string; spaced: boolean }> = [];
  for (const chunk of text.split(/\s+/).filter((c) => c !== '')) {
    if (!cutUnspaced) {
      pieces.push({ piece: chunk, spaced: true });
      continue;
    }
    // Every unspaced character alone; runs of anything else (a Latin word, digits) kept whole.
    let run = '';
    let first = true;
    const flush = (): void => {
      if (run === '') return;
      pieces.push({ piece: run, spaced: first });
      first = false;
      run = '';
    };
    for (const ch of chunk) {
      if (isUnspacedChar(ch)) {
        flush();
        run = ch;
        flush();
      } else run += ch;
    }
    flush();
  }
  return pieces;
}

/**
 * Words of a caption whose words no longer spell its text: its text cut into
 * pieces, each given time in proportion to its length across the caption's
 * span (as editText times new words). Whitespace before a piece becomes the
 * leading space Whisper's words carry.
 */
function wordsFromText(c: Caption, text: string, profile: CaptionProfile): TokenSource[] {
  const pieces = textPieces(text, breaksAnywhere(profile.name));
  const total = pieces.reduce((n, p) => n + Array.from(p.piece).length, 0) || 1;
  const span = Math.max(0, c.end - c.start);
  const sources: TokenSource[] = [];
  let at = c.start;
  pieces.forEach((p, k) => {
    const end = k === pieces.length - 1 ? Math.max(c.start, c.end) : at + (span * Array.from(p.piece).length) / total;
    const word: CaptionWord = { word: p.spaced ? ` ${p.piece}` : p.piece, start: at, end };
    if (c.speaker !== undefined) word.speaker = c.speaker;
    sources.push({ word, spaceBefore: p.spaced });
    at = end;
  });
  return sources;
}

/** What a caption contributes to the reflow: its own words if they still spell its text, or words cut from the text. */
function captionSources(c: Caption, profile: CaptionProfile): TokenSource[] {
  const text = normaliseText(c.text);
  if (text === '') return [];
  const ranges = c.words.length > 0 ? alignWords(text, c.words) : null;
  const last = ranges?.[ranges.length - 1];
  if (!ranges || !last || text.slice(last[1]).trim() !== '') return wordsFromText(c, text, profile);
  const lo = Math.min(c.start, c.end);
  const hi = Math.max(c.start, c.end);
  return c.words.map((word, k) => ({
    // A word without a speaker of its own was its caption's; in a new caption it must say so itself.
    word: word.speaker === undefined && c.speaker !== undefined ? { ...word, speaker: c.speaker } : word,
    // Word times are read inside the caption's span, as editing keeps them.
    start: clamp(word.start, lo, hi),
    end: clamp(word.end, lo, hi),
    // The text, not the word, says where the spaces are; a caption boundary is one.
    spaceBefore: k === 0 || ranges[k]![0] > ranges[k - 1]![1],
  }));
}

/**
 * Lays saved captions out again under a profile, keeping every text edit:
 * each caption's words are used where they still spell its text, otherwise
 * words are cut from the text and timed across the caption's span. Captions
 * with empty text contribute nothing. The result is a new caption list (ids
 * `c0`, `c1`, …) with the guarantees of layoutCaptions. Speakers go with
 * their words (a word without one takes its caption's), so a speaker change
 * stays a caption boundary or a dash caption's line break.
 */
export function reflowCaptions(captions: readonly Caption[], profile: CaptionProfile, options: LayoutOptions = {}): Caption[] {
  return layoutSources(
    captions.flatMap((c) => captionSources(c, profile)),
    profile,
    options,
  );
}
