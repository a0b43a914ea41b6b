import { checkCaptions, readingChars, resolveProfile, textWidth, widthScheme, type CheckOptions } from '@ecg/captions';
import {
  CaptionRule,
  type Caption,
  type CaptionIssue,
  type CaptionLayoutRequest,
  type CaptionProfile,
  type TranscriptResult,
} from '@ecg/contracts';
import type { MessageKey } from '../i18n/en.js';
import type { Vars } from '../i18n/translate.js';
import { formatAmount, formatClock } from './format.js';

/*
 * The editor's caption quality check: the shared checker (checkCaptions in
 * @ecg/captions, the same one the backend's check route runs) applied in the
 * browser on every edit, and the figures each caption row shows. Pure, so
 * the numbers on screen and the tests agree on one definition.
 */

/** A caption's lines as the checker and every writer see them: trimmed, blank lines dropped. */
export function captionLines(text: string): string[] {
  return text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

/** What a caption row shows against the profile. */
export interface CaptionMeasure {
  /** Characters a second, counted as the checker counts them (lines joined, the profile's width units). */
  cps: number;
  maxCps: number;
  /** The widest line, in the profile's width units (Korean Latin letters count half). */
  longestLine: number;
  maxLine: number;
  lines: number;
  maxLines: number;
}

export function measureCaption(caption: Pick<Caption, 'text' | 'start' | 'end'>, profile: CaptionProfile): CaptionMeasure {
  const lines = captionLines(caption.text);
  const scheme = widthScheme(profile.name);
  // Whole milliseconds and at least one, exactly as checkCaptions divides: the row and the warning agree.
  const durationMs = Math.max(1, Math.round(caption.end * 1000) - Math.round(caption.start * 1000));
  const chars = lines.length === 0 ? 0 : readingChars(lines.join('\n'), profile);
  return {
    cps: (chars * 1000) / durationMs,
    maxCps: profile.max_chars_per_second,
    longestLine: lines.reduce((widest, line) => Math.max(widest, textWidth(line, scheme)), 0),
    maxLine: profile.max_chars_per_line,
    lines: lines.length,
    maxLines: profile.max_lines,
  };
}

/**
 * Reading speed for people: whole characters a second, with one decimal
 * where the whole number would hide the excess (20.4 against a limit of 20
 * reads "20.4", never "20", next to a too-fast warning) or below 10, where
 * a tenth is a large part of the figure.
 */
export function formatCps(cps: number, limit: number): string {
  if (!Number.isFinite(cps)) return '∞';
  const whole = Math.round(cps);
  if (cps < 10 || (cps > limit && whole <= limit)) return formatAmount(cps, 1);
  return String(whole);
}

/** Message key and values for one issue's line ("Reads too fast: 31 characters a second (limit 20)"). */
export function describeIssue(issue: CaptionIssue): { key: MessageKey; vars: Vars } {
  const seconds = (v: number): string => formatAmount(Math.abs(v), 2);
  const amount = (v: number): string => formatAmount(v, 1);
  switch (issue.rule) {
    case 'line_too_long':
      return { key: 'qc.rule.line_too_long', vars: { value: amount(issue.value), limit: amount(issue.limit) } };
    case 'too_many_lines':
      return { key: 'qc.rule.too_many_lines', vars: { value: amount(issue.value), limit: amount(issue.limit) } };
    case 'too_short':
      return { key: 'qc.rule.too_short', vars: { value: seconds(issue.value), limit: seconds(issue.limit) } };
    case 'too_long':
      return { key: 'qc.rule.too_long', vars: { value: seconds(issue.value), limit: seconds(issue.limit) } };
    case 'too_fast':
      return { key: 'qc.rule.too_fast', vars: { value: formatCps(issue.value, issue.limit), limit: amount(issue.limit) } };
    case 'gap_too_small':
      return { key: 'qc.rule.gap_too_small', vars: { value: seconds(issue.value), limit: seconds(issue.limit) } };
    case 'overlap':
      return { key: 'qc.rule.overlap', vars: { value: seconds(issue.value) } };
    case 'crosses_shot_change':
      return { key: 'qc.rule.crosses_shot_change', vars: { time: formatClock(issue.value) } };
    case 'start_near_shot_change':
      return {
        key: issue.value < 0 ? 'qc.rule.start_near_shot_change.before' : 'qc.rule.start_near_shot_change.after',
        vars: { value: seconds(issue.value) },
      };
    case 'end_near_shot_change':
      return {
        key: issue.value < 0 ? 'qc.rule.end_near_shot_change.before' : 'qc.rule.end_near_shot_change.after',
        vars: { value: seconds(issue.value) },
      };
    case 'empty_text':
      return { key: 'qc.rule.empty_text', vars: {} };
  }
}

const sameIssue = (a: CaptionIssue, b: CaptionIssue): boolean =>
  a.caption_id === b.caption_id && a.rule === b.rule && a.value === b.value && a.limit === b.limit;

const sameIssues = (a: readonly CaptionIssue[], b: readonly CaptionIssue[]): boolean =>
  a.length === b.length && a.every((issue, i) => sameIssue(issue, b[i]!));

/** Nothing wrong: one shared empty list, so rows without issues never see a new prop. */
export const NO_ISSUES: readonly CaptionIssue[] = Object.freeze([]);

/**
 * The issues of each caption, by caption id, in the checker's order. A
 * caption whose issues are the same as in `previous` keeps that very array:
 * the rows are memoised, and an edit to one caption then re-renders that row
 * alone rather than every row whose warnings were merely recomputed.
 */
export function groupIssues(
  issues: readonly CaptionIssue[],
  previous?: ReadonlyMap<string, readonly CaptionIssue[]>,
): Map<string, readonly CaptionIssue[]> {
  const fresh = new Map<string, CaptionIssue[]>();
  for (const issue of issues) {
    const list = fresh.get(issue.caption_id);
    if (list) list.push(issue);
    else fresh.set(issue.caption_id, [issue]);
  }
  const out = new Map<string, readonly CaptionIssue[]>();
  for (const [id, list] of fresh) {
    const before = previous?.get(id);
    out.set(id, before && sameIssues(before, list) ? before : list);
  }
  return out;
}

/** Rules that depend on the next caption: a draft of one caption's text cannot change them. */
const NEIGHBOUR_RULES: ReadonlySet<CaptionRule> = new Set<CaptionRule>(['gap_too_small', 'overlap']);
const RULE_ORDER = new Map(CaptionRule.options.map((rule, i) => [rule, i]));

/**
 * The issues of a caption whose text is being typed: its own rules checked on
 * the draft as it stands, keystroke by keystroke, plus the committed issues
 * that depend on its neighbour (gaps, overlaps), which typing does not change.
 */
export function draftIssues(
  caption: Caption,
  draft: string,
  profile: CaptionProfile,
  options: CheckOptions,
  committed: readonly CaptionIssue[],
): CaptionIssue[] {
  const own = checkCaptions([{ ...caption, text: draft }], profile, options);
  const neighbour = committed.filter((issue) => NEIGHBOUR_RULES.has(issue.rule));
  return [...own, ...neighbour].sort((a, b) => RULE_ORDER.get(a.rule)! - RULE_ORDER.get(b.rule)!);
}

/** One line of the QC list: the caption by number, where it starts, and the rule it breaks. */
export interface QcEntry {
  captionId: string;
  /** 1-based, as the rows number captions. */
  number: number;
  start: number;
  issue: CaptionIssue;
}

/** Every issue in caption order, with the caption's number and start for the list and the jump. */
export function qcEntries(captions: readonly Caption[], issues: readonly CaptionIssue[]): QcEntry[] {
  const at = new Map(captions.map((c, i) => [c.id, i]));
  const out: QcEntry[] = [];
  for (const issue of issues) {
    const i = at.get(issue.caption_id);
    if (i === undefined) continue;
    out.push({ captionId: issue.caption_id, number: i + 1, start: captions[i]!.start, issue });
  }
  return out;
}

/**
 * The profile the editor measures against: the one the server laid the
 * captions out by, else (an older server) the layout request resolved over
 * the transcript's language, as the backend itself would.
 */
export function editorProfile(
  doc: { profile?: CaptionProfile | undefined; layout?: CaptionLayoutRequest | undefined; language?: string | undefined },
  resultLanguage?: string,
): CaptionProfile {
  return doc.profile ?? resolveProfile(doc.layout ?? {}, doc.language ?? resultLanguage);
}

/** What the checker takes from the video analysis; nothing for audio-only media. */
export function checkOptions(result: Pick<TranscriptResult, 'video'>): CheckOptions {
  const video = result.video;
  return video ? { shotChanges: video.shot_changes, fps: video.fps } : {};
}
