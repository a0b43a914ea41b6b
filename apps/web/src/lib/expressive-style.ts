import { speakerColor } from '@ecg/captions';
import type { CaptionSpeaker, WordEmphasis } from '@ecg/contracts';

export const MIN_STRENGTH = 0;
export const MAX_STRENGTH = 2;
export const DEFAULT_STRENGTH = 1;

/** Per unit of strength: how much larger a loud word is drawn, how much smaller a whispered one (as the ASS export sizes them). */
export const LOUD_GROWTH = 0.35;
export const WHISPER_SHRINK = 0.25;
/**
 * How transparent a whispered word is, as the ASS export writes it (`\alpha`,
 * 0..255): 0x60 per unit of strength, at most 0x90, so it reads as quieter and
 * not only as smaller, but never vanishes.
 */
export const WHISPER_ALPHA = 0x60;
export const MAX_WHISPER_ALPHA = 0x90;

/** A strength from anywhere (storage, a slider, a query) as a number in 0..2; unreadable is the default. */
export function clampStrength(value: unknown): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
  if (!Number.isFinite(n)) return DEFAULT_STRENGTH;
  return Math.min(MAX_STRENGTH, Math.max(MIN_STRENGTH, n));
}

/** A word's emphasis as the analysis stored it; words without analysis (older jobs, typed-in words) are normal. */
export function emphasisOf(word: Readonly<Record<string, unknown>>): WordEmphasis {
  const emphasis = word['emphasis'];
  return emphasis === 'loud' || emphasis === 'whisper' ? emphasis : 'normal';
}

/** Size factor of a word: loud ×(1 + 0.35·s), whisper ×(1 − 0.25·s), normal ×1. */
export function emphasisScale(emphasis: WordEmphasis, strength: number): number {
  const s = clampStrength(strength);
  if (emphasis === 'loud') return 1 + LOUD_GROWTH * s;
  if (emphasis === 'whisper') return 1 - WHISPER_SHRINK * s;
  return 1;
}

export interface WordLook {
  scale: number;
  opacity: number;
}

/** How the preview draws a word: its size factor, and whispered words lighter. */
export function emphasisLook(emphasis: WordEmphasis, strength: number): WordLook {
  const s = clampStrength(strength);
  const alpha = emphasis === 'whisper' ? Math.min(MAX_WHISPER_ALPHA, Math.round(WHISPER_ALPHA * s)) : 0;
  return { scale: emphasisScale(emphasis, s), opacity: 1 - alpha / 255 };
}

/**
 * The colour the preview draws a speaker's words in, as the ASS export
 * colours each speaker (the original ECG did the same): theirs when the job
 * has more than one speaker; none (the plain look) with one speaker or for a
 * word nobody is said to speak.
 */
export function speakerTint(speakers: readonly CaptionSpeaker[], speaker: string | undefined): string | undefined {
  if (speakers.length < 2 || speaker === undefined) return undefined;
  return speakerColor(speakers, speaker);
}
