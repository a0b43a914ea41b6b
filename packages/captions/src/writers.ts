import type { Caption } from '@ecg/contracts';
import { captionWordFields } from './named-fields.js';
import { formatTimestamp } from './timestamps.js';
import { exportCaptions, lastSpeaker, prefixedLines, type ExportCaption, type SpeakerExportOptions } from './speaker-export.js';
import { documentSpeakers, speakerIdsOf, speakerName, speakerTurnsOf } from './speakers.js';

export { dualSpeakerDash, type SpeakerExportOptions } from './speaker-export.js';

/** Each caption's shown lines with their dashes and names, one string per line, and the caption they came from. */
function bodies(captions: readonly Caption[], options: SpeakerExportOptions): Array<{ c: ExportCaption; lines: string[] }> {
  let previous: string | undefined;
  return exportCaptions(captions, options).map((c) => {
    const lines = prefixedLines(c, previous, options);
    previous = lastSpeaker(c) ?? previous;
    return { c, lines };
  });
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

/**
 * SubRip: cues numbered from 1, `HH:MM:SS,mmm --> HH:MM:SS,mmm`, blank-line
 * separated. A two-speaker cue gets `- ` before each line; `speakerNames`
 * adds `Name: ` (see SpeakerExportOptions). SRT has no speaker markup, so
 * without names nothing else is written.
 */
export function toSrt(captions: readonly Caption[], options: SpeakerExportOptions = {}): string {
  return bodies(captions, options)
    .map(
      ({ c, lines }, i) =>
        `${i + 1}\n${formatTimestamp(c.caption.start, ',')} --> ${formatTimestamp(c.caption.end, ',')}\n${escapeSrt(lines.join('\n'))}\n`,
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

/**
 * A name as a voice span's annotation: one line, and none of the characters
 * that would end the tag or start a character reference early (`>`, `&`;
 * `<` too, so no reader takes it for a new tag). The WebVTT spec lets the
 * annotation hold character references, which readers decode back.
 */
function escapeVoice(name: string): string {
  return escapeVtt(name.replace(/[\r\n]+/g, ' ')).trim();
}

/**
 * One cue's text: the lines of one speaker in a voice span `<v Name>…</v>`.
 * A two-speaker cue has a span per line with `- ` before it, outside the
 * span, so the dash is not taken for the speaker's words.
 */
function vttBody(c: ExportCaption, dash: string): string {
  if (!c.hasSpeakers) return escapeVtt(c.lines.map((l) => l.text).join('\n'));
  const voiced = (name: string | undefined, text: string): string =>
    name === undefined ? escapeVtt(text) : `<v ${escapeVoice(name)}>${escapeVtt(text)}</v>`;
  if (c.dashed) return c.lines.map((l) => `${escapeVtt(dash)}${voiced(l.name, l.text)}`).join('\n');
  const groups: Array<{ name: string | undefined; lines: string[] }> = [];
  for (const line of c.lines) {
    const last = groups[groups.length - 1];
    if (last && last.name === line.name) last.lines.push(line.text);
    else groups.push({ name: line.name, lines: [line.text] });
  }
  return groups.map((g) => voiced(g.name, g.lines.join('\n'))).join('\n');
}

/**
 * WebVTT with its `WEBVTT` header; timestamps `HH:MM:SS.mmm`. Speakers are
 * voice spans, `<v Name>…</v>`, always (they are metadata: players hide
 * them, screen readers and tools read them); browsers do not show voice
 * names, so a two-speaker cue also gets its dashes.
 */
export function toVtt(captions: readonly Caption[], options: SpeakerExportOptions = {}): string {
  const cues = exportCaptions(captions, options).map(
    (c) => `${formatTimestamp(c.caption.start, '.')} --> ${formatTimestamp(c.caption.end, '.')}\n${vttBody(c, options.dash ?? '- ')}\n`,
  );
  return ['WEBVTT\n', ...cues].join('\n');
}

/**
 * Plain transcript: one caption per line, its lines joined by spaces. With
 * speakers, a transcript reads as a script: a new paragraph (a blank line)
 * starts where the speaker changes, and a two-speaker caption is a paragraph
 * of its own, one dashed line per speaker, as on screen. With `speakerNames`
 * each paragraph opens with `Name: ` (each line of a dashed one). Captions
 * without speakers never change speaker, so they are written as before.
 */
export function toTxt(captions: readonly Caption[], options: SpeakerExportOptions = {}): string {
  const out: string[] = [];
  let previous: ExportCaption | undefined;
  for (const { c, lines } of bodies(captions, options)) {
    const changed = previous !== undefined && (c.dashed || previous.dashed || c.lines[0]!.speaker !== lastSpeaker(previous));
    if (changed) out.push('');
    out.push(...(c.dashed ? lines : [lines.join(' ')]));
    previous = c;
  }
  return out.length === 0 ? '' : `${out.join('\n')}\n`;
}

export interface JsonExportOptions {
  language?: string;
}

/**
 * Whisper-shaped JSON (`text`, `language`, `segments[{id,start,end,text,words}]`)
 * so tools that read Whisper's output read ours, with the caption id kept as
 * `caption_id`. Only named fields are written, whatever the captions carry:
 * pretty-printing multiplies whatever nests deep. With speakers, segments
 * and words carry `speaker` (as WhisperX writes them), and the document adds
 * `speakers: [{id, name}]` (the ones the captions mention, in the document's
 * order) and `turns: [{start, end, speaker}]` (speakerTurnsOf); without
 * speakers neither key is written.
 */
export function toJson(captions: readonly Caption[], options: JsonExportOptions & SpeakerExportOptions = {}): string {
  const segments = captions.map((c, i) => ({
    id: i,
    caption_id: c.id,
    start: c.start,
    end: c.end,
    text: c.text,
    ...(c.speaker === undefined ? {} : { speaker: c.speaker }),
    words: c.words.map(captionWordFields),
  }));
  const mentioned = new Set(speakerIdsOf(captions));
  const speakers = documentSpeakers(captions, options.speakers)
    .filter((s) => mentioned.has(s.id))
    .map((s) => ({ id: s.id, name: speakerName(options.speakers, s.id) }));
  const doc = {
    text: captions.map((c) => c.text).join(' '),
    ...(options.language === undefined ? {} : { language: options.language }),
    segments,
    ...(speakers.length === 0 ? {} : { speakers, turns: speakerTurnsOf(captions) }),
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}
