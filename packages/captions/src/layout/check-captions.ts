import { CaptionRule, type Caption, type CaptionIssue, type CaptionProfile } from '@ecg/contracts';
import { shownLines } from '../shown-lines.js';
import { breaksAnywhere } from './break-rules.js';
import { textWidth, widthScheme } from './text-width.js';
import { lowerBound, SNAP_MS, timingRules } from './time-captions.js';

export interface CheckOptions {
  /** Shot-change times, seconds. */
  shotChanges?: readonly number[];
  /** The video's frame rate; 24 when unknown (see DEFAULT_FPS). */
  fps?: number;
}

/**
 * Characters a caption asks the viewer to read, as reading speed counts
 * them: its lines joined (a line break stands for the space it replaced,
 * except in scripts written without spaces), in the profile's width units.
 */
export function readingChars(text: string, profile: CaptionProfile): number {
  const joiner = breaksAnywhere(profile.name) ? '' : ' ';
  return textWidth(shownLines(text).split('\n').join(joiner), widthScheme(profile.name));
}

const ms = (seconds: number): number => Math.round(seconds * 1000);
const s = (milliseconds: number): number => milliseconds / 1000;
const round2 = (v: number): number => Math.round(v * 100) / 100;
const ORDER = new Map(CaptionRule.options.map((rule, i) => [rule, i]));

/** Shot changes as whole ms, ascending, without duplicates or non-times. */
export function shotTimesMs(shotChanges: readonly number[] | undefined): number[] {
  const out = (shotChanges ?? []).filter((t) => Number.isFinite(t) && t >= 0).map(ms);
  out.sort((a, b) => a - b);
  return out.filter((t, i) => i === 0 || t !== out[i - 1]);
}

/**
 * Every rule each caption breaks, like a subtitle QC report: the caption's
 * id, the rule, the measured value and the limit (CaptionRule in
 * @ecg/contracts gives the units). In caption order; within a caption in the
 * order of CaptionRule. Times are compared in whole milliseconds, as SRT
 * writes them. Never throws: a caption list that breaks the contract
 * (overlaps, an end before its start) is reported, not refused.
 */
export function checkCaptions(captions: readonly Caption[], profile: CaptionProfile, options: CheckOptions = {}): CaptionIssue[] {
  const rules = timingRules(profile, options.fps);
  const scheme = widthScheme(profile.name);
  const shots = shotTimesMs(options.shotChanges);
  const issues: CaptionIssue[] = [];

  captions.forEach((c, k) => {
    const found: CaptionIssue[] = [];
    const add = (rule: CaptionRule, value: number, limit: number, message: string): void => {
      found.push({ caption_id: c.id, rule, value, limit, message });
    };
    const start = ms(c.start);
    const end = ms(c.end);
    const duration = end - start;
    const text = shownLines(c.text);

    if (text === '') {
      add('empty_text', 0, 0, 'the caption shows no text');
    } else {
      const lines = text.split('\n');
      lines.forEach((line, n) => {
        const width = textWidth(line, scheme);
        if (width > profile.max_chars_per_line) {
          add('line_too_long', width, profile.max_chars_per_line, `line ${n + 1} is ${width} characters long; the limit is ${profile.max_chars_per_line}`);
        }
      });
      if (lines.length > profile.max_lines) {
        add('too_many_lines', lines.length, profile.max_lines, `${lines.length} lines; the limit is ${profile.max_lines}`);
      }
      const chars = readingChars(text, profile);
      const cps = (chars * 1000) / Math.max(1, duration);
      if (cps > profile.max_chars_per_second) {
        add('too_fast', round2(cps), profile.max_chars_per_second, `${round2(cps)} characters a second; the limit is ${profile.max_chars_per_second}`);
      }
    }
    if (duration < rules.minDurationMs) {
      add('too_short', s(duration), profile.min_duration, `on screen ${s(duration)} s; at least ${round2(profile.min_duration)} s`);
    }
    if (duration > rules.maxDurationMs) {
      add('too_long', s(duration), profile.max_duration, `on screen ${s(duration)} s; at most ${profile.max_duration} s`);
    }

    const next = captions[k + 1];
    if (next) {
      const gap = ms(next.start) - end;
      if (gap < 0) add('overlap', s(-gap), 0, `the next caption starts ${s(-gap)} s before this one ends`);
      else if (gap < rules.minGapMs) {
        add('gap_too_small', s(gap), s(rules.minGapMs), `${s(gap)} s before the next caption; at least ${s(rules.minGapMs)} s (${profile.min_gap_frames} frames)`);
      }
    }

    for (let i = lowerBound(shots, Math.min(start, end) - SNAP_MS); i < shots.length && shots[i]! < Math.max(start, end) + SNAP_MS; i++) {
      const shot = shots[i]!;
      const fromStart = start - shot;
      const fromEnd = end - shot;
      const nearStart = fromStart !== 0 && Math.abs(fromStart) < SNAP_MS;
      const nearEnd = end !== shot - rules.minGapMs && Math.abs(fromEnd) < SNAP_MS;
      if (nearStart) {
        add('start_near_shot_change', s(fromStart), s(SNAP_MS), `starts ${s(Math.abs(fromStart))} s ${fromStart < 0 ? 'before' : 'after'} a shot change; start on it`);
      }
      if (nearEnd) {
        add('end_near_shot_change', s(fromEnd), s(SNAP_MS), `ends ${s(Math.abs(fromEnd))} s ${fromEnd < 0 ? 'before' : 'after'} a shot change; end ${profile.min_gap_frames} frames before it`);
      }
      if (!nearStart && !nearEnd && shot > start && shot < end) {
        add('crosses_shot_change', s(shot), 0, `stays on screen across the shot change at ${s(shot)} s`);
      }
    }

    found.sort((a, b) => ORDER.get(a.rule)! - ORDER.get(b.rule)!);
    issues.push(...found);
  });
  return issues;
}
