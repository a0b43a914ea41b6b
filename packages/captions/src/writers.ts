import type { Caption } from '@ecg/contracts';
import { captionWordFields } from './named-fields.js';
import { formatTimestamp } from './timestamps.js';
import { shownLines } from './shown-lines.js';

/** Captions that have something to show; an empty cue is invalid in SRT. */
function shown(captions: readonly Caption[]): Array<{ caption: Caption; body: string }> {
  return captions.map((caption) => ({ caption, body: shownLines(caption.text) })).filter((c) => c.body !== '');
}

/** Zero-width and default-ignorable: shapers (HarfBuzz under libass, browsers, VLC) draw nothing for it. */
const WORD_JOINER = '\u2060';

/**
 * SubRip has no escapes, yet players read a lot into cue text. ffmpeg's
 * demuxer (mpv, the subtitles filter) starts a new cue at any line that
 * parses as a timing line, blank line before it or not. Its decoder turns
 * `<b>`, `<font …>` into styling and drops unknown `<tags>` with their
 * letters, drops `{\…}` blocks but keeps `{\an8}` (VLC honours it too), and
 * copies a bare `{…}` and any `\N`, `\n`, `\h` into the ASS that libass
 * draws, where `{…}` hides its text. Cue text therefore stays readable but inert:
 * - `{` and `}` become ❴ ❵ (U+2774/U+2775, in DejaVu Sans). No escape
 *   survives: the decoder re-emits `\{` as it came and drops `{\` blocks whole.
 * - A WORD JOINER goes after every `<` and `\` (no tag name or escape letter
 *   follows them any more) and between `--` and `>` (no line holds `-->`, so
 *   none is a timing line to any reader).
 * `<` is kept rather than swapped: with the joiner it shows as typed, the way
 * the editor, WebVTT and ASS show it. `&` needs nothing: SRT readers keep
 * `&amp;` as written. Blank lines are gone already (shownLines); a blank line
 * would end the cue.
 */
function escapeSrt(text: string): string {
  return text
    .replace(/[<\\]/g, (c) => `${c}${WORD_JOINER}`)
    .replace(/-->/g, `--${WORD_JOINER}>`)
    .replace(/\{/g, '\u2774')
    .replace(/\}/g, '\u2775');
}

/** SubRip: cues numbered from 1, `HH:MM:SS,mmm --> HH:MM:SS,mmm`, blank-line separated. */
export function toSrt(captions: readonly Caption[]): string {
  return shown(captions)
    .map(
      ({ caption, body }, i) =>
        `${i + 1}\n${formatTimestamp(caption.start, ',')} --> ${formatTimestamp(caption.end, ',')}\n${escapeSrt(body)}\n`,
    )
    .join('\n');
}

/**
 * WebVTT cue text must not hold `<`, `&` or `-->`; escaping `<`, `>`, `&`
 * covers all three. A WORD JOINER after each `\` is for players that draw
 * WebVTT through libass: ffmpeg's WebVTT decoder (5.1) escapes braces but
 * copies `\N`, `\n`, `\h` into ASS as they are, so `C:\new` would break.
 */
function escapeVtt(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\\/g, `\\${WORD_JOINER}`);
}

/** WebVTT with its `WEBVTT` header; timestamps `HH:MM:SS.mmm`. */
export function toVtt(captions: readonly Caption[]): string {
  const cues = shown(captions).map(
    ({ caption, body }) =>
      `${formatTimestamp(caption.start, '.')} --> ${formatTimestamp(caption.end, '.')}\n${escapeVtt(body)}\n`,
  );
  return ['WEBVTT\n', ...cues].join('\n');
}

/** Plain transcript: one caption per line. */
export function toTxt(captions: readonly Caption[]): string {
  const lines = shown(captions).map(({ body }) => body.replace(/\n/g, ' '));
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

export interface JsonExportOptions {
  language?: string;
}

/**
 * Whisper-shaped JSON (`text`, `language`, `segments[{id,start,end,text,words}]`)
 * so tools that read Whisper's output read ours, with the caption id kept as
 * `caption_id`. Only named fields are written, whatever the captions carry:
 * pretty-printing multiplies whatever nests deep.
 */
export function toJson(captions: readonly Caption[], options: JsonExportOptions = {}): string {
  const segments = captions.map((c, i) => ({
    id: i,
    caption_id: c.id,
    start: c.start,
    end: c.end,
    text: c.text,
    words: c.words.map(captionWordFields),
  }));
  const doc = {
    text: captions.map((c) => c.text).join(' '),
    ...(options.language === undefined ? {} : { language: options.language }),
    segments,
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}
