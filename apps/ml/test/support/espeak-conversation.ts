/**
 * Multi-speaker conversations with known turn times, made with espeak-ng
 * (several voices, variants and pitches) and ffmpeg, for the diarizer's tests
 * and benchmark: real formant synthesis, so every speaker has a stable voice
 * of its own, and the reference is measured from sample counts, not guessed.
 *
 * Each turn is rendered alone (`espeak-ng -v <voice> -p <pitch> -s <speed>
 * -w turn.wav "text"`), resampled to 16 kHz mono s16 by ffmpeg, trimmed of
 * espeak's leading and trailing silence, and laid after the previous one with
 * its own gap (back-to-back changes included). Reference turns are split at
 * pauses of 0.3 s or more inside a turn, NIST RT's rule for references
 * (same-speaker segments less than 0.3 s apart are one), so a VAD that
 * rightly stops in a sentence break is not charged with missed speech.
 * A faint steady noise floor (-60 dBFS by default) is added so silence is a
 * real recording's silence, not digital zero.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { SpeakerTurnLike } from '../../src/diarization/der.js';

const run = promisify(execFile);
const RATE = 16_000;

export interface EspeakVoice {
  /** espeak-ng voice, with a variant: `en-us+m3`, `en+f2`, `ko+f4`. */
  voice: string;
  /** 0–99, espeak's default 50. */
  pitch?: number;
  /** Words per minute, espeak's default 175. */
  speed?: number;
}

export interface ConversationTurn {
  speaker: string;
  text: string;
  /** Seconds of silence before this turn (0: a back-to-back change). */
  gap: number;
  /** Added to the voice's pitch and speed for this turn: a person's voice is not the same in every sentence. */
  pitchShift?: number;
  speedShift?: number;
}

export interface Conversation {
  wavPath: string;
  /** Reference turns, in time order, labelled with the speakers' keys. */
  turns: SpeakerTurnLike[];
  seconds: number;
  /** Deletes the temp folder. */
  dispose(): Promise<void>;
}

export interface ConversationOptions {
  /** RMS of the added noise floor in dBFS; null for none. */
  noiseDb?: number | null;
  /** How many times to lay the whole list of turns (a long input for memory measurements). */
  repeat?: number;
}

const SILENT = 1e-3; // |sample| below this (-60 dBFS) is espeak's silence: it writes exact zeros there
const MIN_PAUSE = 0.3; // NIST RT: reference segments of one speaker closer than 0.3 s are merged

async function render(voice: EspeakVoice, turn: ConversationTurn, dir: string, index: number): Promise<Float32Array> {
  const raw = join(dir, `turn-${index}.wav`);
  const pitch = Math.max(0, Math.min(99, Math.round((voice.pitch ?? 50) + (turn.pitchShift ?? 0))));
  const speed = Math.max(80, Math.round((voice.speed ?? 175) + (turn.speedShift ?? 0)));
  const args = ['-v', voice.voice, '-p', String(pitch), '-s', String(speed), '-w', raw, turn.text];
  await run('espeak-ng', args);
  const { stdout } = await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-i', raw, '-ar', String(RATE), '-ac', '1', '-f', 's16le', 'pipe:1'], {
    encoding: 'buffer',
    maxBuffer: 64 * 1024 * 1024,
  });
  const out = new Float32Array(stdout.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = stdout.readInt16LE(2 * i) / 32768;
  return out;
}

/** [start, end) sample ranges of sound in `x`, split at silences of at least minPause seconds. */
export function soundSpans(x: Float32Array, minPause = MIN_PAUSE): { start: number; end: number }[] {
  const spans: { start: number; end: number }[] = [];
  const minGap = Math.round(minPause * RATE);
  let start = -1;
  let last = -1;
  for (let i = 0; i < x.length; i++) {
    if (Math.abs(x[i]!) < SILENT) continue;
    if (start < 0) start = i;
    else if (i - last > minGap) {
      spans.push({ start, end: last + 1 });
      start = i;
    }
    last = i;
  }
  if (start >= 0) spans.push({ start, end: last + 1 });
  return spans;
}

/** Deterministic noise (xorshift32, sum of 4 uniforms ≈ Gaussian) so runs are reproducible. */
function addNoise(x: Float32Array, db: number): void {
  const rms = 10 ** (db / 20);
  let s = 0x9e3779b9;
  const next = () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
  // A sum of 4 uniforms on [-0.5, 0.5) has variance 4/12; scale to the wanted RMS.
  const k = rms / Math.sqrt(4 / 12);
  for (let i = 0; i < x.length; i++) x[i]! += k * (next() + next() + next() + next() - 2);
}

function wavBytes(x: Float32Array): Buffer {
  const buf = Buffer.alloc(44 + 2 * x.length);
  buf.write('RIFF', 0, 'latin1');
  buf.writeUInt32LE(36 + 2 * x.length, 4);
  buf.write('WAVEfmt ', 8, 'latin1');
  buf.writeUInt32LE(16, 16);
  buf.writeUInt16LE(1, 20); // PCM
  buf.writeUInt16LE(1, 22); // mono
  buf.writeUInt32LE(RATE, 24);
  buf.writeUInt32LE(RATE * 2, 28);
  buf.writeUInt16LE(2, 32);
  buf.writeUInt16LE(16, 34);
  buf.write('data', 36, 'latin1');
  buf.writeUInt32LE(2 * x.length, 40);
  for (let i = 0; i < x.length; i++) buf.writeInt16LE(Math.max(-32768, Math.min(32767, Math.round(x[i]! * 32768))), 44 + 2 * i);
  return buf;
}

/** Renders the conversation into a temp folder; call dispose() when done. */
export async function makeConversation(
  voices: Record<string, EspeakVoice>,
  script: readonly ConversationTurn[],
  options: ConversationOptions = {},
): Promise<Conversation> {
  const dir = await mkdtemp(join(tmpdir(), 'ecg-espeak-'));
  try {
    // Two renders at a time: the machines these run on have two cores.
    const clips: Float32Array[] = new Array(script.length);
    let nextIndex = 0;
    const worker = async () => {
      while (nextIndex < script.length) {
        const i = nextIndex++;
        const turn = script[i]!;
        const voice = voices[turn.speaker];
        if (!voice) throw new Error(`no voice for speaker ${turn.speaker}`);
        const x = await render(voice, turn, dir, i);
        const spans = soundSpans(x);
        clips[i] = spans.length ? x.subarray(spans[0]!.start, spans.at(-1)!.end) : new Float32Array(0);
      }
    };
    await Promise.all([worker(), worker()]);

    const repeat = options.repeat ?? 1;
    const lead = 0.5; // a little silence before the first word, as in any recording
    let total = Math.round(lead * RATE) + Math.round(0.5 * RATE);
    for (let r = 0; r < repeat; r++) script.forEach((t, i) => (total += Math.round(t.gap * RATE) + clips[i]!.length));
    const audio = new Float32Array(total);
    const turns: SpeakerTurnLike[] = [];
    let at = Math.round(lead * RATE);
    for (let r = 0; r < repeat; r++) {
      script.forEach((t, i) => {
        at += Math.round(t.gap * RATE);
        const clip = clips[i]!;
        audio.set(clip, at);
        for (const s of soundSpans(clip)) turns.push({ start: (at + s.start) / RATE, end: (at + s.end) / RATE, speaker: t.speaker });
        at += clip.length;
      });
    }
    const noiseDb = options.noiseDb === undefined ? -60 : options.noiseDb;
    if (noiseDb !== null) addNoise(audio, noiseDb);
    const wavPath = join(dir, 'conversation.wav');
    await writeFile(wavPath, wavBytes(audio));
    return { wavPath, turns, seconds: total / RATE, dispose: () => rm(dir, { recursive: true, force: true }) };
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}
