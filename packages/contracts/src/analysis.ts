import { z } from 'zod';
import { TranscriptResult, TranscriptSegment, TranscriptWord } from './result.js';

/*
 * Measured delivery of each word: how loud and at what pitch it was said.
 * The ML service adds these fields to the Whisper-shaped result (a client that
 * only knows Whisper's fields ignores them) and stores a waveform overview
 * next to it. Levels are dBFS on the AES17 scale (a sine of peak amplitude A
 * reads 20·log10(A), so full-scale sine = 0 dB); silence reads -100, never
 * -Infinity. Pitch is the median YIN F0 (Hz) of the word's voiced frames.
 */

/** How a word was said relative to the recording's typical word level. */
export const WordEmphasis = z.enum(['loud', 'normal', 'whisper']).meta({ id: 'WordEmphasis' });
export type WordEmphasis = z.infer<typeof WordEmphasis>;

/**
 * A level in dBFS: never below the -100 floor (DB_FLOOR in the ML service's
 * loudness.ts); +100 is far above anything a digital recording holds (the
 * 16-bit PCM the ML service measures tops out at +3.01 AES17 RMS, 0 peak).
 */
const Dbfs = z.number().min(-100).max(100);

/** 20 kHz, the top of human hearing: no voice's F0 is near it (the ML service's YIN searches 60–500 Hz). */
const MAX_PITCH_HZ = 20_000;

export const WordAnalysis = z
  .object({
    /** RMS level over the word's span, dBFS (AES17). */
    volume_db: Dbfs,
    /** Sample peak over the word's span, dBFS. */
    peak_db: Dbfs,
    /** Median F0 of the voiced frames in the word; null when none was voiced (unvoiced consonants, noise, silence). */
    pitch_hz: z.number().positive().max(MAX_PITCH_HZ).nullable(),
    emphasis: WordEmphasis,
  })
  .meta({ id: 'WordAnalysis' });
export type WordAnalysis = z.infer<typeof WordAnalysis>;

/** Statistics over a set of words; a mean or deviation is null when no word contributes to it. */
export const SegmentStats = z
  .object({
    volume_db_mean: z.number().nullable(),
    volume_db_std: z.number().min(0).nullable(),
    pitch_hz_mean: z.number().positive().nullable(),
    pitch_hz_std: z.number().min(0).nullable(),
    /** Words per minute of speaking time (segment spans); null when that time is zero. */
    words_per_minute: z.number().min(0).nullable(),
  })
  .meta({ id: 'SegmentStats' });
export type SegmentStats = z.infer<typeof SegmentStats>;

export const EmphasisThresholds = z
  .object({
    /** A word is `loud` at reference_db + loud_db or above. */
    loud_db: z.number().positive(),
    /** A word is `whisper` at reference_db − whisper_db or below. */
    whisper_db: z.number().positive(),
    /** Mean volume_db of the recording's audible words; null when there were none (then every word is `normal`). */
    reference_db: z.number().nullable(),
  })
  .meta({ id: 'EmphasisThresholds' });
export type EmphasisThresholds = z.infer<typeof EmphasisThresholds>;

export const RecordingAnalysis = SegmentStats.extend({
  thresholds: EmphasisThresholds,
  /** How the numbers were measured, so results from different versions can be told apart. */
  method: z
    .object({
      loudness: z.string(),
      peak: z.string(),
      pitch: z.string(),
      yin_threshold: z.number(),
      frame_ms: z.number(),
      hop_ms: z.number(),
      min_hz: z.number(),
      max_hz: z.number(),
      silence_db: z.number(),
      floor_db: z.number(),
      min_word_ms: z.number(),
    })
    .loose(),
}).meta({ id: 'RecordingAnalysis' });
export type RecordingAnalysis = z.infer<typeof RecordingAnalysis>;

/**
 * Waveform overview in BBC audiowaveform's JSON format (version 2): one
 * [min, max] pair of 8-bit values (-128..127) per `samples_per_pixel` samples
 * (100 pixels per second), interleaved in `data`.
 */
export const WaveformJson = z
  .object({
    version: z.literal(2),
    channels: z.literal(1),
    sample_rate: z.number().int().positive(),
    samples_per_pixel: z.number().int().positive(),
    bits: z.literal(8),
    length: z.number().int().min(0),
    data: z.array(z.number().int().min(-128).max(127)),
  })
  .meta({ id: 'WaveformJson' });
export type WaveformJson = z.infer<typeof WaveformJson>;

export const AnalyzedTranscriptWord = TranscriptWord.extend(WordAnalysis.shape).meta({ id: 'AnalyzedTranscriptWord' });
export type AnalyzedTranscriptWord = z.infer<typeof AnalyzedTranscriptWord>;

export const AnalyzedTranscriptSegment = TranscriptSegment.extend({
  words: z.array(AnalyzedTranscriptWord).optional(),
  stats: SegmentStats,
}).meta({ id: 'AnalyzedTranscriptSegment' });
export type AnalyzedTranscriptSegment = z.infer<typeof AnalyzedTranscriptSegment>;

/** A TranscriptResult after audio analysis: still a valid TranscriptResult. */
export const AnalyzedTranscriptResult = TranscriptResult.extend({
  segments: z.array(AnalyzedTranscriptSegment),
  analysis: RecordingAnalysis,
}).meta({ id: 'AnalyzedTranscriptResult' });
export type AnalyzedTranscriptResult = z.infer<typeof AnalyzedTranscriptResult>;
