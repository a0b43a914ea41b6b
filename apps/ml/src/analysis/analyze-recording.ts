import type { AnalyzedTranscriptResult, RecordingAnalysis, TranscriptResult } from '@ecg/contracts';
import { ServiceError } from '@ecg/service-kit';
import { DB_FLOOR } from './loudness.js';
import type { PitchTrack } from './pitch-track.js';
import type { PitchTracker } from './pitch-yin.js';
import { openWav } from './read-wav.js';
import { RecordingMeasurer, type SampleSpan } from './recording-measurer.js';
import { DEFAULT_EMPHASIS_THRESHOLDS, summarizeAnalysis, type EmphasisThresholdsInput } from './summarize.js';
import type { WaveformJson } from './waveform.js';

/**
 * Per-word loudness, pitch and emphasis, and a waveform overview, measured on
 * the 16 kHz mono WAV that transcription read (so word times line up with
 * samples exactly).
 *
 * Memory: the file is read in blocks of `blockSeconds` (default 30 s: a 1.9 MB
 * float buffer and a 1 MB byte buffer), never whole. What grows with the
 * recording is about 2.5 MB per hour of internal tracks (see
 * RecordingMeasurer) plus the waveform's JSON array (200 numbers a second,
 * ~6 MB per hour as a JS array) and the words themselves: a 4 h recording
 * stays under ~40 MB, where reading it whole would take 920 MB.
 */
export interface AnalysisOutput {
  result: AnalyzedTranscriptResult;
  waveform: WaveformJson;
}

export interface AnalyzeOptions {
  /** Block length for reading and measuring; results do not depend on it. */
  blockSeconds?: number;
}

/** Words shorter than this (Whisper gives zero-length words) are measured on a window this long centred on them. */
export const MIN_WORD_SECONDS = 0.02;
export const DEFAULT_BLOCK_SECONDS = 30;

export { DEFAULT_EMPHASIS_THRESHOLDS, type EmphasisThresholdsInput };

/** Each word's span in samples, in reading order, widened to MIN_WORD_SECONDS and kept inside the recording. */
export function wordSpans(result: TranscriptResult, sampleRate: number, totalSamples: number): SampleSpan[] {
  const spans: SampleSpan[] = [];
  for (const seg of result.segments) {
    for (const w of seg.words ?? []) {
      let start = w.start;
      let end = Math.max(w.end, w.start);
      if (end - start < MIN_WORD_SECONDS) {
        const centre = (start + end) / 2;
        start = centre - MIN_WORD_SECONDS / 2;
        end = centre + MIN_WORD_SECONDS / 2;
      }
      const s = Math.min(totalSamples, Math.max(0, Math.round(start * sampleRate)));
      const e = Math.min(totalSamples, Math.max(s, Math.round(end * sampleRate)));
      spans.push({ start: s, end: e });
    }
  }
  return spans;
}

function methodOf(pitch: PitchTracker): RecordingAnalysis['method'] {
  const o = pitch.options;
  return {
    loudness: 'rms_dbfs_aes17',
    peak: 'sample_peak_dbfs',
    pitch: 'yin_median_voiced_frames',
    yin_threshold: o.threshold,
    frame_ms: o.frameSeconds * 1000,
    hop_ms: o.hopSeconds * 1000,
    min_hz: o.minHz,
    max_hz: o.maxHz,
    silence_db: o.silenceDb,
    floor_db: DB_FLOOR,
    min_word_ms: MIN_WORD_SECONDS * 1000,
  };
}

function checkThresholds(t: EmphasisThresholdsInput): void {
  if (!(Number.isFinite(t.loudDb) && t.loudDb > 0 && Number.isFinite(t.whisperDb) && t.whisperDb > 0)) {
    throw new ServiceError('INTERNAL_ERROR', `emphasis thresholds must be positive numbers of dB (got loud ${t.loudDb}, whisper ${t.whisperDb})`, { details: t });
  }
}

function blockLength(measurer: RecordingMeasurer, sampleRate: number, blockSeconds: number): number {
  const align = measurer.blockAlign;
  return Math.max(align, Math.ceil((blockSeconds * sampleRate) / align) * align);
}

/** The pure core: analyses a recording that is already in memory (tests, short clips). */
export function analyzeSamples(
  samples: Float32Array,
  sampleRate: number,
  result: TranscriptResult,
  thresholds: EmphasisThresholdsInput = DEFAULT_EMPHASIS_THRESHOLDS,
  options: AnalyzeOptions = {},
): AnalysisOutput {
  checkThresholds(thresholds);
  const total = samples.length;
  const measurer = new RecordingMeasurer(sampleRate, total, wordSpans(result, sampleRate, total));
  const block = blockLength(measurer, sampleRate, options.blockSeconds ?? DEFAULT_BLOCK_SECONDS);
  const buf = new Float32Array(measurer.bufferLength(block));
  for (let first = 0; first < total; first += block) {
    const from = first - measurer.context;
    buf.fill(0);
    const lo = Math.max(0, from);
    const hi = Math.min(total, from + buf.length);
    buf.set(samples.subarray(lo, hi), lo - from);
    measurer.addBlock(first, Math.min(block, total - first), buf);
  }
  return {
    result: summarizeAnalysis(result, measurer.words(), thresholds, methodOf(measurer.pitch)),
    waveform: measurer.waveformJson(),
  };
}

/** Analyses the WAV file block by block (see the memory note above). */
export async function analyzeRecording(input: {
  wavPath: string;
  result: TranscriptResult;
  thresholds?: EmphasisThresholdsInput;
  blockSeconds?: number;
  /** F0 measured already, while whisper.cpp transcribed (pitch-track.ts); frames it lacks are measured here. */
  pitch?: PitchTrack;
  /**
   * Measures the F0 of the recording's later part elsewhere (pitch-track.ts
   * with `fromSeconds`, on another thread) while this one measures the part
   * before it, which halves the YIN search on the job's critical path (most
   * of the analysis: pitch-track.ts). Called once, with the start of the
   * block nearest the middle; an answer of undefined (or a rejection) only
   * means this thread measures the rest too.
   */
  laterPitch?: (fromSeconds: number) => Promise<PitchTrack | undefined>;
}): Promise<AnalysisOutput> {
  const thresholds = input.thresholds ?? DEFAULT_EMPHASIS_THRESHOLDS;
  checkThresholds(thresholds);
  const reader = await openWav(input.wavPath);
  try {
    const { sampleRate, totalSamples: total } = reader;
    const measurer = new RecordingMeasurer(sampleRate, total, wordSpans(input.result, sampleRate, total), {}, input.pitch);
    const block = blockLength(measurer, sampleRate, input.blockSeconds ?? DEFAULT_BLOCK_SECONDS);
    const buf = new Float32Array(measurer.bufferLength(block));
    // Only a recording of two blocks or more is split: the later part starts on a block boundary.
    const split = input.laterPitch && total > block ? Math.round(total / 2 / block) * block : undefined;
    const later = split !== undefined ? input.laterPitch!(split / sampleRate).catch(() => undefined) : undefined;
    for (let first = 0; first < total; first += block) {
      if (later && first === split) {
        const track = await later;
        if (track) measurer.takeTrack(track);
      }
      await reader.readInto(first - measurer.context, buf);
      measurer.addBlock(first, Math.min(block, total - first), buf);
    }
    return {
      result: summarizeAnalysis(input.result, measurer.words(), thresholds, methodOf(measurer.pitch)),
      waveform: measurer.waveformJson(),
    };
  } finally {
    await reader.close();
  }
}
