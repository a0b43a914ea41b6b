import type { Caption, CaptionWord } from '@ecg/contracts';
import { ok, refuse, type EditResult } from './edit-result.js';
import { normaliseCaptionText, tokenize } from './text-align.js';
import { wordSpeaker } from './caption-speaker.js';

// Beyond this many token pairs the diff costs more than it is worth for a
// caption (a pasted essay); every word is then re-timed evenly.
const MAX_DIFF_CELLS = 250_000;

/** Pairs of (old index, new index) of the longest common subsequence of two token lists. */
function commonTokens(a: readonly string[], b: readonly string[]): Array<[number, number]> {
  if (a.length * b.length > MAX_DIFF_CELLS) return [];
  const rows = a.length + 1;
  const cols = b.length + 1;
  const table = new Uint32Array(rows * cols);
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      table[i * cols + j] =
        a[i] === b[j]
          ? table[(i + 1) * cols + j + 1]! + 1
          : Math.max(table[(i + 1) * cols + j]!, table[i * cols + j + 1]!);
    }
  }
  const pairs: Array<[number, number]> = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      pairs.push([i, j]);
      i++;
      j++;
    } else if (table[(i + 1) * cols + j]! >= table[i * cols + j + 1]!) i++;
    else j++;
  }
  return pairs;
}

/**
 * New words for tokens in [lo, hi] seconds, each getting time in proportion
 * to its length, and the speaker `speakerOf` gives its position among them.
 */
function spread(
  tokens: readonly string[],
  firstIndex: number,
  lo: number,
  hi: number,
  speakerOf: (k: number) => string | undefined,
): CaptionWord[] {
  const total = tokens.reduce((n, t) => n + Array.from(t).length, 0) || 1;
  const words: CaptionWord[] = [];
  let at = lo;
  tokens.forEach((t, k) => {
    const end = k === tokens.length - 1 ? hi : at + ((hi - lo) * Array.from(t).length) / total;
    const word: CaptionWord = { word: firstIndex + k === 0 ? t : ` ${t}`, start: at, end };
    const speaker = speakerOf(k);
    if (speaker !== undefined) word.speaker = speaker;
    words.push(word);
    at = end;
  });
  return words;
}

/**
 * Replaces a caption's text (line breaks kept). Words whose text is unchanged keep their timing
 * (a fixed typo leaves its neighbours' karaoke timing alone); new or changed
 * words share the time between the nearest kept words. A caption without word
 * timings stays without. Empty text is refused: deleting is its own action.
 * New words are spoken by whoever spoke the words they replace (in order,
 * spread evenly); inserted ones by the word before them, else the one after
 * (typing goes on the sentence being typed), so an edit never moves a
 * speaker change by accident.
 */
export function editText(captions: readonly Caption[], id: string, text: string): EditResult {
  const i = captions.findIndex((c) => c.id === id);
  const c = captions[i];
  if (!c) return refuse('CAPTION_NOT_FOUND');
  const clean = normaliseCaptionText(text);
  if (clean === '') return refuse('EMPTY_TEXT');

  let words: CaptionWord[];
  const oldTokens = c.words.map((w) => w.word.trim());
  if (c.words.length === 0 || oldTokens.join('') === clean.replace(/\s/g, '')) {
    // Only spacing changed (or there is nothing to time): the words stand.
    words = c.words;
  } else {
    const newTokens = tokenize(clean);
    const pairs = commonTokens(oldTokens, newTokens);
    words = [];
    let prevOld = -1;
    let j = 0;
    for (const [oi, nj] of [...pairs, [c.words.length, newTokens.length] as [number, number]]) {
      if (nj > j) {
        const lo = prevOld >= 0 ? c.words[prevOld]!.end : c.start;
        const hi = oi < c.words.length ? c.words[oi]!.start : c.end;
        const replaced = c.words.slice(prevOld + 1, oi);
        const neighbour = c.words[prevOld] ?? c.words[oi];
        const count = nj - j;
        const speakerOf = (k: number): string | undefined => {
          const source = replaced.length > 0 ? replaced[Math.floor((k * replaced.length) / count)] : neighbour;
          return source ? wordSpeaker(c, source) : c.speaker;
        };
        words.push(...spread(newTokens.slice(j, nj), j, lo, Math.max(lo, hi), speakerOf));
      }
      if (oi < c.words.length) words.push(c.words[oi]!);
      prevOld = oi;
      j = nj + 1;
    }
  }
  return ok([...captions.slice(0, i), { ...c, text: clean, words }, ...captions.slice(i + 1)]);
}
