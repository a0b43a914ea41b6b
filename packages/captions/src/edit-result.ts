import type { Caption } from '@ecg/contracts';

/** Why an edit was refused; the web app shows a message per reason. */
export type EditRefusal =
  | 'CAPTION_NOT_FOUND'
  | 'SPLIT_AT_EDGE'
  | 'NO_NEXT_CAPTION'
  | 'INVALID_TIME'
  | 'START_NOT_BEFORE_END'
  | 'OVERLAPS_PREVIOUS'
  | 'OVERLAPS_NEXT'
  | 'EMPTY_TEXT';

/** Edits never throw on bad input from a person: they answer a refusal the UI can explain. */
export type EditResult = { ok: true; captions: Caption[] } | { ok: false; reason: EditRefusal };

export const ok = (captions: Caption[]): EditResult => ({ ok: true, captions });
export const refuse = (reason: EditRefusal): EditResult => ({ ok: false, reason });

/** Removes a caption; deleting an id that is not there is a refusal, not a silent no-op. */
export function deleteCaption(captions: readonly Caption[], id: string): EditResult {
  const i = captions.findIndex((c) => c.id === id);
  if (i < 0) return refuse('CAPTION_NOT_FOUND');
  return ok([...captions.slice(0, i), ...captions.slice(i + 1)]);
}
