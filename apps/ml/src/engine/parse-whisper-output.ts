/**
 * Pure parsers for whisper-cli's output: progress lines on stderr, segment
 * lines on stdout, and the full JSON file (-ojf).
 */
import type { EngineSegment, EngineToken, EngineTranscript } from './engine.js';

/** "whisper_print_progress_callback: progress =  45%" → 45 (clamped: with VAD whisper-cli overshoots 100). */
export function parseProgressLine(line: string): number | null {
  const m = /progress\s*=\s*(\d+)%/.exec(line);
  return m ? Math.min(100, Number(m[1])) : null;
}

function hmsToSeconds(h: string, m: string, s: string): number {
  return Number(h) * 3600 + Number(m) * 60 + Number(s);
}

/** "[00:00:01.240 --> 00:00:03.000]  text" → segment, or null for any other line. */
export function parseSegmentLine(line: string): EngineSegment | null {
  const m = /^\[(\d+):(\d{2}):(\d{2}(?:\.\d+)?) --> (\d+):(\d{2}):(\d{2}(?:\.\d+)?)\]\s?(.*)$/.exec(line.trimEnd());
  if (!m) return null;
  return { start: hmsToSeconds(m[1]!, m[2]!, m[3]!), end: hmsToSeconds(m[4]!, m[5]!, m[6]!), text: m[7]!.trim() };
}

interface RawToken {
  text?: unknown;
  offsets?: { from?: unknown; to?: unknown };
  p?: unknown;
  id?: unknown;
}
interface RawSegment {
  text?: unknown;
  offsets?: { from?: unknown; to?: unknown };
  tokens?: RawToken[];
}

function isSpecialToken(text: string): boolean {
  return /^\[_[A-Z_]+\d*\]$/.test(text) || /^\[_TT_\d+\]$/.test(text) || /^<\|.*\|>$/.test(text);
}

/** Length of a trailing incomplete UTF-8 sequence in `bytes` (0 when it ends on a boundary). */
function incompleteTail(bytes: Buffer): number {
  for (let back = 1; back <= Math.min(3, bytes.length); back++) {
    const b = bytes[bytes.length - back]!;
    if ((b & 0xc0) === 0x80) continue; // continuation byte: look further back
    const need = (b & 0xe0) === 0xc0 ? 2 : (b & 0xf0) === 0xe0 ? 3 : (b & 0xf8) === 0xf0 ? 4 : 1;
    return need > back ? back : 0;
  }
  return 0;
}

/**
 * Whisper's byte-level BPE splits one Korean or Japanese character across
 * tokens, and whisper-cli writes each token's raw bytes, so its JSON is not
 * valid UTF-8. The file is therefore read as latin1 (one char per byte), and
 * tokens are re-joined here until their bytes decode cleanly; the joined
 * token spans the time of its parts.
 */
function mergeByteTokens(raw: RawToken[]): EngineToken[] {
  const out: EngineToken[] = [];
  let pending: { bytes: Buffer; start: number; end: number; p: number[] } | null = null;
  for (const t of raw) {
    const text = typeof t.text === 'string' ? t.text : '';
    const start = Number(t.offsets?.from ?? 0) / 1000;
    const end = Number(t.offsets?.to ?? 0) / 1000;
    const p = typeof t.p === 'number' ? t.p : 0;
    if (isSpecialToken(text)) {
      out.push({ text, start, end, probability: p, special: true });
      continue;
    }
    const bytes = Buffer.from(text, 'latin1');
    pending = pending
      ? { bytes: Buffer.concat([pending.bytes, bytes]), start: pending.start, end, p: [...pending.p, p] }
      : { bytes, start, end, p: [p] };
    if (incompleteTail(pending.bytes) === 0) {
      out.push(finish(pending));
      pending = null;
    }
  }
  if (pending) out.push(finish(pending));
  return out;
}

function finish(pending: { bytes: Buffer; start: number; end: number; p: number[] }): EngineToken {
  return {
    text: new TextDecoder('utf-8', { fatal: false }).decode(pending.bytes),
    start: pending.start,
    end: pending.end,
    // A joined character is as certain as its least certain byte piece.
    probability: Math.min(...pending.p),
    special: false,
  };
}

function decodeLatin1Text(s: unknown): string {
  return typeof s === 'string' ? new TextDecoder('utf-8', { fatal: false }).decode(Buffer.from(s, 'latin1')) : '';
}

/** Parses the bytes of whisper-cli's `-ojf` JSON file. Throws on anything that is not that file. */
export function parseWhisperJson(file: Buffer, seconds: number): EngineTranscript {
  const doc = JSON.parse(file.toString('latin1')) as { result?: { language?: unknown }; transcription?: RawSegment[] };
  if (!doc || !Array.isArray(doc.transcription)) throw new Error('whisper-cli JSON has no transcription array');
  const segments: EngineSegment[] = doc.transcription.map((seg) => ({
    start: Number(seg.offsets?.from ?? 0) / 1000,
    end: Number(seg.offsets?.to ?? 0) / 1000,
    text: decodeLatin1Text(seg.text).trim(),
    tokens: mergeByteTokens(seg.tokens ?? []),
  }));
  const language = typeof doc.result?.language === 'string' ? doc.result.language : 'unknown';
  return { language, segments, seconds };
}
