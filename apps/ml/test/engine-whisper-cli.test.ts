import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createWhisperCliEngine } from '../src/engine/whisper-cli-engine.js';
import { EngineError, type EngineSegment } from '../src/engine/engine.js';
import { readModelHeader } from '../src/models/inspect-model.js';
import { JFK_WAV, VAD_MODEL, requireWhisperCli } from './helpers/fixtures.js';
import { testModelPath } from './helpers/test-model.js';
import { appendSilence, concatWav, silenceWav } from './helpers/media.js';

let work: string;
let micro: string;
let engine: ReturnType<typeof createWhisperCliEngine>;
let engineTmp: string;

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'ecg-engine-test-'));
  engineTmp = join(work, 'engine-tmp');
  (await import('node:fs')).mkdirSync(engineTmp);
  micro = await testModelPath('micro');
  engine = createWhisperCliEngine({ binaryPath: requireWhisperCli(), tmpDir: engineTmp });
});
after(() => rmSync(work, { recursive: true, force: true }));

const base = { language: 'en', threads: 2, temperatureFallback: false };

test('the generated micro model is a valid whisper.cpp model with real vocabulary size', async () => {
  const h = await readModelHeader(micro);
  assert.equal(h.nVocab, 51865);
  assert.equal(h.nMels, 80);
  assert.equal(h.multilingual, true);
});

test('whisper-cli transcribes jfk.wav with live progress and segments inside the audio', async () => {
  const progress: number[] = [];
  const live: EngineSegment[] = [];
  const t = await engine.transcribe({ ...base, audioPath: JFK_WAV, modelPath: micro, onProgress: (p) => progress.push(p), onSegment: (s) => live.push(s) });
  assert.ok(t.segments.length > 0);
  // Raw engine times may run past the audio (whisper pads to 30 s windows); assembleResult clamps them.
  for (const s of t.segments) assert.ok(s.start >= 0 && s.start < 11.1 && s.start <= s.end, `${s.start}-${s.end}`);
  assert.ok(t.segments.some((s) => (s.tokens ?? []).some((tok) => !tok.special)), 'tokens with timings are present');
  assert.equal(progress.at(-1), 100);
  assert.deepEqual(progress, [...progress].sort((a, b) => a - b));
  assert.ok(live.length > 0, 'segments arrive while decoding');
  assert.deepEqual(readdirSync(engineTmp), [], 'temporary files are removed');
});

test('with VAD, 20 s of silence after the speech yields no segment after 11 s', async () => {
  const padded = join(work, 'jfk-silence.wav');
  await appendSilence(JFK_WAV, 20, padded);
  const t = await engine.transcribe({ ...base, audioPath: padded, modelPath: micro, vadModelPath: VAD_MODEL });
  assert.ok(t.segments.length > 0);
  for (const s of t.segments) assert.ok(s.start < 11, `segment starting at ${s.start}`);
});

test('with VAD, pure silence yields zero segments', async () => {
  const silent = join(work, 'silence.wav');
  await silenceWav(30, silent);
  const t = await engine.transcribe({ ...base, audioPath: silent, modelPath: micro, vadModelPath: VAD_MODEL });
  assert.equal(t.segments.filter((s) => s.text.trim()).length, 0);
});

test('a cancelled transcription rejects CANCELLED and leaves no process behind', async () => {
  const long = join(work, 'long.wav');
  await concatWav(JFK_WAV, 6, long);
  const tiny = await testModelPath('tiny');
  const ac = new AbortController();
  const started = engine.transcribe({
    ...base,
    audioPath: long,
    modelPath: tiny,
    temperatureFallback: true,
    signal: ac.signal,
    onProgress: () => {
      if (!ac.signal.aborted) ac.abort();
    },
  });
  // Abort also fires if the engine never reports progress in time.
  const timer = setTimeout(() => ac.abort(), 1500);
  await assert.rejects(started, (err: unknown) => err instanceof EngineError && err.code === 'CANCELLED');
  clearTimeout(timer);
  const { execFileSync } = await import('node:child_process');
  const running = execFileSync('ps', ['-eo', 'args']).toString().split('\n').filter((l) => l.includes(long));
  assert.deepEqual(running, [], 'no whisper-cli process for this input remains');
});

test('a corrupt model file is a TRANSCRIPTION_ERROR, not a crash or an empty success', async () => {
  const bad = join(work, 'bad.bin');
  writeFileSync(bad, Buffer.alloc(4096, 7));
  await assert.rejects(
    engine.transcribe({ ...base, audioPath: JFK_WAV, modelPath: bad }),
    (err: unknown) => err instanceof EngineError && err.code === 'TRANSCRIPTION_ERROR',
  );
});
