import type { TranscriptResult, TranscriptSegment, TranscriptWord } from '@ecg/contracts';
import type { EngineSegment, EngineToken, EngineTranscript } from '../engine/engine.js';

export interface AssembleInput {
  transcript: EngineTranscript;
  durationSeconds: number;
  modelName: string;
  engineName: string;
  threads: number;
  timing: Record<string, number>;
}

const round = (t: number) => Math.round(t * 1000) / 1000;
const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));
const PUNCTUATION_ONLY = /^[\p{P}\p{S}]+$/u;

/**
 * Words from tokens: a token that starts with a space (or opens the segment)
 * starts a word; others (word pieces, CJK characters after the first,
 * punctuation) extend the current one. A word is as certain as its least
 * certain piece.
 */
export function wordsFromTokens(tokens: EngineToken[]): Array<{ word: string; start: number; end: number; probability: number }> {
  const words: Array<{ word: string; start: number; end: number; probability: number }> = [];
  for (const t of tokens) {
    if (t.special || t.text.length === 0) continue;
    const last = words.at(-1);
    const startsWord = !last || /^\s/.test(t.text);
    if (!startsWord || (last && PUNCTUATION_ONLY.test(t.text.trim()))) {
      last!.word += t.text;
      last!.end = Math.max(last!.end, t.end);
      last!.probability = Math.min(last!.probability, t.probability);
    } else {
      words.push({ word: t.text, start: t.start, end: t.end, probability: t.probability });
    }
  }
  return words
    .map((w) => ({ ...w, word: w.word.trim() }))
    .filter((w) => w.word.length > 0);
}

interface AssembledSegment {
  start: number;
  end: number;
  text: string;
  words: TranscriptWord[];
}

function assembleSegment(seg: EngineSegment, prevStart: number, duration: number): AssembledSegment | null {
  const text = seg.text.trim();
  if (!text) return null;
  const start = clamp(Math.max(seg.start, prevStart), 0, duration);
  const end = clamp(Math.max(seg.end, start), start, duration);
  let cursor = start;
  const words: TranscriptWord[] = wordsFromTokens(seg.tokens ?? []).map((w) => {
    const ws = clamp(Math.max(w.start, cursor), start, end);
    const we = clamp(Math.max(w.end, ws), ws, end);
    cursor = ws;
    return { word: w.word, start: round(ws), end: round(we), probability: round(clamp(w.probability, 0, 1)) };
  });
  return { start: round(start), end: round(end), text, words };
}

/**
 * Whisper's JSON (`text`, `language`, `segments[{id,start,end,text}]`) plus
 * words, duration and provenance. Times are seconds, monotonic, and inside
 * [0, duration]; words stay inside their segment (VAD remapping can put token
 * times slightly outside it).
 */
export function assembleResult(input: AssembleInput): TranscriptResult {
  const duration = Math.max(0, input.durationSeconds);
  const segments: TranscriptSegment[] = [];
  let prevStart = 0;
  for (const seg of input.transcript.segments) {
    const s = assembleSegment(seg, prevStart, duration);
    if (!s) continue;
    segments.push({ id: segments.length, ...s });
    prevStart = s.start;
  }
  return {
    text: segments.map((s) => s.text).join(' '),
    language: input.transcript.language,
    duration: round(duration),
    segments,
    model: { name: input.modelName, engine: input.engineName, threads: input.threads },
    timing: input.timing,
  };
}
