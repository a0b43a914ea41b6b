import type { CaptionProfileName } from '@ecg/contracts';
import { joinTexts } from '../text-align.js';
import type { LayoutToken } from './layout-tokens.js';

/*
 * What the words on either side of a break say about breaking there, line
 * or caption alike. Pauses, speakers and shot changes are the segmenter's
 * business; this is only the text.
 *
 * Sources of the rules:
 * - Netflix General Requirements, line treatment: break "after punctuation
 *   marks, before conjunctions, before prepositions"; never separate "a noun
 *   from an article", "a verb from a subject pronoun", "a verb from an
 *   auxiliary, reflexive pronoun or negation". The lists below are English
 *   (only the `en` profile applies them).
 * - Korean: words are spaced, and a break inside a spaced word (between a
 *   stem and its particle) is what the issue forbids: break only at spaces.
 * - Kinsoku shori for Japanese and Chinese: W3C "Requirements for Japanese
 *   Text Layout" (JLREQ) §3.1.7 and appendix A (classes cl-01 opening
 *   brackets: not at a line end; cl-02 closing brackets, cl-03 hyphens, cl-04
 *   dividing punctuation, cl-05 middle dots, cl-06 full stops, cl-07 commas,
 *   cl-08 inseparable characters, cl-09 iteration marks, cl-10 the prolonged
 *   sound mark, cl-11 small kana: not at a line start), and W3C
 *   "Requirements for Chinese Text Layout" (clreq) §3.1.6 for the Chinese
 *   additions (%, ℃, currency signs).
 */

/** How good a place to break the text says this is, best first. */
export type BreakKind = 'sentence' | 'clause' | 'conjunction' | 'plain';

export interface BreakQuality {
  kind: BreakKind;
  /**
   * Extra cost of breaking here anyway: 0 where nothing speaks against it,
   * ARTICLE for splitting an article from its noun, KINSOKU for a forbidden
   * line start or end, NO_SPACE for a break inside a spaced word.
   */
  penalty: number;
}

/*
 * Penalty sizes. The segmenter's costs for a plain break are single digits
 * (segment-captions.ts), so these rank as: a Japanese script-change hint
 * (≤ 3) is a tie-breaker, a pronoun or auxiliary (3–4) outweighs the gap
 * between a plain break and a clause break, as does a conjunction or
 * preposition left at a line end (3), a determiner (10) or article
 * (30) outweighs an extra caption, kinsoku (60) outweighs an orphan, and a
 * break inside a spaced word (200) is taken only when nothing else fits.
 */
export const PENALTY = {
  NO_SPACE: 200,
  KINSOKU: 60,
  ARTICLE: 30,
  DETERMINER: 10,
  SUBJECT_PRONOUN: 4,
  AUXILIARY: 3,
  NEGATION: 3,
  /** Breaking after a conjunction or preposition: the guides break before them, which keeps them with what they join. */
  DANGLING: 3,
} as const;

const CLOSERS = `"'”’»)\\]}」』）】》〉〕〗〙｣`;
const SENTENCE_END = new RegExp(`[.!?。！？‼⁇⁈⁉؟][${CLOSERS}]*$`, 'u');
const CLAUSE_END = new RegExp(`([,;:，、；：—–…‥]|\\.\\.\\.|^-+)[${CLOSERS}]*$`, 'u');
const STARTS_WITH_DASH = /^[—–-]/u;

// Dots that end an abbreviation or an initial, not a sentence.
const ABBREVIATIONS = new Set(['mr', 'mrs', 'ms', 'dr', 'st', 'jr', 'sr', 'vs', 'etc', 'e.g', 'i.e', 'prof', 'no', 'vol', 'fig', 'approx', 'dept', 'mt']);

const ARTICLES = new Set(['a', 'an', 'the']);
const DETERMINERS = new Set(['my', 'your', 'his', 'its', 'our', 'their', 'this', 'these', 'those', 'every', 'each', 'whose']);
const SUBJECT_PRONOUNS = new Set(['i', 'you', 'he', 'she', 'we', 'they']);
// Modals and contracted auxiliaries only: "is", "have" or "do" are main verbs as often as not.
const AUXILIARIES = new Set([
  'will', 'would', 'shall', 'should', 'can', 'could', 'may', 'might', 'must',
  "i'm", "you're", "we're", "they're", "he's", "she's", "it's", "i've", "you've", "we've", "they've",
  "i'll", "you'll", "we'll", "they'll", "i'd", "you'd", "we'd", "they'd",
]);
const NEGATIONS = new Set(['not', "n't", 'never']);
const CONJUNCTIONS = new Set([
  'and', 'but', 'or', 'nor', 'yet', 'so', 'because', 'although', 'though', 'while', 'whereas', 'if',
  'unless', 'until', 'when', 'whenever', 'where', 'wherever', 'whether', 'since', 'which', 'who', 'whom',
]);
const PREPOSITIONS = new Set([
  'about', 'above', 'across', 'after', 'against', 'along', 'among', 'around', 'at', 'before', 'behind',
  'below', 'beneath', 'beside', 'besides', 'between', 'beyond', 'by', 'despite', 'down', 'during', 'except',
  'for', 'from', 'in', 'inside', 'into', 'like', 'near', 'of', 'off', 'on', 'onto', 'out', 'outside', 'over',
  'past', 'per', 'through', 'throughout', 'to', 'toward', 'towards', 'under', 'underneath', 'unlike', 'up',
  'upon', 'via', 'with', 'within', 'without',
]);

// JLREQ cl-02, cl-03, cl-04, cl-05, cl-06, cl-07, cl-08, cl-09, cl-10, cl-11; clreq's %, ℃, ‰, °.
const NO_LINE_START = new Set(
  Array.from(
    '’”）〕］｝〉》」』】〙〗〟｠»)]}' +
      '‐゠–〜～' +
      '？！‼⁇⁈⁉?!' +
      '・：；:;' +
      '。．.' +
      '、，,' +
      '…‥' +
      'ヽヾゝゞ々〻' +
      'ー' +
      'ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶㇰㇱㇲㇳㇴㇵㇶㇷㇸㇹㇺㇻㇼㇽㇾㇿ' +
      '％%℃°‰',
  ),
);
// JLREQ cl-01; clreq's currency signs before an amount.
const NO_LINE_END = new Set(Array.from('‘“（〔［｛〈《「『【〘〖〝｟«([{' + '＄$￥¥£￡'));

/** A token as a word list looks it up: lower case, without the punctuation around it. */
function bare(text: string): string {
  return text.toLowerCase().replace(/^[^\p{L}\p{N}']+|[^\p{L}\p{N}']+$/gu, '');
}

function endsSentence(text: string): boolean {
  if (!SENTENCE_END.test(text)) return false;
  if (/\.\.\.$|…$/u.test(text)) return false;
  const word = text.toLowerCase().replace(new RegExp(`[.${CLOSERS}]+$`, 'u'), '');
  // "Mr." or a single initial ("J.") is not a sentence end.
  return !(text.endsWith('.') && (ABBREVIATIONS.has(word) || /^\p{L}$/u.test(word)));
}

type ScriptClass = 'han' | 'hiragana' | 'katakana' | 'alnum' | 'other';

function scriptClass(ch: string): ScriptClass {
  if (/[\p{Script=Han}々〆]/u.test(ch)) return 'han';
  if (/\p{Script=Hiragana}/u.test(ch)) return 'hiragana';
  if (/[\p{Script=Katakana}ー]/u.test(ch)) return 'katakana';
  if (/[\p{L}\p{N}]/u.test(ch)) return 'alnum';
  return 'other';
}

/*
 * Japanese has no spaces and whisper.cpp's tokens are pieces of words, so a
 * change of script is the cheapest sign of a word boundary (the baseline
 * that phrase segmenters such as BudouX improve on): a run of kanji or of
 * katakana is usually one word, kana after kanji is usually its okurigana or
 * particle, and kanji or katakana after kana usually starts the next phrase.
 */
function japaneseBoundaryPenalty(before: string, after: string): number {
  const a = scriptClass(before);
  const b = scriptClass(after);
  if (a === b && (a === 'han' || a === 'katakana' || a === 'alnum')) return 3;
  if (a === 'han' && b === 'hiragana') return 2;
  if (a === 'hiragana' && b === 'hiragana') return 1;
  return 0;
}

/** Whether this profile breaks between any two tokens (no spaces between words). */
export function breaksAnywhere(name: CaptionProfileName): boolean {
  return name === 'ja' || name === 'zh-hans' || name === 'zh-hant';
}

/** What the text says about a break between `prev` and `next` (adjacent tokens). */
export function breakQuality(prev: LayoutToken, next: LayoutToken, name: CaptionProfileName): BreakQuality {
  const kind: BreakKind = endsSentence(prev.text)
    ? 'sentence'
    : CLAUSE_END.test(prev.text) || (next.spaceBefore && STARTS_WITH_DASH.test(next.text))
      ? 'clause'
      : 'plain';
  let penalty = 0;
  const last = Array.from(prev.text).pop() ?? '';
  const first = Array.from(next.text)[0] ?? '';

  if (breaksAnywhere(name)) {
    if (NO_LINE_START.has(first) || NO_LINE_END.has(last)) penalty += PENALTY.KINSOKU;
    if (name === 'ja' && !next.spaceBefore) penalty += japaneseBoundaryPenalty(last, first);
    else if (!next.spaceBefore && scriptClass(last) === 'han' && scriptClass(first) === 'han') penalty += 1;
    return { kind, penalty };
  }

  // Spaced scripts (and Korean): a break needs a space, unless the two sides are
  // characters of unspaced scripts (a Japanese quote inside English text).
  if (!next.spaceBefore && joinTexts(last, first) !== last + first) penalty += PENALTY.NO_SPACE;

  if (name === 'en' && kind === 'plain') {
    const p = bare(prev.text);
    const n = bare(next.text);
    if (ARTICLES.has(p)) penalty += PENALTY.ARTICLE;
    else if (DETERMINERS.has(p)) penalty += PENALTY.DETERMINER;
    else if (SUBJECT_PRONOUNS.has(p)) penalty += PENALTY.SUBJECT_PRONOUN;
    else if (AUXILIARIES.has(p)) penalty += PENALTY.AUXILIARY;
    else if (CONJUNCTIONS.has(p) || PREPOSITIONS.has(p)) penalty += PENALTY.DANGLING;
    if (NEGATIONS.has(n)) penalty += PENALTY.NEGATION;
    if (penalty === 0 && (CONJUNCTIONS.has(n) || PREPOSITIONS.has(n))) return { kind: 'conjunction', penalty };
  }
  return { kind, penalty };
}
