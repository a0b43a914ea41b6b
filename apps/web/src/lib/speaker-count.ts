import type { SpeakerCountOptions } from '@ecg/contracts';

/**
 * The upload form's "Number of speakers" choices: automatic, or 1 to 10.
 * The contract takes up to MAX_SPEAKERS (32), but past ten a person rarely
 * knows the exact count of voices in a recording, and auto (which looks for
 * up to that limit) is the better answer there.
 */
export const SPEAKER_COUNT_CHOICES: readonly number[] = Array.from({ length: 10 }, (_, i) => i + 1);

/** 'auto' or a count from the choices. */
export type SpeakerCountChoice = 'auto' | number;

/** A `<select>` value as a choice; anything not offered (a tampered value) is auto. */
export function readSpeakerCount(value: string): SpeakerCountChoice {
  const n = Number(value);
  return SPEAKER_COUNT_CHOICES.includes(n) ? n : 'auto';
}

/** What request-process is sent: `num_speakers` for a count, nothing for auto. */
export function speakerCountRequest(choice: SpeakerCountChoice): SpeakerCountOptions {
  return choice === 'auto' ? {} : { num_speakers: choice };
}
