import {
  CaptionProfile as CaptionProfileSchema,
  type CaptionLayoutRequest,
  type CaptionProfile,
  type CaptionProfileName,
} from '@ecg/contracts';

/*
 * The figures of each profile and where they come from. Pages quoted:
 * - [NF-GEN]  Netflix, "Timed Text Style Guide: General Requirements"
 *             partnerhelp.netflixstudios.com/hc/en-us/articles/215758617
 * - [NF-TMPL] Netflix, "English Template Timed Text Style Guide" (articles/219375728)
 * - [NF-KO]   Netflix, "Korean Timed Text Style Guide" (articles/216001127)
 * - [NF-JA]   Netflix, "Japanese Timed Text Style Guide" (articles/215767517)
 * - [NF-ZHS]  Netflix, "Simplified Chinese (PRC) Timed Text Style Guide" (articles/215986007)
 * - [NF-RS]   Netflix, "How is reading speed measured? Do punctuation and spaces count?"
 *             backlothelp.netflix.com/hc/en-us/articles/115001352212
 * - [NF-TIME] Netflix, "Timed Text Style Guide: Subtitle Timing Guidelines" (articles/360051554394)
 * - [BBC]     BBC Subtitle Guidelines, bbc.github.io/subtitle-guidelines: 5.2 (as the
 *             W3C "Media Timed Events" note quotes it) and the 160-180 words a
 *             minute of its timing section
 * - [TABLE]   sublingo.cc "Subtitle specs by language", a table of the Netflix
 *             per-language figures; used where the Netflix page itself could
 *             not be read, and marked "unconfirmed" there.
 */

/** [NF-GEN] "2 lines maximum". */
const MAX_LINES = 2;
/** [NF-GEN] "Minimum duration: 5/6 (five-sixths) of a second per subtitle event". */
const MIN_DURATION_S = 5 / 6;
/** [NF-GEN] "Maximum duration: 7 seconds per subtitle event". */
const MAX_DURATION_S = 7;
/** [NF-TMPL] "Frame Gap: 2 frames minimum (regardless of frame rate)"; [NF-TIME] "The minimum frame gap remains as 2 frames for all frame rates". */
const MIN_GAP_FRAMES = 2;

/*
 * Vertical (9:16) video: ECG's own renderer (toAss in ../ass.ts) draws text
 * 1/18 of the frame's height tall with 5% side margins, the way players size
 * captions by frame height. A 9:16 frame is 9/16 as wide as it is tall, so a
 * line holds 0.9 × (9/16) × 18 = 9.1 full-width characters (em), and twice as
 * many Latin ones, Latin letters being half-width as the Korean and Japanese
 * guides count them ([NF-KO], [NF-JA]). A vertical line is the published line
 * or that, whichever is shorter: 18 Latin characters, 9 full-width ones. (The
 * "vertical subtitles" of [NF-JA], 11 a line, are vertical *writing*, not
 * portrait video.)
 */
const VERTICAL_EM_PER_LINE = 0.9 * (9 / 16) * 18;

interface Figures {
  /** In the profile's width units (text-width.ts). */
  maxCharsPerLine: number;
  /** How many width units one em of the vertical frame holds: 2 for half-width Latin text, 1 for full-width. */
  unitsPerEm: number;
  maxCharsPerSecond: number;
}

const FIGURES: Readonly<Record<CaptionProfileName, Figures>> = {
  en: {
    // [NF-TMPL] "Character Limitation: 42 characters per line".
    maxCharsPerLine: 42,
    unitsPerEm: 2,
    // Netflix's English (USA) guide: adult programmes up to 20 characters per second
    // (unconfirmed: that page could not be read; [TABLE] gives 20). [NF-TMPL] gives 17
    // for translation templates, [BBC] 160-180 words a minute (about 15-17 cps).
    maxCharsPerSecond: 20,
  },
  latin: {
    // 42 a line in the Netflix guides of the languages written in plain characters:
    // [TABLE] for Spanish, French, German, Italian, Portuguese, Russian, Arabic, …;
    // confirmed for English in [NF-TMPL]. Also the fallback for any other language.
    maxCharsPerLine: 42,
    unitsPerEm: 2,
    // [NF-TMPL] "Adult programs: 200 words per minute / 17 characters per second";
    // [TABLE] gives 17 for Spanish, French, German, Italian, Portuguese, Dutch, ….
    maxCharsPerSecond: 17,
  },
  ko: {
    // [NF-KO] "16 characters per line; Latin characters, spaces, punctuation count as 0.5 character".
    maxCharsPerLine: 16,
    unitsPerEm: 1,
    // Unconfirmed: [NF-KO] has a "Reading Speed Limits" section whose figure could not
    // be read; [TABLE] and Pixelogic's Korean spec give 12 for adult programmes.
    maxCharsPerSecond: 12,
  },
  ja: {
    // [NF-JA] "Horizontal subtitles - Maximum 13 full-width characters per line";
    // "Half-width character, space, and punctuation counts as 0.5 characters".
    maxCharsPerLine: 13,
    unitsPerEm: 1,
    // Unconfirmed on the Netflix page: [TABLE] gives 4, the long-standing Japanese
    // rule of four characters a second (Toyokura & Yamada 2017, JAITS).
    maxCharsPerSecond: 4,
  },
  'zh-hans': {
    // [NF-ZHS] "Character Limitation: 16 characters per line".
    maxCharsPerLine: 16,
    unitsPerEm: 1,
    // Unconfirmed on the Netflix page: [TABLE] gives 9.
    maxCharsPerSecond: 9,
  },
  'zh-hant': {
    // Unconfirmed: the Netflix Traditional Chinese page could not be read; [TABLE] gives 16.
    maxCharsPerLine: 16,
    unitsPerEm: 1,
    // Unconfirmed: [TABLE] gives 9, as does Pixelogic's Traditional (Hong Kong) spec.
    maxCharsPerSecond: 9,
  },
};

/** A published profile, landscape or vertical, before any override. */
export function captionProfile(name: CaptionProfileName, vertical = false): CaptionProfile {
  const f = FIGURES[name];
  const verticalLine = Math.floor(VERTICAL_EM_PER_LINE * f.unitsPerEm);
  return {
    name,
    vertical,
    max_chars_per_line: vertical ? Math.min(f.maxCharsPerLine, verticalLine) : f.maxCharsPerLine,
    max_lines: MAX_LINES,
    min_duration: MIN_DURATION_S,
    max_duration: MAX_DURATION_S,
    min_gap_frames: MIN_GAP_FRAMES,
    max_chars_per_second: f.maxCharsPerSecond,
  };
}

// Chinese written in Traditional characters: Taiwan, Hong Kong, Macau, and
// Cantonese, which Hong Kong subtitles write in Traditional characters.
const TRADITIONAL = /^(zh-(hant|tw|hk|mo)|yue)(-|$)/;

/**
 * The profile a transcript language gets by default. Takes Whisper's ISO 639-1
 * codes (`en`, `ko`, `ja`, `zh`, `de`, …) and BCP 47 tags (`zh-Hant`, `zh-TW`,
 * `en-GB`); `zh` is Simplified, the script of most Mandarin speakers. Every
 * other language, and none, gets `latin` (42 plain characters a line).
 */
export function profileForLanguage(lang: string | null | undefined): CaptionProfileName {
  const tag = (lang ?? '').trim().toLowerCase().replace(/_/g, '-');
  const primary = tag.split('-')[0];
  if (primary === 'en') return 'en';
  if (primary === 'ko') return 'ko';
  if (primary === 'ja') return 'ja';
  if (TRADITIONAL.test(tag)) return 'zh-hant';
  if (primary === 'zh') return 'zh-hans';
  return 'latin';
}

/**
 * The concrete profile for a layout request: the named profile (or the
 * language's), vertical if asked, with the overrides on top. An override
 * minimum duration above the maximum (only possible when one of the two
 * comes from the profile) is lowered to it, so the result always passes the
 * CaptionProfile schema.
 */
export function resolveProfile(request: CaptionLayoutRequest | null | undefined, language?: string | null): CaptionProfile {
  const name = request?.profile ?? profileForLanguage(language);
  const base = captionProfile(name, request?.vertical ?? false);
  const o = request?.overrides ?? {};
  const merged: CaptionProfile = {
    ...base,
    ...(o.max_chars_per_line !== undefined && { max_chars_per_line: o.max_chars_per_line }),
    ...(o.max_lines !== undefined && { max_lines: o.max_lines }),
    ...(o.min_duration !== undefined && { min_duration: o.min_duration }),
    ...(o.max_duration !== undefined && { max_duration: o.max_duration }),
    ...(o.min_gap_frames !== undefined && { min_gap_frames: o.min_gap_frames }),
    ...(o.max_chars_per_second !== undefined && { max_chars_per_second: o.max_chars_per_second }),
  };
  if (merged.min_duration > merged.max_duration) merged.min_duration = merged.max_duration;
  return merged;
}

/** Whether a value is a profile the engine can use (a caller building one by hand checks it here). */
export function isCaptionProfile(value: unknown): value is CaptionProfile {
  return CaptionProfileSchema.safeParse(value).success;
}
