import type { CaptionProfile } from '@ecg/contracts';
import { breakQuality, type BreakKind } from './break-rules.js';
import type { LayoutToken } from './layout-tokens.js';
import { lowerBound, wantedEnd, type TimingRules } from './time-captions.js';

/*
 * Where captions and their lines break: one dynamic programme over the break
 * points between tokens. A caption is a run of tokens [i, j); its cost is
 * what is wrong with it (see COST), and the layout is the cheapest sequence
 * of captions covering every token, so a bad cut is taken only where every
 * alternative is worse, and every token lands in exactly one caption.
 *
 * Hard limits, never traded for cost: at most max_lines lines of at most
 * max_chars_per_line each (a token longer than a line gets a line of its
 * own), at most max_duration of speech per caption (one token longer than
 * that gets a caption of its own), and one speaker per caption, except for
 * a dash caption (below). A caption of a single token always fits, so a
 * layout always exists.
 *
 * Dash captions: the dual-speaker subtitle of the Netflix Timed Text Style
 * Guide ("Dual Speakers": a hyphen and a space before each speaker's line,
 * at most two speakers, one line each). A caption may hold one speaker
 * change when it is exactly two lines, the first speaker's words on the
 * first and the second's on the second, each fitting one line, and one of
 * the two parts is a whole turn (all a speaker says between two changes)
 * that as a caption of its own would break the profile's minimum duration
 * or reading speed: it would flash ("Yes?" / "No."). A whole turn, because
 * a piece cut off a longer turn is short only by that cut; the turn laid
 * out whole reads. A reply that can stay on screen long enough by itself
 * stays its own caption: a change of speaker is best shown by a new
 * caption. Only speakers the words carry make dash captions (`dashable`):
 * the editor and the writers read a line's speaker from its words, so a
 * change known only from turns always cuts.
 *
 * Inside a caption the lines come from a second, nested programme: the best
 * line breaks, with lines as even as the break points allow (the sum of
 * squared line widths is least when lines are equal), never greedy fill.
 *
 * Cost: O(n · W · W_line · max_lines) for n tokens, W tokens a caption can
 * hold and W_line tokens a line can hold: a caption is bounded by its
 * characters and duration, and never more than MAX_TOKENS.
 */

/*
 * The costs. The issue ranks cuts "sentence ends, clause punctuation, long
 * pauses, speaker changes, shot changes", then any other space; the numbers
 * keep that order and are sized against each other:
 * - CAPTION: every caption costs this, so two short captions lose to one
 *   balanced two-line caption unless something (a pause, a speaker) speaks
 *   for the cut.
 * - EXTRA_LINE > BALANCE / 2: a caption that fits one line stays on one line
 *   (Netflix: "keep the text on one line, unless it exceeds the character
 *   limitation"), since two half lines save at most BALANCE / 2.
 * - DASH (6): what a dash caption costs beyond its two lines. Joining a part
 *   that would flash (SHORT up to 10, plus a caption's 8 and an orphan's 15
 *   for a one-word reply) into a dash caption is then cheaper, while two
 *   long parts that each read well alone never qualify (see above).
 * - SENTENCE_IN_LINE: in a caption of two or more lines, a sentence ending
 *   inside a line rather than at the line break (BBC: "the ideal line-break
 *   will be at a piece of punctuation like a full stop"). A one-line caption
 *   may hold two short sentences (Netflix: keep the text on one line).
 * - READING is per second of reading time a caption lacks at the profile's
 *   reading speed, so splitting a fast passage into more captions neither
 *   adds nor saves penalty; SHORT grows with how far a caption misses the
 *   minimum duration. Both count the free time after the caption.
 */
const COST = {
  CAPTION: 8,
  EXTRA_LINE: 4,
  BALANCE: 6,
  ORPHAN: 15,
  DASH: 6,
  SHOT_INSIDE: 5,
  SENTENCE_IN_LINE: 6,
  READING: 1,
  SHORT: 10,
} as const;

const LINE_BREAK: Readonly<Record<BreakKind, number>> = { sentence: 0, clause: 1, conjunction: 2, plain: 4 };
const CAPTION_CUT: Readonly<Record<BreakKind, number>> = { sentence: 0, clause: 2, conjunction: 5, plain: 6 };
const LINE_BREAK_AT_PAUSE = 2;
const CUT_AT_SPEAKER = 3.5;
const CUT_AT_SHOT = 4;

/**
 * A long pause: longer than the gap chaining closes (half a second, see
 * time-captions.ts), so a cut there shows as a gap the viewer also hears.
 */
export const LONG_PAUSE_MS = 500;

/** Cost of cutting at a pause: 3 at half a second, falling to 1.5 at 2 s and longer. */
function cutAtPause(pauseMs: number): number {
  return 3 - 1.5 * Math.min(1, (pauseMs - LONG_PAUSE_MS) / 1500);
}

/**
 * Cost of a caption showing through a pause: 3 at half a second, +10 a
 * second, at most 25. A caption spanning a pause shows the words after it
 * early, by the pause and more, where the BBC (5.2) asks subtitles not to
 * "anticipate speech by more than 1.5 seconds": a second's pause already
 * outweighs a caption of its own.
 */
function pauseInside(pauseMs: number): number {
  return pauseMs < LONG_PAUSE_MS ? 0 : Math.min(25, 3 + (10 * (pauseMs - LONG_PAUSE_MS)) / 1000);
}

/** Bounds the work per caption when tokens are tiny (one-character tokens, or zero-width ones). */
const MAX_TOKENS = 400;
/** Caption's text limit in the contract (Caption.text max), in UTF-16 units. */
const MAX_TEXT_LENGTH = 10_000;
/** Caption's word limit in the contract (Caption.words max). */
const MAX_WORDS = 5_000;

export interface SegmentInput {
  tokens: readonly LayoutToken[];
  profile: CaptionProfile;
  rules: TimingRules;
  /** Width of a space in the profile's units. */
  spaceWidth: number;
  /** Shot changes, ms, ascending. */
  shots: readonly number[];
  /** Speaker of each token, undefined where unknown; a change between two known speakers is a hard cut. */
  speakers: ReadonlyArray<string | undefined>;
  /** Whether a token's speaker is its words' own (not a turn's): only those make dash captions. */
  dashable?: ReadonlyArray<boolean>;
}

/** One caption: tokens [from, to), its lines starting at lineStarts (the first is `from`). */
export interface CaptionPlan {
  from: number;
  to: number;
  lineStarts: number[];
  /** A dash caption: two speakers, the second's line starting at lineStarts[1]. */
  dash?: boolean;
}

interface Prepared {
  tokens: readonly LayoutToken[];
  n: number;
  maxLines: number;
  maxChars: number;
  /**
   * Tokens a line may hold: as many as the narrowest visible character fits
   * (a space's width: 1, or 0.5 in east-asian counting), so that zero-width
   * tokens (a lone combining mark) cannot make the line programme quadratic.
   */
  maxTokensPerLine: number;
  /** widthUpTo[x]: widths of tokens [0, x) with the space before each. */
  widthUpTo: Float64Array;
  sep: Float64Array;
  lengthUpTo: Float64Array;
  wordsUpTo: Float64Array;
  lineCost: Float64Array;
  cutCost: Float64Array;
  insideUpTo: Float64Array;
  /** sentencesUpTo[b]: sentence ends at boundaries 1..b. */
  sentencesUpTo: Float64Array;
  /** changesUpTo[b]: speaker changes at boundaries 1..b. */
  changesUpTo: Float64Array;
  /** dashAt[b]: the speaker change at boundary b may be the line break of a dash caption. */
  dashAt: Uint8Array;
}

function prepare(input: SegmentInput): Prepared {
  const { tokens, profile, shots, speakers } = input;
  const n = tokens.length;
  const sep = new Float64Array(n);
  const widthUpTo = new Float64Array(n + 1);
  const lengthUpTo = new Float64Array(n + 1);
  const wordsUpTo = new Float64Array(n + 1);
  for (let m = 0; m < n; m++) {
    const t = tokens[m]!;
    sep[m] = m > 0 && t.spaceBefore ? input.spaceWidth : 0;
    widthUpTo[m + 1] = widthUpTo[m]! + t.width + sep[m]!;
    lengthUpTo[m + 1] = lengthUpTo[m]! + t.text.length + 1;
    wordsUpTo[m + 1] = wordsUpTo[m]! + t.words.length;
  }

  const lineCost = new Float64Array(n + 1);
  const cutCost = new Float64Array(n + 1);
  const insideUpTo = new Float64Array(n + 1);
  const sentencesUpTo = new Float64Array(n + 1);
  const changesUpTo = new Float64Array(n + 1);
  const dashAt = new Uint8Array(n + 1);
  let heard = 0;
  for (let b = 1; b < n; b++) {
    const prev = tokens[b - 1]!;
    const next = tokens[b]!;
    heard = Math.max(heard, prev.end);
    const pause = next.start - heard;
    const longPause = pause >= LONG_PAUSE_MS;
    const q = breakQuality(prev, next, profile.name);
    const a = speakers[b - 1];
    const z = speakers[b];
    const speakerChange = a !== undefined && z !== undefined && a !== z;
    changesUpTo[b] = changesUpTo[b - 1]! + (speakerChange ? 1 : 0);
    dashAt[b] = speakerChange && input.dashable?.[b - 1] === true && input.dashable[b] === true ? 1 : 0;
    const lo = Math.min(prev.start + prev.end, next.start + next.end) / 2;
    const hi = Math.max(prev.start + prev.end, next.start + next.end) / 2;
    const k = lowerBound(shots, lo);
    const shot = k < shots.length && shots[k]! <= hi;

    lineCost[b] = Math.min(LINE_BREAK[q.kind], longPause ? LINE_BREAK_AT_PAUSE : Infinity) + q.penalty;
    cutCost[b] =
      Math.min(
        CAPTION_CUT[q.kind],
        longPause ? cutAtPause(pause) : Infinity,
        speakerChange ? CUT_AT_SPEAKER : Infinity,
        shot ? CUT_AT_SHOT : Infinity,
      ) + q.penalty;
    sentencesUpTo[b] = sentencesUpTo[b - 1]! + (q.kind === 'sentence' ? 1 : 0);
    insideUpTo[b] =
      insideUpTo[b - 1]! + (shot ? COST.SHOT_INSIDE : 0) + pauseInside(pause);
  }
  return {
    tokens,
    n,
    maxLines: profile.max_lines,
    maxChars: profile.max_chars_per_line,
    maxTokensPerLine: Math.max(1, Math.ceil(profile.max_chars_per_line / input.spaceWidth)),
    widthUpTo,
    sep,
    lengthUpTo,
    wordsUpTo,
    lineCost,
    cutCost,
    insideUpTo,
    sentencesUpTo,
    changesUpTo,
    dashAt,
  };
}

/** Width of tokens [k, j) on one line. */
function widthOf(p: Prepared, k: number, j: number): number {
  return p.widthUpTo[j]! - p.widthUpTo[k]! - p.sep[k]!;
}

/** Lines of one caption start, filled column by column (one column per caption length). */
interface LineTable {
  /** cost[l * stride + r]: tokens [i, i + r) in l + 1 lines. */
  cost: Float64Array;
  /** Where the last of those lines starts, as an offset from i. */
  back: Int32Array;
  stride: number;
}

function lineTable(maxLines: number): LineTable {
  const stride = MAX_TOKENS + 1;
  return { cost: new Float64Array(maxLines * stride), back: new Int32Array(maxLines * stride), stride };
}

/** Cost of tokens [k, j) as one line of several: its share of the balance, and any sentence ending inside it. */
function lineCostOf(p: Prepared, k: number, j: number, width: number): number {
  const fill = Math.min(width, p.maxChars) / p.maxChars;
  return COST.BALANCE * fill * fill + COST.SENTENCE_IN_LINE * sentencesIn(p, k, j);
}

/** Sentence ends between tokens of [k, j). */
function sentencesIn(p: Prepared, k: number, j: number): number {
  return p.sentencesUpTo[j - 1]! - p.sentencesUpTo[k]!;
}

/**
 * Fills the line table of captions starting at token i, one length r at a
 * time, calling `column(r, cost, lines)` with the best layout cost of tokens
 * [i, i + r); stops when `column` answers false or no layout fits (a longer
 * caption cannot fit either).
 */
function fillLines(p: Prepared, i: number, t: LineTable, column: (r: number, cost: number, lines: number) => boolean): void {
  const { cost, back, stride } = t;
  for (let r = 1; r <= MAX_TOKENS && i + r <= p.n; r++) {
    const j = i + r;
    let best = Infinity;
    let bestLines = 0;
    for (let l = 0; l < p.maxLines; l++) {
      let v = Infinity;
      let from = -1;
      if (l === 0) {
        const w = widthOf(p, i, j);
        if ((w <= p.maxChars && r <= p.maxTokensPerLine) || r === 1) {
          v = lineCostOf(p, i, j, w);
          from = 0;
        }
      } else {
        // The last line is tokens [i + q, j); the l lines before it hold [i, i + q).
        for (let q = r - 1; q >= l && r - q <= p.maxTokensPerLine; q--) {
          const w = widthOf(p, i + q, j);
          if (w > p.maxChars && q !== r - 1) break;
          const before = cost[(l - 1) * stride + q]!;
          if (before === Infinity) continue;
          const c = before + p.lineCost[i + q]! + lineCostOf(p, i + q, j, w);
          if (c < v) {
            v = c;
            from = q;
          }
        }
      }
      cost[l * stride + r] = v;
      back[l * stride + r] = from;
      // A caption of one line does not pay for the sentences inside it.
      const total = l === 0 && v !== Infinity ? v - sentencesIn(p, i, j) * COST.SENTENCE_IN_LINE : v + COST.EXTRA_LINE * l;
      if (total < best) {
        best = total;
        bestLines = l + 1;
      }
    }
    if (best === Infinity || !column(r, best, bestLines)) return;
  }
}

/** Token indices where the lines of caption [i, i + r) start, from a filled table. */
function lineStartsOf(i: number, r: number, lines: number, t: LineTable): number[] {
  const starts: number[] = [];
  let at = r;
  for (let l = lines - 1; l >= 0; l--) {
    const from = t.back[l * t.stride + at]!;
    starts.push(i + from);
    at = from;
  }
  return starts.reverse();
}

/** Speaker changes at the boundaries inside tokens [i, j). */
function changesIn(p: Prepared, i: number, j: number): number {
  return p.changesUpTo[j - 1]! - p.changesUpTo[i]!;
}

/**
 * How long tokens [i, j) would show as a caption of their own (ms), with the
 * free time up to the next token, as timing will give it; and whether that
 * reads: at least the minimum duration and no faster than the reading speed.
 */
function shownAlone(p: Prepared, rules: TimingRules, i: number, j: number, speechEnd: number): { shown: number; chars: number; reads: boolean } {
  const start = p.tokens[i]!.start;
  const chars = widthOf(p, i, j);
  const next = j < p.n ? p.tokens[j]!.start - rules.minGapMs : Infinity;
  const shown = Math.max(1, Math.min(wantedEnd(start, speechEnd, chars, rules), next) - start);
  const reads = shown >= rules.minDurationMs && (chars * 1000) / rules.maxCharsPerSecond <= shown;
  return { shown, chars, reads };
}

/** Whether boundary b starts or ends a turn: the stream's edges and every speaker change. */
function turnEdge(p: Prepared, b: number): boolean {
  return b <= 0 || b >= p.n || p.changesUpTo[b]! > p.changesUpTo[b - 1]!;
}

/**
 * The layout cost of a dash caption [i, j) changing speaker at b, or Infinity
 * when it is not one: two lines of one speaker each, each fitting a line, and
 * one part a whole turn that would not read on its own (`firstReads`:
 * whether [i, b) does).
 */
function dashCost(p: Prepared, rules: TimingRules, i: number, b: number, j: number, speechEndB: number, firstReads: boolean): number {
  if (p.maxLines < 2 || p.dashAt[b] !== 1) return Infinity;
  const first = widthOf(p, i, b);
  const second = widthOf(p, b, j);
  if (first > p.maxChars || second > p.maxChars || b - i > p.maxTokensPerLine || j - b > p.maxTokensPerLine) return Infinity;
  const firstFlashes = turnEdge(p, i) && !firstReads;
  if (!firstFlashes && !(turnEdge(p, j) && !shownAlone(p, rules, b, j, speechEndB).reads)) return Infinity;
  return lineCostOf(p, i, b, first) + p.lineCost[b]! + lineCostOf(p, b, j, second) + COST.EXTRA_LINE + COST.DASH;
}

/** The captions and their lines for a token stream; empty for no tokens. */
export function segmentCaptions(input: SegmentInput): CaptionPlan[] {
  const p = prepare(input);
  const { n, tokens } = p;
  if (n === 0) return [];
  const { rules } = input;
  const best = new Float64Array(n + 1).fill(Infinity);
  const from = new Int32Array(n + 1);
  // dashFrom[j] > 0: the best caption ending at j is a dash caption whose second line starts there.
  const dashFrom = new Int32Array(n + 1);
  best[0] = 0;
  const table = lineTable(p.maxLines);

  for (let i = 0; i < n; i++) {
    const base = best[i]!;
    const start = tokens[i]!.start;
    let speechEnd = start;
    // The speaker change inside the caption, once there is one, and what lies after it.
    let change = -1;
    let firstReads = true;
    let speechEndB = 0;
    fillLines(p, i, table, (r, tableCost) => {
      const j = i + r;
      speechEnd = Math.max(speechEnd, tokens[j - 1]!.end);
      if (r > 1) {
        if (speechEnd - start > rules.maxDurationMs) return false;
        if (p.lengthUpTo[j]! - p.lengthUpTo[i]! > MAX_TEXT_LENGTH) return false;
        if (p.wordsUpTo[j]! - p.wordsUpTo[i]! > MAX_WORDS) return false;
      }
      const changes = changesIn(p, i, j);
      // A second speaker change: no longer caption from i can hold it.
      if (changes > 1) return false;
      let layoutCost = tableCost;
      if (changes === 1) {
        if (change < 0) {
          change = j - 1;
          firstReads = shownAlone(p, rules, i, change, maxEnd(tokens, i, change)).reads;
          speechEndB = 0;
        }
        speechEndB = Math.max(speechEndB, tokens[j - 1]!.end);
        layoutCost = dashCost(p, rules, i, change, j, speechEndB, firstReads);
        // Past a line's width after the change no dash caption fits, and no plain one may hold it.
        if (layoutCost === Infinity) return widthOf(p, change, j) <= p.maxChars;
      }
      let cost = base + COST.CAPTION + layoutCost + p.insideUpTo[j - 1]! - p.insideUpTo[i]!;
      if (j < n) cost += p.cutCost[j]!;
      if (r === 1 && n > 1) cost += COST.ORPHAN;

      // Reading speed and duration as timing will give them, with the free time up to the next token.
      const { shown, chars } = shownAlone(p, rules, i, j, speechEnd);
      const lacking = (chars * 1000) / rules.maxCharsPerSecond - shown;
      if (lacking > 0) cost += (COST.READING * lacking) / 1000;
      if (shown < rules.minDurationMs) cost += COST.SHORT * (1 - shown / rules.minDurationMs);

      if (cost < best[j]!) {
        best[j] = cost;
        from[j] = i;
        dashFrom[j] = changes === 1 ? change : 0;
      }
      return true;
    });
  }

  const cuts: number[] = [];
  for (let j = n; j > 0; j = from[j]!) cuts.push(j);
  cuts.reverse();
  const plans: CaptionPlan[] = [];
  let i = 0;
  for (const j of cuts) {
    const r = j - i;
    const b = dashFrom[j]!;
    if (b > 0) {
      plans.push({ from: i, to: j, lineStarts: [i, b], dash: true });
    } else {
      let lines = 1;
      fillLines(p, i, table, (at, _cost, bestLines) => {
        lines = bestLines;
        return at < r;
      });
      plans.push({ from: i, to: j, lineStarts: lineStartsOf(i, r, lines, table) });
    }
    i = j;
  }
  return plans;
}

/** The latest end of tokens [i, j), ms. */
function maxEnd(tokens: readonly LayoutToken[], i: number, j: number): number {
  let end = 0;
  for (let m = i; m < j; m++) end = Math.max(end, tokens[m]!.end);
  return end;
}
