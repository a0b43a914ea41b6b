import type { Caption, CaptionWord } from '@ecg/contracts';
import { nextCaptionId } from './caption-ids.js';
import { ok, refuse, type EditResult } from './edit-result.js';
import { alignWords, joinTexts } from './text-align.js';
import { openedByFirstWord, wordSpeaker } from './caption-speaker.js';

const clamp = (v: number, lo: number, hi: number): number => Math.min(Math.max(v, lo), hi);

/**
 * Splits a caption at a character offset of its text (the cursor). The head
 * keeps the id; the tail gets a fresh one. Words go to the side holding their
 * middle character. The cut time is the tail's first word start when words on
 * both sides make that possible, otherwise the caption's time shared in
 * proportion to characters. Each part is opened by its first word's speaker
 * (the original's when it has no words); words without their own speaker
 * get the original's, so the tail does not silently change voice.
 */
export function splitCaption(captions: readonly Caption[], id: string, atChar: number): EditResult {
  const i = captions.findIndex((c) => c.id === id);
  const c = captions[i];
  if (!c) return refuse('CAPTION_NOT_FOUND');
  if (!Number.isInteger(atChar) || atChar <= 0 || atChar >= c.text.length) return refuse('SPLIT_AT_EDGE');
  const headText = c.text.slice(0, atChar).trim();
  const tailText = c.text.slice(atChar).trim();
  if (headText === '' || tailText === '') return refuse('SPLIT_AT_EDGE');

  const duration = c.end - c.start;
  const proportional = c.start + (duration * atChar) / c.text.length;
  const ranges = alignWords(c.text, c.words);
  const head: CaptionWord[] = [];
  const tail: CaptionWord[] = [];
  c.words.forEach((w, k) => {
    const range = ranges?.[k];
    const inHead = range ? (range[0] + range[1]) / 2 < atChar : (w.start + w.end) / 2 < proportional;
    const speaker = wordSpeaker(c, w);
    (inHead ? head : tail).push(speaker === undefined ? w : { ...w, speaker });
  });

  let cut = proportional;
  const firstTail = tail[0];
  if (head.length > 0 && firstTail && firstTail.start > c.start && firstTail.start < c.end) cut = firstTail.start;

  const headCaption: Caption = openedByFirstWord({
    ...c,
    end: cut,
    text: headText,
    words: head.map((w) => ({ ...w, start: clamp(w.start, c.start, cut), end: clamp(w.end, c.start, cut) })),
  });
  const tailCaption: Caption = openedByFirstWord({
    ...c,
    id: nextCaptionId(captions),
    start: cut,
    text: tailText,
    words: tail.map((w) => ({ ...w, start: clamp(w.start, cut, c.end), end: clamp(w.end, cut, c.end) })),
  });
  return ok([...captions.slice(0, i), headCaption, tailCaption, ...captions.slice(i + 1)]);
}

/**
 * Joins a caption with the one after it; the result keeps the first id and
 * spans both, and is opened by the first's speaker. The second's words keep
 * who spoke them (its own speaker for words that had none).
 */
export function mergeWithNext(captions: readonly Caption[], id: string): EditResult {
  const i = captions.findIndex((c) => c.id === id);
  const c = captions[i];
  if (!c) return refuse('CAPTION_NOT_FOUND');
  const next = captions[i + 1];
  if (!next) return refuse('NO_NEXT_CAPTION');
  const merged: Caption = {
    ...c,
    end: Math.max(c.end, next.end),
    text: joinTexts(c.text, next.text),
    words: [...c.words, ...next.words.map((w) => (w.speaker === undefined && next.speaker !== undefined ? { ...w, speaker: next.speaker } : w))],
  };
  return ok([...captions.slice(0, i), merged, ...captions.slice(i + 2)]);
}
