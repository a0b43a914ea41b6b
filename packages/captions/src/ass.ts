import type { Caption, CaptionSpeaker, CaptionWord } from '@ecg/contracts';
import { alignWords } from './text-align.js';
import { shownLines } from './shown-lines.js';
import { exportCaptions, type ExportCaption, type SpeakerExportOptions } from './speaker-export.js';
import { documentSpeakers, speakerColor } from './speakers.js';

/**
 * Advanced SubStation Alpha (ASS v4.00+) subtitles: word-by-word karaoke
 * timing and, when expressive, a size per word from the measured emphasis.
 * libass (ffmpeg's `ass` filter, mpv, VLC) renders it; the backend burns it
 * into video with the same text, so the export and the render never differ.
 */

export interface AssOptions {
  /** Size words by their `emphasis` (loud bigger, whisper smaller and lighter). */
  expressive: boolean;
  /** How strongly emphasis changes a word: 0 none, 1 default, 2 exaggerated (clamped to 0..2). */
  strength: number;
  /** Written to [Script Info] Title (the video's name, usually). */
  title?: string;
  /** The script's coordinate space; libass scales it to the video. Default 1920x1080. */
  playResX?: number;
  playResY?: number;
  /** Written to [Script Info] as a hint for players; libass ignores it. */
  language?: string;
}

/** Installed on Debian by fonts-dejavu-core; libass falls back through fontconfig for scripts it lacks (Hangul). */
export const ASS_FONT = 'DejaVu Sans';

const LOUD_GROWTH = 0.35;
const WHISPER_SHRINK = 0.25;
const WHISPER_ALPHA = 0x60;
// Beyond this a whispered word at strength 2 would all but vanish.
const MAX_WHISPER_ALPHA = 0x90;

/** `h:mm:ss.cc`, the only time form ASS knows: centiseconds, rounded; hours unpadded and unbounded. */
export function formatAssTime(seconds: number): string {
  const totalCs = toCentiseconds(seconds);
  const cs = totalCs % 100;
  const totalS = Math.floor(totalCs / 100);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${Math.floor(totalS / 3600)}:${two(Math.floor(totalS / 60) % 60)}:${two(totalS % 60)}.${two(cs)}`;
}

function toCentiseconds(seconds: number): number {
  return Number.isFinite(seconds) && seconds > 0 ? Math.round(seconds * 100) : 0;
}

/**
 * Caption text as ASS dialogue text. `{`/`}` would open and close an override
 * block: libass reads `\{` and `\}` as literal braces. A backslash is only
 * special before N, n, h or a brace, so a WORD JOINER (zero-width, hidden by
 * the shaper) after each one keeps `C:\new` from turning into a line break.
 * Line breaks become `\N`.
 */
export function escapeAssText(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/\\/g, '\\\u2060')
    .replace(/[{}]/g, (brace) => `\\${brace}`)
    .replace(/\n/g, '\\N');
}


interface Sizes {
  base: number;
  loud: number;
  whisper: number;
  whisperAlpha: number;
}

function sizesFor(playResY: number, strength: number): Sizes {
  const base = Math.max(1, Math.round(playResY / 18));
  const s = Math.min(2, Math.max(0, Number.isFinite(strength) ? strength : 0));
  return {
    base,
    loud: Math.round(base * (1 + LOUD_GROWTH * s)),
    whisper: Math.max(1, Math.round(base * (1 - WHISPER_SHRINK * s))),
    whisperAlpha: Math.min(MAX_WHISPER_ALPHA, Math.round(WHISPER_ALPHA * s)),
  };
}

const hex2 = (n: number): string => n.toString(16).toUpperCase().padStart(2, '0');

/** Override tags opening an emphasised word; empty for a normal one or when emphasis changes nothing. */
function emphasisTags(word: CaptionWord, sizes: Sizes | null): string {
  if (!sizes) return '';
  const emphasis = word['emphasis'];
  if (emphasis === 'loud' && sizes.loud !== sizes.base) return `\\fs${sizes.loud}`;
  if (emphasis === 'whisper' && (sizes.whisper !== sizes.base || sizes.whisperAlpha > 0)) {
    return `\\fs${sizes.whisper}${sizes.whisperAlpha > 0 ? `\\alpha&H${hex2(sizes.whisperAlpha)}&` : ''}`;
  }
  return '';
}

/**
 * What goes at the start of each shown line of a caption (already ASS: an
 * override block, a dash) and the tags that reset a word's emphasis on that
 * line (`\r` alone would also reset a line's speaker colour to the style's).
 */
interface LineDecor {
  prefix: string;
  reset: string;
}

const PLAIN_LINE: LineDecor = { prefix: '', reset: '{\\r}' };

/** Escaped text with each line's prefix after every line break in it; `line` is the line the text starts on. */
function decorated(text: string, line: number, decor: readonly LineDecor[]): { out: string; line: number } {
  const parts = text.split('\n');
  const out = parts
    .map((part, k) => (k === 0 ? '' : `\\N${decor[line + k]?.prefix ?? ''}`) + escapeAssText(part))
    .join('');
  return { out, line: line + parts.length - 1 };
}

/**
 * One caption's dialogue text. With words that spell its text, each word gets
 * `{\kNN}` (centiseconds until the next word starts; a gap after a word is
 * folded into its \k, a silence before the first word is a leading \k of its
 * own), so the \k values sum to the caption's duration exactly. Words that no
 * longer spell the text (edited outside the editor) are not trusted: the text
 * is written plain. `decor` adds each line's speaker colour and dash.
 */
function dialogueText(caption: Caption, sizes: Sizes | null, decor: readonly LineDecor[] = []): string {
  const text = shownLines(caption.text);
  const words = caption.words.filter((w) => w.word.trim() !== '');
  const ranges = words.length > 0 ? alignWords(text, words) : null;
  const first = decor[0]?.prefix ?? '';
  if (!ranges) return first + decorated(text, 0, decor).out;

  const startCs = toCentiseconds(caption.start);
  const total = Math.max(0, toCentiseconds(caption.end) - startCs);
  const at: number[] = [];
  let previous = 0;
  for (const w of words) {
    previous = Math.min(total, Math.max(previous, toCentiseconds(w.start) - startCs));
    at.push(previous);
  }

  let out = first + (at[0]! > 0 ? `{\\k${at[0]}}` : '');
  let line = 0;
  // Anything before the first word (alignWords allows only whitespace there) is trimmed away already.
  words.forEach((word, i) => {
    const [from, to] = ranges[i]!;
    const nextFrom = i + 1 < words.length ? ranges[i + 1]![0] : text.length;
    const k = (i + 1 < words.length ? at[i + 1]! : total) - at[i]!;
    const tags = emphasisTags(word, sizes);
    const reset = tags ? (decor[line] ?? PLAIN_LINE).reset : '';
    const after = decorated(text.slice(to, nextFrom), line, decor);
    out += `{\\k${k}${tags}}${escapeAssText(text.slice(from, to))}${reset}${after.out}`;
    line = after.line;
  });
  return out;
}

/** `#rrggbb` as ASS's `BBGGRR` (ASS writes colours blue first). */
function bgr(hex: string): string {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  return m ? `${m[3]}${m[2]}${m[1]}`.toUpperCase() : 'FFFFFF';
}

/** `#rrggbb` as a style colour, `&HAABBGGRR` (alpha 00: opaque). */
export function assColour(hex: string): string {
  return `&H00${bgr(hex)}`;
}

/** Halfway from `hex` to the karaoke grey: the speaker's colour, dimmed, for words not yet spoken. */
function dimmed(hex: string): string {
  const grey = 0xb0;
  const mix = (k: number): string => Math.round((parseInt(hex.slice(k, k + 2), 16) + grey) / 2).toString(16).padStart(2, '0');
  return `#${mix(1)}${mix(3)}${mix(5)}`;
}

/**
 * A speaker's name as an ASS style name and Dialogue `Name` field: both are
 * comma-separated fields, and a style name also follows `\r` in override
 * blocks, so commas, braces and backslashes go, and the name is one line.
 */
function assName(name: string): string {
  return name.replace(/[,{}\\]/g, ' ').replace(/\s+/g, ' ').trim();
}

interface SpeakerStyle {
  style: string;
  name: string;
  /** Style colours, `&H00BBGGRR`. */
  primary: string;
  secondary: string;
  /** The same as override tags take them: `&HBBGGRR&`. */
  primaryTag: string;
  secondaryTag: string;
}

/**
 * A style per speaker the captions mention, named after the speaker, unique
 * (libass finds styles by name; a second "Ana" or a speaker named "Default"
 * gets its id added) and coloured by speakerColor over the document's list,
 * so a speaker has the colour the editor shows.
 */
function speakerStyles(captions: readonly ExportCaption[], saved: readonly CaptionSpeaker[] | undefined): Map<string, SpeakerStyle> {
  const list = documentSpeakers(
    captions.map((c) => c.caption),
    saved,
  );
  const used = new Set(['default']);
  const styles = new Map<string, SpeakerStyle>();
  for (const c of captions) {
    for (const line of c.lines) {
      if (line.speaker === undefined || styles.has(line.speaker)) continue;
      const name = assName(line.name ?? '') || line.speaker;
      const style = used.has(name.toLowerCase()) ? `${name} (${line.speaker})` : name;
      used.add(style.toLowerCase());
      const colour = speakerColor(list, line.speaker);
      styles.set(line.speaker, {
        style,
        name,
        primary: assColour(colour),
        secondary: assColour(dimmed(colour)),
        primaryTag: `&H${bgr(colour)}&`,
        secondaryTag: `&H${bgr(dimmed(colour))}&`,
      });
    }
  }
  return styles;
}

/** Removes what would end a header line early. */
function headerValue(value: string): string {
  return value.replace(/[\r\n]+/g, ' ').trim();
}

/**
 * A complete ASS script for the captions: [Script Info], one `Default` style
 * (DejaVu Sans, white with a black outline, bottom centre) and one Dialogue
 * line per caption with text. With speakers, each speaker gets a style like
 * Default in its own colour (spoken words; words still to come are that
 * colour dimmed), and a Dialogue line its opening speaker's style and name.
 * A two-speaker caption also gets a dash and the speaker's colour
 * (`{\c…\2c…}`) at the start of each line.
 */
export function toAss(captions: readonly Caption[], opts: AssOptions & SpeakerExportOptions): string {
  const playResX = Math.max(1, Math.round(opts.playResX ?? 1920));
  const playResY = Math.max(1, Math.round(opts.playResY ?? 1080));
  const sizes = sizesFor(playResY, opts.strength);
  const outline = Math.max(1, Math.round(sizes.base / 20));
  const shadow = Math.max(1, Math.round(sizes.base / 40));
  const marginH = Math.round(playResX * 0.05);
  const marginV = Math.round(playResY * 0.05);
  const shown = exportCaptions(captions, opts);
  const speakers = speakerStyles(shown, opts.speakers);

  const info = [
    '[Script Info]',
    '; Written by ECG: word-by-word karaoke timing, word sizes from the measured emphasis',
    ...(opts.title !== undefined && headerValue(opts.title) !== '' ? [`Title: ${headerValue(opts.title)}`] : []),
    'ScriptType: v4.00+',
    'WrapStyle: 0',
    'ScaledBorderAndShadow: yes',
    `PlayResX: ${playResX}`,
    `PlayResY: ${playResY}`,
    ...(opts.language !== undefined && headerValue(opts.language) !== '' ? [`Language: ${headerValue(opts.language)}`] : []),
  ];
  const styles = [
    '[V4+ Styles]',
    'Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding',
    // Karaoke: a word is drawn in SecondaryColour (grey) until its \k time, then in PrimaryColour (white).
    ...[{ style: 'Default', primary: '&H00FFFFFF', secondary: '&H00B0B0B0' }, ...speakers.values()].map(
      (s) =>
        `Style: ${s.style},${ASS_FONT},${sizes.base},${s.primary},${s.secondary},&H00000000,&H80000000,-1,0,0,0,100,100,0,0,1,${outline},${shadow},2,${marginH},${marginH},${marginV},1`,
    ),
  ];
  const expressive = opts.expressive ? sizes : null;
  const events = [
    '[Events]',
    'Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text',
    ...shown.map((c) => {
      const opener = speakers.get(c.lines[0]!.speaker ?? '');
      const decor = c.dashed ? c.lines.map((l) => dashedLine(speakers.get(l.speaker ?? ''), opts.dash ?? '- ')) : [];
      const { caption } = c;
      return `Dialogue: 0,${formatAssTime(caption.start)},${formatAssTime(Math.max(caption.start, caption.end))},${opener?.style ?? 'Default'},${opener?.name ?? ''},0,0,0,,${dialogueText(caption, expressive, decor)}`;
    }),
  ];
  return `${[info.join('\n'), styles.join('\n'), events.join('\n')].join('\n\n')}\n`;
}

/** A line of a two-speaker caption: its speaker's colours, then the dash. */
function dashedLine(style: SpeakerStyle | undefined, dash: string): LineDecor {
  const colours = style ? `\\c${style.primaryTag}\\2c${style.secondaryTag}` : '';
  return { prefix: `${colours ? `{${colours}}` : ''}${escapeAssText(dash)}`, reset: `{\\r${colours}}` };
}
