/**
 * Pure parsers for whisper-cli's output: progress lines and VAD log lines on
 * stderr, segment lines on stdout, and the full JSON file (-ojf).
 */
import { stripControlChars } from '../text/strip-control-chars.js';
import type { EngineSegment, EngineToken, EngineTranscript } from './engine.js';

/** "whisper_print_progress_callback: progress =  45%" → 45 (clamped: with VAD whisper-cli can overshoot 100). */
export function parseProgressLine(line: string): number | null {
  const m = /progress\s*=\s*(\d+)\s*%/.exec(line);
  return m ? Math.min(100, Number(m[1])) : null;
}

function hmsToSeconds(h: string, m: string, s: string): number {
  return Number(h) * 3600 + Number(m) * 60 + Number(s);
}

/** "[00:00:01.240 --> 00:00:03.000]  text" → segment in seconds, or null for any other line. */
export function parseSegmentLine(line: string): EngineSegment | null {
  const m = /^\[(\d+):(\d{2}):(\d{2}(?:\.\d+)?) --> (\d+):(\d{2}):(\d{2}(?:\.\d+)?)\]\s?(.*)$/.exec(line.trimEnd());
  if (!m) return null;
  return { start: hmsToSeconds(m[1]!, m[2]!, m[3]!), end: hmsToSeconds(m[4]!, m[5]!, m[6]!), text: stripControlChars(m[7]!).trim() };
}

/**
 * "main: processing 'a.wav' (176000 samples, 11.0 sec), 2 threads, ..." → 11
 * (whisper.cpp always decodes to 16 kHz). Null for any other line.
 */
export function parseAudioSecondsLine(line: string): number | null {
  const m = /processing .*\((\d+) samples, [\d.]+ sec\)/.exec(line);
  return m ? Number(m[1]) / 16000 : null;
}

/**
 * Whisper decodes in 30 s windows and its last timestamp often names the
 * window's end, past the audio; times are pinned inside [0, audioSeconds].
 */
export function clampSegmentToAudio<T extends EngineSegment>(seg: T, audioSeconds: number | null): T {
  if (audioSeconds === null) return seg;
  const pin = (t: number) => Math.min(Math.max(0, t), audioSeconds);
  return {
    ...seg,
    start: pin(seg.start),
    end: pin(seg.end),
    ...(seg.tokens ? { tokens: seg.tokens.map((t) => ({ ...t, start: pin(t.start), end: pin(t.end) })) } : {}),
  };
}

/** One point of whisper.cpp's VAD time map: seconds in the speech-only audio → seconds in the file. */
export interface VadTimePoint {
  processed: number;
  original: number;
}

/**
 * The speech regions whisper.cpp's Silero VAD found, as whisper-cli logs them
 * with `--vad`: "Final speech segments after filtering: 16", then one
 * "VAD segment 0: start = 0.32, end = 2.27 (duration: 1.95)" per region, in
 * seconds of the file. They are the very regions whisper.cpp's
 * `whisper-vad-speech-segments` prints for the same file and model (both run
 * whisper_vad_segments_from_samples with the default settings), so the
 * diarizer can take them instead of running the VAD a second time. Null when
 * the log has no count (VAD off) or fewer regions than it announced.
 */
export function parseVadSpeechRegions(stderrLines: readonly string[]): Array<{ start: number; end: number }> | null {
  let count: number | null = null;
  const regions: Array<{ start: number; end: number }> = [];
  for (const line of stderrLines) {
    const n = /Final speech segments after filtering: (\d+)/.exec(line);
    if (n) {
      // A second VAD pass in one log (never seen) would leave it ambiguous which regions are whose.
      if (count !== null) return null;
      count = Number(n[1]);
      continue;
    }
    const m = /VAD segment \d+: start = ([\d.]+), end = ([\d.]+)/.exec(line);
    if (m && count !== null) regions.push({ start: Number(m[1]), end: Number(m[2]) });
  }
  return count !== null && regions.length === count ? regions : null;
}

// whisper.cpp puts this much silence between the speech chunks it keeps (src/whisper.cpp, whisper_vad).
const VAD_GAP_SECONDS = 0.1;

/**
 * With VAD on, whisper.cpp transcribes only the speech, glued together, and
 * maps segment times back to the file but not token times. It logs each kept
 * chunk ("vad_segment_info: orig_start: 0.32, orig_end: 2.27, vad_start: 0.00,
 * vad_end: 1.95"); this rebuilds the same mapping table it uses internally so
 * word times can be mapped the same way. Empty when VAD was off or found nothing.
 */
export function parseVadMapping(stderrLines: readonly string[]): VadTimePoint[] {
  const chunks: Array<{ origStart: number; origEnd: number; vadStart: number; vadEnd: number }> = [];
  const re = /vad_segment_info: orig_start: ([\d.]+), orig_end: ([\d.]+), vad_start: ([\d.]+), vad_end: ([\d.]+)/;
  for (const line of stderrLines) {
    const m = re.exec(line);
    if (m) chunks.push({ origStart: Number(m[1]), origEnd: Number(m[2]), vadStart: Number(m[3]), vadEnd: Number(m[4]) });
  }
  const points: VadTimePoint[] = [];
  chunks.forEach((c, i) => {
    points.push({ processed: c.vadStart, original: c.origStart }, { processed: c.vadEnd, original: c.origEnd });
    const next = chunks[i + 1];
    // The gap after a chunk maps onto the silence that VAD removed there.
    if (next) points.push({ processed: next.vadStart - VAD_GAP_SECONDS, original: c.origEnd });
  });
  points.sort((a, b) => a.processed - b.processed);
  return points.filter((p, i) => i === 0 || Math.abs(p.processed - points[i - 1]!.processed) > 1e-9);
}

/** Maps a speech-only time to file time by linear interpolation, as whisper.cpp does for segments. */
export function mapProcessedTime(t: number, table: readonly VadTimePoint[]): number {
  if (table.length === 0) return t;
  const first = table[0]!;
  const last = table[table.length - 1]!;
  if (t <= first.processed) return first.original;
  if (t >= last.processed) return last.original;
  let hi = table.findIndex((p) => p.processed >= t);
  const upper = table[hi]!;
  if (upper.processed === t) return upper.original;
  const lower = table[--hi]!;
  const span = upper.processed - lower.processed;
  return span <= 0 ? lower.original : lower.original + ((t - lower.processed) * (upper.original - lower.original)) / span;
}

interface RawToken {
  text?: unknown;
  offsets?: { from?: unknown; to?: unknown };
  p?: unknown;
  id?: unknown;
  t_dtw?: unknown;
}
interface RawSegment {
  text?: unknown;
  offsets?: { from?: unknown; to?: unknown };
  tokens?: RawToken[];
}

function isSpecialToken(text: string): boolean {
  // The names whisper.cpp gives its special tokens (src/whisper.cpp, vocabulary setup).
  return /^\[_(?:[A-Z]+_|TT_\d+|LANG_[a-z]+|extra_token_\d+)\]$/.test(text) || /^<\|.*\|>$/.test(text);
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

const utf8 = new TextDecoder('utf-8', { fatal: false });

interface PendingToken {
  bytes: Buffer;
  start: number;
  end: number;
  dtw: number;
  p: number[];
}

function finish(pending: PendingToken): EngineToken & { dtw: number } {
  return {
    text: stripControlChars(utf8.decode(pending.bytes)),
    start: pending.start,
    end: pending.end,
    // A joined character is as certain as its least certain byte piece.
    probability: Math.min(...pending.p),
    special: false,
    dtw: pending.dtw,
  };
}

/**
 * Whisper's byte-level BPE can split one Korean or Japanese character across
 * tokens, and older whisper-cli versions write each token's raw bytes, so the
 * JSON may not be valid UTF-8. The file is read as latin1 (one char per byte),
 * and tokens are re-joined here until their bytes decode cleanly; the joined
 * token spans the time of its parts.
 */
function mergeByteTokens(raw: RawToken[]): Array<EngineToken & { dtw: number }> {
  const out: Array<EngineToken & { dtw: number }> = [];
  let pending: PendingToken | null = null;
  for (const t of raw) {
    const text = typeof t.text === 'string' ? t.text : '';
    const start = Number(t.offsets?.from ?? 0) / 1000;
    const end = Number(t.offsets?.to ?? t.offsets?.from ?? 0) / 1000;
    const p = typeof t.p === 'number' ? t.p : 0;
    const dtw = typeof t.t_dtw === 'number' && t.t_dtw >= 0 ? t.t_dtw / 100 : -1;
    if (isSpecialToken(text)) {
      out.push({ text, start, end, probability: p, special: true, dtw: -1 });
      continue;
    }
    const bytes = Buffer.from(text, 'latin1');
    pending = pending
      ? { bytes: Buffer.concat([pending.bytes, bytes]), start: pending.start, end, dtw: pending.dtw, p: [...pending.p, p] }
      : { bytes, start, end, dtw, p: [p] };
    if (incompleteTail(pending.bytes) === 0) {
      out.push(finish(pending));
      pending = null;
    }
  }
  if (pending) out.push(finish(pending));
  return out;
}

/**
 * With `--dtw`, each text token carries the time the cross-attention alignment
 * says it begins (`t_dtw`, OpenAI's word-timing method); a token then ends
 * where the next one begins. Better than the token-timestamp heuristic, so it
 * wins whenever every text token of the segment has one.
 */
function applyDtw(tokens: Array<EngineToken & { dtw: number }>): void {
  const text = tokens.filter((t) => !t.special);
  if (text.length === 0 || text.some((t) => t.dtw < 0)) return;
  text.forEach((t, i) => {
    const next = text[i + 1];
    t.start = t.dtw;
    t.end = next ? Math.max(t.dtw, next.dtw) : Math.max(t.dtw, t.end);
  });
}

function decodeLatin1Text(s: unknown): string {
  return typeof s === 'string' ? stripControlChars(utf8.decode(Buffer.from(s, 'latin1'))) : '';
}

/**
 * whisper-cli escapes only `"` and `\` in JSON strings, so a token holding a
 * newline or tab byte makes the file invalid JSON. Escape control characters
 * inside strings (and only there: the layout's own newlines must stay).
 */
export function escapeControlCharsInStrings(json: string): string {
  let out = '';
  let inString = false;
  let escaped = false;
  for (let i = 0; i < json.length; i++) {
    const ch = json[i]!;
    const code = json.charCodeAt(i);
    if (inString) {
      if (escaped) escaped = false;
      else if (ch === '\\') escaped = true;
      else if (ch === '"') inString = false;
      else if (code < 0x20) {
        out += `\\u${code.toString(16).padStart(4, '0')}`;
        continue;
      }
    } else if (ch === '"') {
      inString = true;
    }
    out += ch;
  }
  return out;
}

export interface ParseJsonOptions {
  /** Wall seconds spent in the engine, passed through to the transcript. */
  seconds: number;
  /** whisper.cpp's VAD time map (parseVadMapping); token times are mapped through it. */
  vadMapping?: readonly VadTimePoint[];
  /** VAD was requested: without a map, token times are shifted to line up with their segment. */
  vadRequested?: boolean;
  /** Length of the audio (parseAudioSecondsLine); times are pinned inside it when known. */
  audioSeconds?: number | null;
}

/** Parses the bytes of whisper-cli's `-ojf` JSON file. Throws on anything that is not that file. */
export function parseWhisperJson(file: Buffer, opts: ParseJsonOptions): EngineTranscript {
  const latin1 = file.toString('latin1');
  let doc: { result?: { language?: unknown }; transcription?: RawSegment[] };
  try {
    doc = JSON.parse(latin1) as typeof doc;
  } catch {
    doc = JSON.parse(escapeControlCharsInStrings(latin1)) as typeof doc;
  }
  if (!doc || typeof doc !== 'object' || !Array.isArray(doc.transcription)) throw new Error('whisper-cli JSON has no transcription array');
  const map = opts.vadMapping ?? [];
  const segments: EngineSegment[] = doc.transcription.map((seg) => {
    const start = Number(seg.offsets?.from ?? 0) / 1000;
    const end = Number(seg.offsets?.to ?? 0) / 1000;
    if (!Number.isFinite(start) || !Number.isFinite(end)) throw new Error('whisper-cli JSON has a segment without times');
    const tokens = mergeByteTokens(Array.isArray(seg.tokens) ? seg.tokens : []);
    applyDtw(tokens);
    if (map.length > 0) {
      for (const t of tokens) {
        t.start = mapProcessedTime(t.start, map);
        t.end = mapProcessedTime(t.end, map);
      }
    } else if (opts.vadRequested) {
      const firstText = tokens.find((t) => !t.special);
      const shift = firstText ? start - firstText.start : 0;
      for (const t of tokens) {
        t.start += shift;
        t.end += shift;
      }
    }
    return clampSegmentToAudio(
      { start, end, text: decodeLatin1Text(seg.text).trim(), tokens: tokens.map(({ dtw: _dtw, ...t }) => t) },
      opts.audioSeconds ?? null,
    );
  });
  const language = typeof doc.result?.language === 'string' ? doc.result.language : 'unknown';
  return { language, segments, seconds: opts.seconds };
}
