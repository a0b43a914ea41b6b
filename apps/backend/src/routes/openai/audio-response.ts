import { deflateSync } from 'node:zlib';
import {
  WHISPER_LANGUAGES,
  type OpenAiResponseFormat,
  type OpenAiTimestampGranularity,
  type OpenAiTranscriptionSegment,
  type OpenAiTranscriptionVerbose,
  type OpenAiTranscriptionWord,
  type TranscriptResult,
  type TranscriptSegment,
} from '@ecg/contracts';
import { currentCaptions, currentSpeakers } from '../../captions/caption-document.js';
import { EXPORT_WRITERS } from '../../captions/export-formats.js';
import type { Job } from '../../jobs/job-repository.js';

/** What the request asked for besides the file. */
export interface AudioAnswerOptions {
  task: 'transcribe' | 'translate';
  format: OpenAiResponseFormat;
  granularities: readonly OpenAiTimestampGranularity[];
  temperature: number | undefined;
}

export interface AudioAnswer {
  contentType: string;
  /** An object for the JSON formats, the file's text for the others. */
  body: string | object;
}

/** Whisper's 30-s decoding window, in its 10-ms mel frames (whisper/audio.py: N_FRAMES = 3000). */
const WINDOW_FRAMES = 3000;
const FRAMES_PER_SECOND = 100;

/**
 * The answer to a finished job in the format asked for. JSON and text are
 * Whisper's transcript; SRT and WebVTT are ECG's laid-out captions (line
 * length, reading speed, minimum gaps by the language's profile), written by
 * the same writers as the export route, not Whisper's raw segments: that
 * layout is what ECG adds, and an OpenAI tool reads either the same way.
 */
export function audioAnswer(job: Job, opts: AudioAnswerOptions): AudioAnswer {
  const result = job.result;
  if (!result) throw new Error(`job ${job.id} has no result`);
  const text = result.text.trim();
  switch (opts.format) {
    case 'json':
      return { contentType: 'application/json; charset=utf-8', body: { text } };
    case 'text':
      return { contentType: 'text/plain; charset=utf-8', body: `${text}\n` };
    case 'verbose_json':
      return { contentType: 'application/json; charset=utf-8', body: verboseTranscription(result, opts) };
    case 'srt':
    case 'vtt': {
      const captions = currentCaptions(job);
      const body = EXPORT_WRITERS[opts.format].write(captions, {
        language: result.language,
        speakers: currentSpeakers(job, captions),
      });
      // text/plain as OpenAI answers: the client then hands the caller the file as a string.
      return { contentType: 'text/plain; charset=utf-8', body };
    }
  }
}

/** `english` for `en`, as OpenAI names languages; an unknown code stays as it is. */
export function openAiLanguageName(code: string): string {
  return (WHISPER_LANGUAGES[code] ?? code).toLowerCase();
}

export function verboseTranscription(result: TranscriptResult, opts: Pick<AudioAnswerOptions, 'task' | 'granularities' | 'temperature'>): OpenAiTranscriptionVerbose {
  const duration = result.duration ?? result.segments.at(-1)?.end ?? 0;
  // OpenAI: segments unless the granularities leave them out; words only when asked for.
  const wantSegments = opts.granularities.length === 0 || opts.granularities.includes('segment');
  const wantWords = opts.granularities.includes('word');
  return {
    task: opts.task,
    language: openAiLanguageName(result.language),
    duration,
    text: result.text.trim(),
    ...(wantSegments ? { segments: result.segments.map((s, i) => openAiSegment(s, i, opts.temperature ?? 0)) } : {}),
    ...(wantWords ? { words: openAiWords(result.segments) } : {}),
    usage: { type: 'duration', seconds: Math.ceil(duration) },
  };
}

export function openAiSegment(segment: TranscriptSegment, index: number, temperature: number): OpenAiTranscriptionSegment {
  const text = segment.text.startsWith(' ') ? segment.text : ` ${segment.text.trim()}`;
  return {
    id: index,
    seek: Math.floor((segment.start * FRAMES_PER_SECOND) / WINDOW_FRAMES) * WINDOW_FRAMES,
    start: segment.start,
    end: segment.end,
    text,
    tokens: [],
    temperature,
    avg_logprob: averageLogProbability(segment),
    compression_ratio: compressionRatio(segment.text.trim()),
    // whisper-cli's JSON carries no no-speech probability; 0 says "speech", which a kept segment is.
    no_speech_prob: 0,
  };
}

/** The mean log probability of the segment's words (Whisper averages over tokens; words are what ECG keeps). */
export function averageLogProbability(segment: TranscriptSegment): number {
  const ps = (segment.words ?? []).map((w) => w.probability).filter((p) => p > 0);
  if (ps.length === 0) return 0;
  return ps.reduce((sum, p) => sum + Math.log(p), 0) / ps.length;
}

/** Whisper's repetition measure: UTF-8 length over zlib-compressed length (whisper/utils.py compression_ratio). */
export function compressionRatio(text: string): number {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length === 0) return 0;
  return bytes.length / deflateSync(bytes).length;
}

export function openAiWords(segments: readonly TranscriptSegment[]): OpenAiTranscriptionWord[] {
  return segments.flatMap((s) =>
    (s.words ?? []).map((w) => ({ word: w.word.trim(), start: w.start, end: w.end })).filter((w) => w.word !== ''),
  );
}
