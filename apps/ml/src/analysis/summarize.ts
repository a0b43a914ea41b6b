import type {
  AnalyzedTranscriptResult,
  AnalyzedTranscriptSegment,
  AnalyzedTranscriptWord,
  RecordingAnalysis,
  SegmentStats,
  TranscriptResult,
  WordEmphasis,
} from '@ecg/contracts';
import type { WordMeasure } from './recording-measurer.js';

/**
 * Emphasis thresholds in dB relative to the reference level (the mean
 * volume_db of the recording's audible words). Relative, because recordings
 * differ by 20 dB or more in gain; relative to words rather than to all the
 * audio, because pauses and music beds would drag an all-audio mean down.
 *
 * Defaults: +6 dB (twice the amplitude) marks a word `loud`; −10 dB marks a
 * `whisper`. The asymmetry is deliberate: in conversational speech word
 * levels spread about ±4 dB around their mean, stressed words rise 5–8 dB,
 * and soft-spoken asides fall further than stress rises, so a symmetric −6
 * would label every trailing syllable a whisper. The ML config passes
 * EMPHASIS_LOUD_DB and EMPHASIS_WHISPER_DB.
 */
export interface EmphasisThresholdsInput {
  loudDb: number;
  whisperDb: number;
}

export const DEFAULT_EMPHASIS_THRESHOLDS: Readonly<EmphasisThresholdsInput> = Object.freeze({ loudDb: 6, whisperDb: 10 });

const round = (v: number, digits: number): number => {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
};

function meanStd(values: number[]): { mean: number | null; std: number | null } {
  if (values.length === 0) return { mean: null, std: null };
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length;
  return { mean, std: Math.sqrt(variance) };
}

/**
 * Volume statistics leave out words at or below the silence level: a word
 * whose span holds no sound is a timing slip of the recogniser, not a quiet
 * word, and one such -100 dB word would pull the mean of twenty down by 4 dB.
 */
function stats(measures: WordMeasure[], speakingSeconds: number, silenceDb: number, wordCount: number): SegmentStats {
  const volume = meanStd(measures.filter((m) => m.volumeDb > silenceDb).map((m) => m.volumeDb));
  const pitch = meanStd(measures.flatMap((m) => (m.pitchHz === null ? [] : [m.pitchHz])));
  return {
    volume_db_mean: volume.mean === null ? null : round(volume.mean, 2),
    volume_db_std: volume.std === null ? null : round(volume.std, 2),
    pitch_hz_mean: pitch.mean === null ? null : round(pitch.mean, 1),
    pitch_hz_std: pitch.std === null ? null : round(pitch.std, 1),
    words_per_minute: speakingSeconds > 0 ? round((wordCount / speakingSeconds) * 60, 1) : null,
  };
}

export function emphasisOf(volumeDb: number, referenceDb: number | null, t: EmphasisThresholdsInput): WordEmphasis {
  if (referenceDb === null) return 'normal';
  if (volumeDb >= referenceDb + t.loudDb) return 'loud';
  if (volumeDb <= referenceDb - t.whisperDb) return 'whisper';
  return 'normal';
}

/**
 * Puts measured values on the result: every word gains volume_db, peak_db,
 * pitch_hz and emphasis; every segment gains stats; the result gains
 * analysis. `measures` are in reading order (segment by segment, word by
 * word). Everything else in the result is kept as it came.
 */
export function summarizeAnalysis(
  result: TranscriptResult,
  measures: WordMeasure[],
  thresholds: EmphasisThresholdsInput,
  method: RecordingAnalysis['method'],
): AnalyzedTranscriptResult {
  const silenceDb = method.silence_db;
  const all = stats(measures, 0, silenceDb, 0);
  const reference = meanStd(measures.filter((m) => m.volumeDb > silenceDb).map((m) => m.volumeDb)).mean;

  let next = 0;
  let speakingSeconds = 0;
  const segments: AnalyzedTranscriptSegment[] = result.segments.map((seg) => {
    const words = seg.words ?? [];
    const own = measures.slice(next, next + words.length);
    next += words.length;
    const seconds = Math.max(0, seg.end - seg.start);
    speakingSeconds += seconds;
    const analyzed: AnalyzedTranscriptWord[] = words.map((w, i) => {
      const m = own[i]!;
      return {
        ...w,
        volume_db: round(m.volumeDb, 2),
        peak_db: round(m.peakDb, 2),
        pitch_hz: m.pitchHz === null ? null : round(m.pitchHz, 1),
        emphasis: emphasisOf(m.volumeDb, reference, thresholds),
      };
    });
    const { words: original, ...rest } = seg;
    // Words before stats, so the JSON reads in the order people look for things.
    return { ...rest, ...(original ? { words: analyzed } : {}), stats: stats(own, seconds, silenceDb, words.length) };
  });

  const analysis: RecordingAnalysis = {
    ...all,
    words_per_minute: speakingSeconds > 0 ? round((measures.length / speakingSeconds) * 60, 1) : null,
    thresholds: { loud_db: thresholds.loudDb, whisper_db: thresholds.whisperDb, reference_db: reference === null ? null : round(reference, 2) },
    method,
  };
  return { ...result, segments, analysis };
}
