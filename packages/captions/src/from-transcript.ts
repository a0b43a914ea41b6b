import { SpeakerId, type Caption, type CaptionWord, type TranscriptResult } from '@ecg/contracts';
import { captionWordFields } from './named-fields.js';
import { normaliseText } from './text-align.js';

const clamp = (v: number, lo: number, hi: number): number => Math.min(Math.max(v, lo), hi);

/**
 * Captions from a transcript: one per non-empty segment, ids `c0`, `c1`, …
 * in order (the same result always gives the same ids). Whisper can emit a
 * segment that starts a few milliseconds before the previous one ends; such
 * starts are moved to the previous end so the list is ordered and free of
 * overlaps, which every editing operation relies on. Words keep the fields
 * a caption word names (timing, probability, loudness, pitch, emphasis,
 * speaker) and nothing else a transcript word may carry. A caption is opened
 * by its segment's speaker, else its first word's (the diarizer gives a
 * segment the speaker it overlaps most; its words may name others).
 */
export function fromTranscript(result: Pick<TranscriptResult, 'segments'>): Caption[] {
  const captions: Caption[] = [];
  let prevEnd = 0;
  for (const segment of result.segments) {
    const text = normaliseText(segment.text);
    if (text === '') continue;
    const start = Math.max(segment.start, prevEnd);
    const end = Math.max(segment.end, start);
    const words: CaptionWord[] = (segment.words ?? [])
      .filter((w) => w.word.trim() !== '')
      .map((w) => ({ ...captionWordFields(w), start: clamp(w.start, start, end), end: clamp(w.end, start, end) }));
    const caption: Caption = { id: `c${captions.length}`, start, end, text, words };
    const speaker = SpeakerId.safeParse(segment.speaker).success ? segment.speaker : words[0]?.speaker;
    if (speaker !== undefined) caption.speaker = speaker;
    captions.push(caption);
    prevEnd = end;
  }
  return captions;
}
