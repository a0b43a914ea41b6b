/**
 * Caption text as shown: line breaks kept, each line trimmed, blank lines
 * removed (a blank line ends a cue in SRT and WebVTT and would cut the caption
 * short; in ASS it would draw an empty line). Internal to the writers.
 */
export function shownLines(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .join('\n');
}
