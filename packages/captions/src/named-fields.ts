import { CaptionWord, SpeakerId, type Caption } from '@ecg/contracts';

/**
 * Words and captions cut down to the fields the contract names. Two kinds of
 * input carry more: a transcript word (the result is open to fields a newer
 * ML service adds) and captions stored before saves were strict, which may
 * hold anything beside their named fields. Neither extra may reach an editor,
 * a save or an export (issue "Hardening", item 2). An optional field is kept
 * only when its value is one the contract takes, so the word that comes out
 * always passes CaptionWord; word, start and end are copied as they are.
 */

/** What a word needs to become a caption word; anything else it carries is looked at, never copied blindly. */
export type WordSource = Readonly<Pick<CaptionWord, 'word' | 'start' | 'end'>> & Readonly<Record<string, unknown>>;

// From the schema, so a field added to CaptionWord is kept here without a second list to update.
const OPTIONAL_WORD_FIELDS = Object.keys(CaptionWord.shape).filter((k) => !['word', 'start', 'end'].includes(k)) as Array<
  Exclude<keyof typeof CaptionWord.shape, 'word' | 'start' | 'end'>
>;

export function captionWordFields(w: WordSource): CaptionWord {
  const out: Record<string, unknown> = { word: w.word, start: w.start, end: w.end };
  for (const key of OPTIONAL_WORD_FIELDS) {
    const value = w[key];
    if (value !== undefined && CaptionWord.shape[key].safeParse(value).success) out[key] = value;
  }
  // Each key copied above passed its own field's schema.
  return out as CaptionWord;
}

export function captionFields(c: Caption): Caption {
  const out: Caption = { id: c.id, start: c.start, end: c.end, text: c.text, words: c.words.map(captionWordFields) };
  if (c.speaker !== undefined && SpeakerId.safeParse(c.speaker).success) out.speaker = c.speaker;
  return out;
}
