import { z } from 'zod';

/*
 * Speakers (issue 10): who spoke when, found by the ML service's diarizer,
 * named and corrected in the editor, carried into every export.
 *
 * Ids follow the original ECG's and WhisperX's (pyannote's) convention,
 * `SPEAKER_00`, `SPEAKER_01`, … numbered in order of first speech. The editor
 * makes new ones the same way (`SPEAKER_03` after `SPEAKER_02`). Names are
 * the person's, kept per job in the caption document; the ids never change.
 */

/** The most speakers a request may ask for and a document may hold names for. */
export const MAX_SPEAKERS = 32;

export const SpeakerId = z
  .string()
  .regex(/^SPEAKER_\d{2,4}$/, 'a speaker id looks like SPEAKER_00')
  .meta({ id: 'SpeakerId' });
export type SpeakerId = z.infer<typeof SpeakerId>;

const Seconds = z.number().min(0);

/** One stretch of speech by one speaker. */
export const SpeakerTurn = z
  .strictObject({ start: Seconds, end: Seconds, speaker: SpeakerId })
  .refine((t) => t.start <= t.end, { message: 'a turn must not end before it starts', path: ['end'] })
  .meta({ id: 'SpeakerTurn' });
export type SpeakerTurn = z.infer<typeof SpeakerTurn>;

export const DiarizationSpeaker = z
  .strictObject({
    id: SpeakerId,
    /** Seconds of speech the diarizer gave this speaker. */
    seconds: Seconds,
  })
  .meta({ id: 'DiarizationSpeaker' });
export type DiarizationSpeaker = z.infer<typeof DiarizationSpeaker>;

/**
 * `result.diarization`: the speakers in order of first speech and their turns
 * in time order (turns of one speaker never overlap each other; turns of two
 * speakers do not overlap either: the diarizer gives each moment one voice).
 */
export const Diarization = z
  .object({
    speakers: z.array(DiarizationSpeaker).max(MAX_SPEAKERS),
    turns: z.array(SpeakerTurn),
    /** How the turns were found, for people reading the result (e.g. `mfcc-bic-ahc+viterbi`). */
    method: z.string().max(200).optional(),
    /** How speech was told from silence: `silero` (whisper.cpp's Silero VAD) or `energy`. */
    vad: z.enum(['silero', 'energy']).optional(),
  })
  .meta({ id: 'Diarization' });
export type Diarization = z.infer<typeof Diarization>;

const SpeakerCount = z.number().int().min(1).max(MAX_SPEAKERS);

/**
 * How many speakers to look for, optional in request-process and
 * process-video: `num_speakers` when it is known, or bounds; none of them
 * means "auto". Contradictory figures are refused rather than guessed at.
 */
export const SpeakerCountOptions = z.object({
  num_speakers: SpeakerCount.optional(),
  min_speakers: SpeakerCount.optional(),
  max_speakers: SpeakerCount.optional(),
});
export type SpeakerCountOptions = z.infer<typeof SpeakerCountOptions>;

/**
 * The speaker counts a request named, taken from a body that may carry other
 * fields too, or null when it named none ("find them from the audio"): what
 * a job keeps and passes on, on both sides of process-video.
 */
export function givenSpeakerCounts(body: SpeakerCountOptions): SpeakerCountOptions | null {
  const { num_speakers, min_speakers, max_speakers } = body;
  const given = Object.fromEntries(Object.entries({ num_speakers, min_speakers, max_speakers }).filter(([, v]) => v !== undefined));
  return Object.keys(given).length === 0 ? null : given;
}

/** The checks SpeakerCountOptions' figures must pass together; applied by every schema that spreads them. */
export function checkSpeakerCounts(v: SpeakerCountOptions, ctx: z.RefinementCtx): void {
  const { num_speakers: num, min_speakers: min, max_speakers: max } = v;
  if (min !== undefined && max !== undefined && min > max) {
    ctx.addIssue({ code: 'custom', message: 'min_speakers must not be more than max_speakers', path: ['min_speakers'] });
  }
  if (num !== undefined && ((min !== undefined && num < min) || (max !== undefined && num > max))) {
    ctx.addIssue({ code: 'custom', message: 'num_speakers must lie between min_speakers and max_speakers', path: ['num_speakers'] });
  }
}

/** A speaker's name in one job's captions, as the person edited it. */
export const CaptionSpeaker = z
  .strictObject({
    id: SpeakerId,
    name: z.string().trim().min(1).max(100),
  })
  .meta({ id: 'CaptionSpeaker' });
export type CaptionSpeaker = z.infer<typeof CaptionSpeaker>;

/** The speakers of one caption document: unique ids, at most MAX_SPEAKERS. */
export const CaptionSpeakerList = z
  .array(CaptionSpeaker)
  .max(MAX_SPEAKERS)
  .superRefine((speakers, ctx) => {
    const seen = new Set<string>();
    speakers.forEach((s, i) => {
      if (seen.has(s.id)) ctx.addIssue({ code: 'custom', message: `duplicate speaker id "${s.id}"`, path: [i, 'id'] });
      seen.add(s.id);
    });
  });
