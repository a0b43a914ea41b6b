import type { CaptionProfileName } from '@ecg/contracts';

/*
 * How long a line is, as the guides count it.
 * - `plain` (en, latin): one per character, spaces and punctuation included
 *   (Netflix: "This includes spaces and punctuation").
 * - `east-asian` (ko, ja, zh-*): a full-width character is 1 and anything
 *   half-width (Latin letters, digits, the ASCII space, ASCII punctuation) is
 *   0.5: Netflix's Korean guide ("Latin characters, spaces, punctuation count
 *   as 0.5 character"), Japanese guide ("Half-width character, space, and
 *   punctuation counts as 0.5 characters") and, for the other character-based
 *   languages, "How is reading speed measured?" ("punctuation and Latin
 *   characters count as 0.5 character"). Reading speed counts the same way.
 * In both, combining marks, zero-width characters and control characters
 * (a line break) count 0: they take no place of their own on screen.
 */
export type WidthScheme = 'plain' | 'east-asian';

export function widthScheme(name: CaptionProfileName): WidthScheme {
  return name === 'en' || name === 'latin' ? 'plain' : 'east-asian';
}

const ZERO_WIDTH = /[\p{Mn}\p{Me}\p{Cc}\p{Cf}]/u;

/**
 * East Asian Wide and Fullwidth characters: the ranges of Markus Kuhn's
 * wcwidth (the terminal convention for "takes two cells"), plus the emoji
 * blocks Unicode 9 made wide.
 */
export function isWide(cp: number): boolean {
  if (cp < 0x1100) return false;
  return (
    cp <= 0x115f || // Hangul Jamo leading consonants
    cp === 0x2329 ||
    cp === 0x232a ||
    (cp >= 0x2e80 && cp <= 0xa4cf && cp !== 0x303f) || // CJK radicals … Yi, kana, CJK symbols and punctuation
    (cp >= 0xac00 && cp <= 0xd7a3) || // Hangul syllables
    (cp >= 0xf900 && cp <= 0xfaff) || // CJK compatibility ideographs
    (cp >= 0xfe10 && cp <= 0xfe19) || // vertical forms
    (cp >= 0xfe30 && cp <= 0xfe6f) || // CJK compatibility forms
    (cp >= 0xff00 && cp <= 0xff60) || // fullwidth forms
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1f64f) || // emoji
    (cp >= 0x1f900 && cp <= 0x1f9ff) ||
    (cp >= 0x20000 && cp <= 0x2fffd) || // CJK extensions B…
    (cp >= 0x30000 && cp <= 0x3fffd)
  );
}

/** Width of one character (a code point as a string). */
export function charWidth(ch: string, scheme: WidthScheme): number {
  if (ZERO_WIDTH.test(ch)) return 0;
  if (scheme === 'plain') return 1;
  return isWide(ch.codePointAt(0) ?? 0) ? 1 : 0.5;
}

/** Width of a text in a scheme's units; line breaks count nothing. */
export function textWidth(text: string, scheme: WidthScheme): number {
  let width = 0;
  for (const ch of text) width += charWidth(ch, scheme);
  return width;
}
