/**
 * Diarization: accuracy (DER in the NIST form, 0.25 s collar, overlap not
 * scored) on synthetic espeak-ng conversations and jfk.wav, speed in seconds
 * per audio minute, and memory on a long input (20 minutes of generated,
 * never-repeating talk by four voices) against a short one (2 minutes), to
 * show it stays flat. Peak RSS includes garbage V8 has not collected yet.
 * Figures only: nothing here asserts a time.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Diarization } from '@ecg/contracts';
import { diarizationErrorRate, type SpeakerTurnLike } from '../src/diarization/der.js';
import { diarize, type DiarizeInput } from '../src/diarization/diarize.js';
import { findWhisperVadBinary } from '../src/engine/whisper-binary.js';
import { JFK_WAV, VAD_MODEL } from '../test/helpers/fixtures.js';
import { makeConversation } from '../test/support/espeak-conversation.js';
import {
  FOUR_VOICES,
  generatedScript,
  KOREAN_SCRIPT,
  KOREAN_VOICES,
  MAN_AND_WOMAN,
  THREE_VOICES,
  THREE_VOICE_SCRIPT,
  TWO_VOICES,
  TWO_VOICE_SCRIPT,
} from '../test/support/conversations.js';
import { seededRandom } from '../../../tests/helpers/seeded-random.js';

const run = promisify(execFile);

export interface DiarizationRow {
  label: string;
  vad: string;
  audioSeconds: number;
  trueSpeakers: number;
  foundSpeakers: number;
  der: number;
  missed: number;
  falseAlarm: number;
  confusion: number;
  secondsPerAudioMinute: number;
}

export interface MemoryRow {
  label: string;
  audioSeconds: number;
  peakRssMB: number;
  secondsPerAudioMinute: number;
  foundSpeakers: number;
  der: number;
}

/** jfk.wav's four phrases as Silero VAD finds them (measured), one speaker. */
const JFK_REFERENCE: SpeakerTurnLike[] = [
  [0.32, 2.27],
  [3.27, 4.41],
  [5.38, 7.68],
  [8.16, 10.62],
].map(([start, end]) => ({ start: start!, end: end!, speaker: 'jfk' }));

/**
 * Diarizes in a child process and returns its peak RSS: the conversation
 * maker holds its audio in this process, which would hide the diarizer's own.
 * The peak is VmHWM, which starts afresh with the child's own address space;
 * getrusage's maxRSS does not (Linux keeps it across execve, so a child
 * reports at least what this process held when it forked: measured, 223 MB
 * "for" a diarization that peaks at 97 MB).
 */
async function childPeakRss(input: DiarizeInput): Promise<{ peakRssMB: number; seconds: number; d: Diarization }> {
  const code = `const { diarize } = await import(${JSON.stringify(new URL('../src/diarization/diarize.ts', import.meta.url).href)});
const t = performance.now(); const d = await diarize(${JSON.stringify(input)});
const hwm = Number(/VmHWM:\\s+(\\d+) kB/.exec((await import('node:fs')).readFileSync('/proc/self/status', 'utf8'))?.[1] ?? NaN);
console.log(JSON.stringify({ peakRssMB: hwm / 1024, seconds: (performance.now() - t) / 1000, d }));`;
  const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { maxBuffer: 1 << 20 });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as { peakRssMB: number; seconds: number; d: Diarization };
}

async function timed(input: DiarizeInput): Promise<{ d: Diarization; seconds: number }> {
  const t = performance.now();
  const d = await diarize(input);
  return { d, seconds: (performance.now() - t) / 1000 };
}

function row(label: string, audioSeconds: number, reference: SpeakerTurnLike[], d: Diarization, seconds: number): DiarizationRow {
  const r = diarizationErrorRate(reference, d.turns);
  const ratio = (x: number) => (r.scored > 0 ? x / r.scored : 0);
  return {
    label,
    vad: d.vad ?? '?',
    audioSeconds,
    trueSpeakers: new Set(reference.map((t) => t.speaker)).size,
    foundSpeakers: d.speakers.length,
    der: r.der,
    missed: ratio(r.missed),
    falseAlarm: ratio(r.falseAlarm),
    confusion: ratio(r.confusion),
    secondsPerAudioMinute: seconds / (audioSeconds / 60),
  };
}

export async function main(): Promise<{ rows: DiarizationRow[]; memory: MemoryRow[] }> {
  const vadBinaryPath = findWhisperVadBinary() ?? undefined;
  const vads: { name: string; extra: Partial<DiarizeInput> }[] = [{ name: 'energy', extra: {} }];
  if (vadBinaryPath) vads.unshift({ name: 'silero', extra: { vadBinaryPath, vadModelPath: VAD_MODEL } });
  const sets = [
    { label: '3 voices, English', voices: THREE_VOICES, script: THREE_VOICE_SCRIPT },
    { label: 'man and woman', voices: MAN_AND_WOMAN, script: TWO_VOICE_SCRIPT },
    { label: '2 similar men', voices: TWO_VOICES, script: TWO_VOICE_SCRIPT },
    { label: '3 voices, Korean', voices: KOREAN_VOICES, script: KOREAN_SCRIPT },
    { label: '4 voices, 6 min', voices: FOUR_VOICES, script: generatedScript(seededRandom(7), 8) },
    { label: '1 voice, 4 min', voices: { hal: FOUR_VOICES.hal! }, script: generatedScript(seededRandom(5), 5, ['hal']) },
  ];
  const rows: DiarizationRow[] = [];
  for (const set of sets) {
    const c = await makeConversation(set.voices, set.script);
    try {
      for (const v of vads) {
        const { d, seconds } = await timed({ wavPath: c.wavPath, ...v.extra });
        rows.push(row(set.label, c.seconds, c.turns, d, seconds));
      }
    } finally {
      await c.dispose();
    }
  }
  for (const v of vads) {
    const { d, seconds } = await timed({ wavPath: JFK_WAV, ...v.extra });
    rows.push(row('jfk.wav, 1 voice', 11, JFK_REFERENCE, d, seconds));
  }

  const memory: MemoryRow[] = [];
  for (const minutes of [2, 20]) {
    const c = await makeConversation(FOUR_VOICES, generatedScript(seededRandom(minutes), minutes));
    try {
      const { peakRssMB, seconds, d } = await childPeakRss({ wavPath: c.wavPath, ...vads[0]!.extra });
      memory.push({
        label: `4 voices, ${minutes} min of talk`,
        audioSeconds: c.seconds,
        peakRssMB,
        secondsPerAudioMinute: seconds / (c.seconds / 60),
        foundSpeakers: d.speakers.length,
        der: diarizationErrorRate(c.turns, d.turns).der,
      });
    } finally {
      await c.dispose();
    }
  }
  return { rows, memory };
}

const pct = (x: number) => `${(100 * x).toFixed(1)} %`;

export function report(r: { rows: DiarizationRow[]; memory: MemoryRow[] }): string[] {
  const lines = r.rows.map(
    (x) =>
      `${x.label.padEnd(18)} ${x.vad.padEnd(6)} ${x.audioSeconds.toFixed(0).padStart(4)} s  speakers ${x.foundSpeakers}/${x.trueSpeakers}  DER ${pct(x.der).padStart(7)} (missed ${pct(x.missed)}, false alarm ${pct(x.falseAlarm)}, confusion ${pct(x.confusion)})  ${x.secondsPerAudioMinute.toFixed(2)} s per audio minute`,
  );
  for (const m of r.memory) {
    lines.push(`${m.label.padEnd(24)} ${m.audioSeconds.toFixed(0).padStart(5)} s: peak RSS ${m.peakRssMB.toFixed(0)} MB (diarizer process alone), ${m.secondsPerAudioMinute.toFixed(2)} s per audio minute, speakers ${m.foundSpeakers}/4, DER ${pct(m.der)}`);
  }
  return lines;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const line of report(await main())) console.log(line);
}
