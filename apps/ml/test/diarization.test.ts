import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Diarization } from '@ecg/contracts';
import { diarizationErrorRate } from '../src/diarization/der.js';
import { diarize, type DiarizeInput } from '../src/diarization/diarize.js';
import { energyRegions } from '../src/diarization/energy-vad.js';
import { parseVadSegments, sileroRegions } from '../src/diarization/silero-vad.js';
import { findWhisperCli, findWhisperVadBinary } from '../src/engine/whisper-binary.js';
import { JFK_WAV, VAD_MODEL } from './helpers/fixtures.js';
import { silenceWav } from './helpers/media.js';
import { makeConversation, type Conversation } from './support/espeak-conversation.js';
import {
  FOUR_VOICES,
  generatedScript,
  KOREAN_SCRIPT,
  KOREAN_VOICES,
  MAN_AND_WOMAN,
  THREE_VOICES,
  THREE_VOICE_SCRIPT,
  TWO_VOICE_SCRIPT,
} from './support/conversations.js';
import { seededRandom } from '../../../tests/helpers/seeded-random.js';

let dir: string;
let three: Conversation;
let korean: Conversation;
let two: Conversation;
let monologue: Conversation;
let vadBinaryPath: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ecg-diarize-'));
  const bin = findWhisperVadBinary();
  if (!bin) throw new Error('whisper-vad-speech-segments is required: run npm run postinstall (it is built beside whisper-cli)');
  vadBinaryPath = bin;
  [three, korean, two, monologue] = await Promise.all([
    makeConversation(THREE_VOICES, THREE_VOICE_SCRIPT),
    makeConversation(KOREAN_VOICES, KOREAN_SCRIPT),
    makeConversation(MAN_AND_WOMAN, TWO_VOICE_SCRIPT),
    // Two minutes of one voice whose pitch and pace change from sentence to sentence.
    makeConversation({ hal: FOUR_VOICES.hal! }, generatedScript(seededRandom(5), 2, ['hal'])),
  ]);
});
after(async () => {
  await Promise.all([three?.dispose(), korean?.dispose(), two?.dispose(), monologue?.dispose()]);
  rmSync(dir, { recursive: true, force: true });
});

const silero = (wavPath: string, more: Partial<DiarizeInput> = {}): DiarizeInput => ({ wavPath, vadBinaryPath, vadModelPath: VAD_MODEL, ...more });

/** Invariants every result keeps: schema, order, no overlap, ids by first speech, seconds = turn time. */
function checkShape(d: Diarization): void {
  Diarization.parse(d);
  for (let i = 1; i < d.turns.length; i++) {
    assert.ok(d.turns[i]!.start >= d.turns[i - 1]!.end, `turn ${i} overlaps the one before`);
    if (d.turns[i]!.speaker === d.turns[i - 1]!.speaker) assert.ok(d.turns[i]!.start > d.turns[i - 1]!.end, 'touching turns of one speaker are merged');
  }
  const firstSeen = [...new Set(d.turns.map((t) => t.speaker))];
  assert.deepEqual(d.speakers.map((s) => s.id), firstSeen);
  firstSeen.forEach((id, i) => assert.equal(id, `SPEAKER_${String(i).padStart(2, '0')}`));
  for (const s of d.speakers) {
    const time = d.turns.filter((t) => t.speaker === s.id).reduce((a, t) => a + t.end - t.start, 0);
    assert.ok(Math.abs(time - s.seconds) < 0.01, `${s.id}: ${s.seconds} s stated, ${time} s of turns`);
  }
}

test('a three-voice English conversation: three speakers and a DER of at most 10 % (Silero VAD)', async () => {
  assert.ok(three.seconds >= 60, `the conversation is ${three.seconds} s`);
  const d = await diarize(silero(three.wavPath));
  checkShape(d);
  assert.equal(d.vad, 'silero');
  assert.equal(d.speakers.length, 3);
  const r = diarizationErrorRate(three.turns, d.turns);
  assert.ok(r.der <= 0.1, `DER ${(100 * r.der).toFixed(1)} %`);
});

test('the same conversation with the energy VAD: three speakers, DER at most 10 %', async () => {
  const d = await diarize({ wavPath: three.wavPath });
  checkShape(d);
  assert.equal(d.vad, 'energy');
  assert.equal(d.speakers.length, 3);
  assert.ok(diarizationErrorRate(three.turns, d.turns).der <= 0.1);
});

test('a three-voice Korean conversation: three speakers, DER at most 10 %', async () => {
  const d = await diarize(silero(korean.wavPath));
  assert.equal(d.speakers.length, 3);
  const r = diarizationErrorRate(korean.turns, d.turns);
  assert.ok(r.der <= 0.1, `DER ${(100 * r.der).toFixed(1)} %`);
});

test('a man and a woman: two speakers, DER at most 10 %, with either VAD', async () => {
  for (const input of [silero(two.wavPath), { wavPath: two.wavPath }]) {
    const d = await diarize(input);
    checkShape(d);
    assert.equal(d.speakers.length, 2, `vad ${d.vad}`);
    const r = diarizationErrorRate(two.turns, d.turns);
    assert.ok(r.der <= 0.1, `vad ${d.vad}: DER ${(100 * r.der).toFixed(1)} %`);
  }
});

test('two minutes of one voice that varies from sentence to sentence stay one speaker', async () => {
  assert.ok(monologue.seconds >= 100, `the monologue is ${monologue.seconds} s`);
  for (const input of [silero(monologue.wavPath), { wavPath: monologue.wavPath }]) {
    const d = await diarize(input);
    checkShape(d);
    assert.deepEqual(d.speakers.map((s) => s.id), ['SPEAKER_00'], `vad ${d.vad}`);
  }
});

test('jfk.wav is one speaker, with Silero and with the energy VAD', async () => {
  for (const input of [silero(JFK_WAV), { wavPath: JFK_WAV }]) {
    const d = await diarize(input);
    checkShape(d);
    assert.deepEqual(d.speakers.map((s) => s.id), ['SPEAKER_00'], `vad ${d.vad}`);
    assert.ok(d.speakers[0]!.seconds > 7 && d.speakers[0]!.seconds < 11, `${d.speakers[0]!.seconds} s of speech`);
  }
});

test('numSpeakers and maxSpeakers are honoured', async () => {
  const forced = await diarize(silero(three.wavPath, { numSpeakers: 2 }));
  assert.equal(forced.speakers.length, 2);
  const capped = await diarize(silero(three.wavPath, { maxSpeakers: 2 }));
  assert.equal(capped.speakers.length, 2);
  const fine = await diarize(silero(three.wavPath, { minSpeakers: 2, maxSpeakers: 4 }));
  assert.equal(fine.speakers.length, 3);
  await assert.rejects(diarize({ wavPath: JFK_WAV, minSpeakers: 3, maxSpeakers: 2 }), { code: 'VALIDATION_ERROR' });
});

test('silence gives no speakers and no turns, with either VAD', async () => {
  const wav = join(dir, 'silence.wav');
  await silenceWav(5, wav);
  for (const input of [silero(wav), { wavPath: wav }]) {
    const d = await diarize(input);
    assert.deepEqual(d.speakers, []);
    assert.deepEqual(d.turns, []);
  }
});

test('an aborted diarization rejects with CANCELLED, before and during the run', async () => {
  await assert.rejects(diarize({ wavPath: JFK_WAV, signal: AbortSignal.abort() }), { code: 'CANCELLED' });
  const ac = new AbortController();
  const running = diarize(silero(three.wavPath, { signal: ac.signal }));
  setImmediate(() => ac.abort());
  await assert.rejects(running, { code: 'CANCELLED' });
});

test('Silero VAD through whisper-vad-speech-segments finds jfk.wav\'s four phrases, in seconds', async () => {
  assert.equal(dirname(vadBinaryPath), dirname(findWhisperCli()!), 'the VAD binary is found beside whisper-cli');
  const regions = await sileroRegions({ binaryPath: vadBinaryPath, modelPath: VAD_MODEL, wavPath: JFK_WAV });
  assert.equal(regions.length, 4);
  assert.ok(Math.abs(regions[0]!.start - 0.32) < 0.05 && Math.abs(regions[3]!.end - 10.62) < 0.05, JSON.stringify(regions));
  assert.deepEqual(parseVadSegments('Detected 1 speech segments:\nSpeech segment 0: start = 32.00, end = 227.00\n'), [{ start: 0.32, end: 2.27 }]);
});

test('speech regions already found by whisper-cli’s VAD pass are used as Silero’s, without the VAD binary', async () => {
  const regions = await sileroRegions({ binaryPath: vadBinaryPath, modelPath: VAD_MODEL, wavPath: two.wavPath });
  const ran = await diarize(silero(two.wavPath));
  const given = await diarize({ wavPath: two.wavPath, speechRegions: regions, vadBinaryPath: join(dir, 'no-such-binary') });
  assert.equal(given.vad, 'silero');
  assert.deepEqual(given, ran, 'the same regions give the same diarization as running the VAD here');
  const none = await diarize({ wavPath: two.wavPath, speechRegions: [] });
  assert.equal(none.vad, 'silero');
  assert.deepEqual(none.turns, [], 'a VAD that found no speech leaves no turns');
});

test('the energy VAD finds speech over the noise floor, bridges short gaps and drops blips', () => {
  // Levels in 0.5 dB steps from −127.5 dBFS: floor −60 dB (135), speech −20 dB (215).
  const levels = new Uint8Array(1000).fill(135);
  levels.fill(215, 100, 300); // 1–3 s
  levels.fill(215, 320, 400); // 3.2–4 s: a 0.2 s gap, bridged
  levels.fill(215, 600, 610); // 0.1 s blip: dropped
  levels.fill(215, 700, 800); // 7–8 s
  const r = energyRegions(levels, 10);
  assert.deepEqual(r.map((x) => [Number(x.start.toFixed(2)), Number(x.end.toFixed(2))]), [[0.9, 4.1], [6.9, 8.1]]);
  assert.deepEqual(energyRegions(new Uint8Array(500).fill(135), 5), [], 'steady noise holds no speech');
});
