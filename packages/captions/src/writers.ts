import type { Caption } from '@ecg/contracts';
import { captionWordFields } from './named-fields.js';
import { formatTimestamp } from './timestamps.js';
import { shownLines } from './shown-lines.js';

/** Captions that have something to show; an empty cue is invalid in SRT. */
function shown(captions: readonly Caption[]): Array<{ caption: Caption; body: string }> {
  return captions.map((caption) => ({ caption, body: shownLines(caption.text) })).filter((c) => c.body !== '');
}

/** SubRip: cues numbered from 1, `HH:MM:SS,mmm --> HH:MM:SS,mmm`, blank-line separated. */
export function toSrt(captions: readonly Caption[]): string {
  return shown(captions)
    .map(
      ({ caption, body }, i) =>
        `${i + 1}\n${formatTimestamp(caption.start, ',')} --> ${formatTimestamp(caption.end, ',')}\n${body}\n`,
    )
    .join('\n');
}

/** WebVTT cue text must not hold `<`, `&` or `-->`; escaping `<`, `>`, `&` covers all three. */
function escapeVtt(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
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
