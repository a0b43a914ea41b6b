import type { TranscriptResult, TranscriptSegment, TranscriptWord, VideoAnalysis } from '@ecg/contracts';
import type { EngineToken, EngineTranscript } from '../engine/engine.js';

export interface AssembleInput {
  transcript: EngineTranscript;
  durationSeconds: number;
  modelName: string;
  engineName: string;
  threads: number;
  timing: Record<string, number>;
}

export interface AssembledWord {
  word: string;
  start: number;
  end: number;
  probability: number;
}

const round = (t: number) => Math.round(t * 1000) / 1000;
const finite = (v: number) => (Number.isFinite(v) ? v : 0);
const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, finite(v)));
const PUNCTUATION_ONLY = /^[\p{P}\p{S}]+$/u;
// Opening marks belong to the word after them, not the one before.
const OPENING_ONLY = /^[\p{Ps}\p{Pi}"'¿¡]+$/u;

/**
 * Languages written without spaces between words: there every token is a word
 * (OpenAI Whisper splits these the same way), otherwise a whole Japanese
 * sentence would come out as one "word".
 */
const NO_SPACE_LANGUAGES = new Set(['zh', 'ja', 'th', 'lo', 'my', 'yue', 'bo']);

/**
 * Words from tokens: a token that starts with a space (or opens the segment)
 * starts a word, other tokens (word pieces, the rest of a Korean word) extend
 * the current one, and punctuation-only tokens attach to the word before
 * them. A word spans its pieces and is as certain as its least certain piece.
 */
export function wordsFromTokens(tokens: readonly EngineToken[], language = ''): AssembledWord[] {
  const everyTokenIsAWord = NO_SPACE_LANGUAGES.has(language);
  const words: AssembledWord[] = [];
  let openerPending = false;
  for (const t of tokens) {
    if (t.special || t.text.trim().length === 0) continue;
    const last = words.at(-1);
    const bare = t.text.trim();
    const punctuation = PUNCTUATION_ONLY.test(bare);
    const opener = punctuation && OPENING_ONLY.test(bare) && (/^\s/.test(t.text) || !last);
    let startsWord: boolean;
    if (!last) startsWord = true;
    else if (openerPending) startsWord = false; // `"` + `Hello` → `"Hello`
    else if (opener) startsWord = true;
    else if (punctuation) startsWord = false;
    else startsWord = everyTokenIsAWord || /^\s/.test(t.text);
    if (startsWord) {
      words.push({ word: t.text, start: t.start, end: t.end, probability: t.probability });
    } else {
      // A word holds no inner space: " !" after a word becomes "!".
      last!.word += punctuation ? t.text.trimStart() : t.text;
      last!.end = Math.max(last!.end, t.end);
      last!.probability = Math.min(last!.probability, t.probability);
    }
    openerPending = opener;
  }
  return words.map((w) => ({ ...w, word: w.word.trim() })).filter((w) => w.word.length > 0);
}

/**
 * Whisper's JSON (`text`, `language`, `segments[{id,start,end,text}]`) plus
 * words, duration and provenance. Times are seconds, monotonic and inside
 * [0, duration]; a segment ends no later than the next one starts; words stay
 * inside their segment and in order (raw engine times can overlap or run past
 * the audio: Whisper works in 30 s windows and timestamps are predictions).
 * Segments without text are dropped and ids renumbered from 0.
 */
export function assembleResult(input: AssembleInput): TranscriptResult {
  const duration = Math.max(0, finite(input.durationSeconds));
  const language = input.transcript.language;
  const kept = input.transcript.segments.filter((s) => s.text.trim().length > 0);

  const starts: number[] = [];
  for (const seg of kept) starts.push(clamp(Math.max(finite(seg.start), starts.at(-1) ?? 0), 0, duration));
  const segments: TranscriptSegment[] = kept.map((seg, i) => {
    const start = starts[i]!;
    const nextStart = starts[i + 1];
    let end = clamp(seg.end, start, duration);
    if (nextStart !== undefined && nextStart > start) end = Math.min(end, nextStart);
    return { id: i, start: round(start), end: round(end), text: seg.text.trim(), words: placeWords(wordsFromTokens(seg.tokens ?? [], language), start, end) };
  });

  return {
    text: segments.map((s) => s.text).join(NO_SPACE_LANGUAGES.has(language) ? '' : ' '),
    language,
    duration: round(duration),
    segments,
    model: { name: input.modelName, engine: input.engineName, threads: input.threads },
    timing: input.timing,
  };
}

/** Clamps words into [segStart, segEnd], keeps starts in order and ends no later than the next start. */
function placeWords(words: AssembledWord[], segStart: number, segEnd: number): TranscriptWord[] {
  const starts: number[] = [];
  for (const w of words) starts.push(clamp(Math.max(finite(w.start), starts.at(-1) ?? segStart), segStart, segEnd));
  return words.map((w, i) => {
    const start = starts[i]!;
    let end = clamp(w.end, start, segEnd);
    const next = starts[i + 1];
    if (next !== undefined && next > start) end = Math.min(end, next);
    return { word: w.word, start: round(start), end: round(end), probability: round(clamp(w.probability, 0, 1)) };
  });
}

/**
 * The result with the picture's analysis as `video` (when there is one) and
 * `warning` added to the result's `warnings` (kept, not replaced: the audio
 * analysis may have left one there).
 */
export function withVideo(result: TranscriptResult, video: VideoAnalysis | undefined, warning: string | undefined): TranscriptResult {
  const withAnalysis = video ? { ...result, video } : result;
  return warning ? withWarning(withAnalysis, warning) : withAnalysis;
}

/** The result with `warning` added to its `warnings`, keeping the ones a step before it left there. */
export function withWarning(result: TranscriptResult, warning: string): TranscriptResult {
  const earlier = Array.isArray(result.warnings) ? result.warnings.filter((w): w is string => typeof w === 'string') : [];
  return { ...result, warnings: [...earlier, warning] };
}
