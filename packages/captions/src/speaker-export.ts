import type { Caption, CaptionSpeaker } from '@ecg/contracts';
import { speakerLines, speakerName } from './speakers.js';
import { normaliseText } from './text-align.js';

/*
 * What every writer needs to know about a caption's speakers, worked out
 * once. The writers follow the dual-speaker ("dash") convention of the
 * Netflix Timed Text Style Guide: in a caption holding two speakers, each
 * speaker's line starts with a dash (dualSpeakerDash: a hyphen and a space,
 * or for English a bare hyphen). The dash is never stored in the text (the
 * editor shows speakers per line instead), so it is added here, at export,
 * where each format needs it.
 */

/**
 * The mark before each line of a two-speaker caption in `language`. The
 * Netflix guides differ on the space: the English guide (and its SDH one)
 * writes a hyphen without a space ("-Are you coming?" / "-In a minute."),
 * the Korean guide a hyphen followed by a space ("- 하지만 왜"), as do the
 * other guides' examples the issue follows. Unknown language: "- ".
 */
export function dualSpeakerDash(language: string | undefined): string {
  return /^en(?:-|$)/i.test(language ?? '') ? '-' : '- ';
}

export interface SpeakerExportOptions {
  /** Names per speaker id; an id without an entry is written as defaultSpeakerName(id). */
  speakers?: readonly CaptionSpeaker[];
  /** SRT and TXT: prefix `Name: ` where the speaker changes (and on each line of a two-speaker caption). Off by default. */
  speakerNames?: boolean;
  /** The mark before each line of a two-speaker caption; default "- " (see dualSpeakerDash for the language's own). */
  dash?: string;
}

export interface ExportLine {
  /** The shown line, trimmed, as the caption holds it (no dash, no name). */
  text: string;
  speaker: string | undefined;
  /** The speaker's name on one line (names are one line in every format), or undefined without a speaker. */
  name: string | undefined;
}

export interface ExportCaption {
  caption: Caption;
  lines: ExportLine[];
  /** The lines hold two or more speakers: each line gets a dash. */
  dashed: boolean;
  /** Any line has a speaker: the writers add speaker markup only then, so captions without speakers export as they always did. */
  hasSpeakers: boolean;
}

/** Captions with something to show (an empty cue is invalid in SRT), each with its lines and their speakers. */
export function exportCaptions(captions: readonly Caption[], options: SpeakerExportOptions = {}): ExportCaption[] {
  const out: ExportCaption[] = [];
  for (const caption of captions) {
    const lines = speakerLines(caption).map(({ text, speaker }) => ({
      text,
      speaker,
      name: speaker === undefined ? undefined : normaliseText(speakerName(options.speakers, speaker)),
    }));
    if (lines.length === 0) continue;
    const distinct = new Set(lines.map((l) => l.speaker).filter((s) => s !== undefined));
    out.push({ caption, lines, dashed: distinct.size >= 2, hasSpeakers: distinct.size > 0 });
  }
  return out;
}

/** The speaker that ends a caption (its last line's), for telling where the speaker changes. */
export function lastSpeaker(c: ExportCaption): string | undefined {
  return c.lines[c.lines.length - 1]?.speaker;
}

/**
 * SRT's and TXT's text lines for one caption: `- ` before each line of a
 * two-speaker caption, and with `speakerNames` `Name: ` on every line of a
 * two-speaker caption and on the first line where the speaker changes from
 * the caption before (`previous`). Returned unescaped.
 */
export function prefixedLines(c: ExportCaption, previous: string | undefined, options: SpeakerExportOptions): string[] {
  let speaking = previous;
  return c.lines.map((line, k) => {
    const named = options.speakerNames === true && line.name !== undefined && (c.dashed || (k === 0 && line.speaker !== speaking));
    speaking = line.speaker ?? speaking;
    return `${c.dashed ? (options.dash ?? '- ') : ''}${named ? `${line.name}: ` : ''}${line.text}`;
  });
}
