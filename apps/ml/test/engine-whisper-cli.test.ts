import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createWhisperCliEngine, whisperCliEnv } from '../src/engine/whisper-cli-engine.js';
import { findWhisperVadBinary } from '../src/engine/whisper-binary.js';
import { sileroRegions } from '../src/diarization/silero-vad.js';
import { EngineError, type EngineSegment } from '../src/engine/engine.js';
import { assembleResult } from '../src/pipeline/assemble-result.js';
import { JFK_WAV, VAD_MODEL, requireWhisperCli } from './helpers/fixtures.js';
import { testModelPath } from './helpers/test-model.js';
import { processExists } from './helpers/process-exists.js';
import { until } from './support/fake-runner.js';
import { appendSilence, concatWav, silenceWav } from './helpers/media.js';

// The real whisper-cli (built by postinstall) on random-weight models with real
// shapes: the output is gibberish, so these tests check plumbing, times and
// failure handling, never wording. Greedy decoding (beamSize 1) keeps them
// fast; the beam width is whisper.cpp's business, not the plumbing's.

let work: string;
let engineTmp: string;
let micro: string;
let bin: string;

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'ecg-engine-test-'));
  engineTmp = join(work, 'engine-tmp');
  mkdirSync(engineTmp);
  bin = requireWhisperCli();
  micro = await testModelPath('micro');
});
after(() => rmSync(work, { recursive: true, force: true }));

const base = { language: 'en', threads: 2, temperatureFallback: false };
const isEngineError = (code: string) => (err: unknown) => err instanceof EngineError && err.code === code;
test('whisper-cli transcribes jfk.wav with live progress to 100 and segments inside the audio', async () => {
  const engine = createWhisperCliEngine({ binaryPath: bin, tmpDir: engineTmp, beamSize: 1 });
  const progress: number[] = [];
  const live: EngineSegment[] = [];
  const t = await engine.transcribe({ ...base, audioPath: JFK_WAV, modelPath: micro, onProgress: (p) => progress.push(p), onSegment: (s) => live.push(s) });
  assert.ok(t.segments.length > 0);
  // Whisper's last timestamp names the end of its 30 s window; the engine pins times inside the audio.
  for (const s of t.segments) assert.ok(s.start >= 0 && s.start <= s.end && s.end <= 11, `segment ${s.start}-${s.end}`);
  for (const tok of t.segments.flatMap((s) => s.tokens ?? [])) assert.ok(tok.start >= 0 && tok.end <= 11, `token ${tok.start}-${tok.end}`);
  assert.ok(t.segments.some((s) => (s.tokens ?? []).some((tok) => !tok.special && tok.text.trim())), 'tokens with text are present');
  assert.equal(t.language, 'en');
  assert.ok(t.seconds > 0);
  assert.equal(progress.at(-1), 100);
  assert.deepEqual(progress, [...progress].sort((a, b) => a - b), 'progress never goes back');
  assert.ok(progress.every((p) => p >= 0 && p <= 100));
  assert.ok(live.length > 0, 'segments arrive from stdout as whisper-cli prints them');
  assert.deepEqual(live.map((s) => s.text), t.segments.filter((s) => s.text).map((s) => s.text), 'live segments match the final ones');
  assert.deepEqual(readdirSync(engineTmp), [], 'temporary files are removed');
  assert.equal(t.speechRegions, undefined, 'no VAD, no speech regions');

  const result = assembleResult({ transcript: t, durationSeconds: 11, modelName: 'micro', engineName: engine.name, threads: 2, timing: {} });
  const words = result.segments.flatMap((s) => s.words ?? []);
  assert.ok(words.length > 0, 'words come out of the real token stream');
  for (const w of words) assert.ok(w.start >= 0 && w.end <= 11 && w.start <= w.end);
});

test('with VAD, 20 s of silence after the speech yields no segment (or word) after 11 s', async () => {
  const engine = createWhisperCliEngine({ binaryPath: bin, tmpDir: engineTmp, beamSize: 1 });
  const padded = join(work, 'jfk-silence.wav');
  await appendSilence(JFK_WAV, 20, padded);
  // Told as soon as the VAD pass is done, so the diarizer can start while whisper.cpp transcribes.
  const told: Array<{ regions: unknown; segmentsSoFar: number; progressSoFar: number }> = [];
  let segmentsSoFar = 0;
  let progressSoFar = 0;
  const t = await engine.transcribe({
    ...base,
    audioPath: padded,
    modelPath: micro,
    vadModelPath: VAD_MODEL,
    onSegment: () => segmentsSoFar++,
    onProgress: (p) => (progressSoFar = p),
    onSpeechRegions: (regions) => told.push({ regions, segmentsSoFar, progressSoFar }),
  });
  assert.ok(t.segments.length > 0, 'the speech is still transcribed');
  assert.equal(told.length, 1, 'the regions are told once');
  assert.deepEqual(told[0]!.regions, t.speechRegions, 'the regions told early are the result’s');
  assert.equal(told[0]!.segmentsSoFar, 0, 'told before the first segment was transcribed');
  assert.ok(told[0]!.progressSoFar < 100, `told before the transcription finished (progress ${told[0]!.progressSoFar})`);
  for (const s of t.segments) assert.ok(s.start < 11, `segment starting at ${s.start}`);
  // Token times come out of whisper.cpp in speech-only time; mapped back they sit where the speech is.
  for (const tok of t.segments.flatMap((s) => s.tokens ?? []).filter((x) => !x.special)) {
    assert.ok(tok.start >= 0.3 && tok.start <= 10.7, `token at ${tok.start} lies inside jfk's speech (0.32–10.62 s)`);
  }
  // The diarizer takes these instead of running the VAD again: they must be what the VAD binary finds.
  const vadBinary = findWhisperVadBinary();
  assert.ok(vadBinary, 'whisper-vad-speech-segments is built beside whisper-cli');
  const own = await sileroRegions({ binaryPath: vadBinary, modelPath: VAD_MODEL, wavPath: padded });
  assert.equal(own.length, 4);
  assert.deepEqual(t.speechRegions, own, 'whisper-cli’s VAD pass found the same speech regions as whisper-vad-speech-segments');
});

/** Polls how many OS threads `pid` has until it exits; answers the most seen (Linux /proc). */
async function peakThreads(pid: number, exited: Promise<unknown>): Promise<number> {
  let peak = 0;
  let done = false;
  void exited.finally(() => (done = true));
  while (!done) {
    try {
      peak = Math.max(peak, readdirSync(`/proc/${pid}/task`).length);
    } catch {
      break; // gone
    }
    await new Promise((r) => setTimeout(r, 2));
  }
  return peak;
}

test('whisper.cpp’s VAD runs on the job’s threads, not the 4 it takes by default', async () => {
  // Control: the bare binary with -t 1 still starts an OpenMP team of 4 for its
  // Silero pass (whisper_vad ignores -t), which is what this probe must see.
  const args = ['-m', micro, '-f', JFK_WAV, '-l', 'en', '-t', '1', '-nf', '-bs', '1', '--vad', '-vm', VAD_MODEL];
  const { OMP_THREAD_LIMIT: _unset, ...env } = process.env;
  const bare = spawn(bin, args, { stdio: 'ignore', env });
  const bareExit = once(bare, 'close');
  const barePeak = await peakThreads(bare.pid!, bareExit);
  await bareExit;
  assert.ok(barePeak >= 4, `the bare whisper-cli ran its VAD on ${barePeak} threads`);

  let enginePeak: Promise<number> | undefined;
  let exited: () => void = () => {};
  const exit = new Promise<void>((r) => (exited = r));
  const engine = createWhisperCliEngine({ binaryPath: bin, tmpDir: engineTmp, beamSize: 1, onSpawn: (pid) => {
      enginePeak = peakThreads(pid, exit);
    },
  });
  const t = await engine.transcribe({ ...base, threads: 1, audioPath: JFK_WAV, modelPath: micro, vadModelPath: VAD_MODEL }).finally(exited);
  assert.ok(t.segments.length > 0);
  assert.equal(await enginePeak, 1, 'one thread, as the job asked, VAD included');
});

test('the OpenMP cap is the job’s threads, or a stricter one the operator set', () => {
  assert.equal(whisperCliEnv({}, 2).OMP_THREAD_LIMIT, '2');
  assert.equal(whisperCliEnv({ OMP_THREAD_LIMIT: '1' }, 4).OMP_THREAD_LIMIT, '1');
  assert.equal(whisperCliEnv({ OMP_THREAD_LIMIT: '16' }, 4).OMP_THREAD_LIMIT, '4');
  assert.equal(whisperCliEnv({ OMP_THREAD_LIMIT: 'lots' }, 3).OMP_THREAD_LIMIT, '3');
  assert.equal(whisperCliEnv({ PATH: '/bin' }, 0).OMP_THREAD_LIMIT, '1');
  assert.equal(whisperCliEnv({ PATH: '/bin' }, 2).PATH, '/bin', 'the rest of the environment is passed on');
});

test('with VAD, 30 s of pure silence yields zero segments', async () => {
  const engine = createWhisperCliEngine({ binaryPath: bin, tmpDir: engineTmp, beamSize: 1 });
  const silent = join(work, 'silence.wav');
  await silenceWav(30, silent);
  const told: unknown[] = [];
  const t = await engine.transcribe({ ...base, audioPath: silent, modelPath: micro, vadModelPath: VAD_MODEL, onSpeechRegions: (r) => told.push(r) });
  assert.equal(t.segments.filter((s) => s.text.trim()).length, 0);
  assert.deepEqual(t.speechRegions, [], 'the VAD ran and found no speech');
  assert.deepEqual(told, [[]], 'no speech is told too, once');
});

test('a cancelled transcription rejects CANCELLED promptly and its process is gone', async () => {
  let pid = 0;
  const engine = createWhisperCliEngine({ binaryPath: bin, tmpDir: engineTmp, onSpawn: (p) => (pid = p) });
  const long = join(work, 'long.wav');
  await concatWav(JFK_WAV, 6, long);
  const tiny = await testModelPath('tiny'); // real tiny shapes on 66 s: runs long enough to be cancelled mid-way
  const ac = new AbortController();
  const running = engine.transcribe({ ...base, audioPath: long, modelPath: tiny, signal: ac.signal });
  await new Promise((r) => setTimeout(r, 700));
  assert.ok(pid > 0 && processExists(pid), 'whisper-cli is running');
  ac.abort();
  await assert.rejects(running, isEngineError('CANCELLED'));
  assert.equal(processExists(pid), false, `whisper-cli (pid ${pid}) is gone`);
  assert.deepEqual(readdirSync(engineTmp), [], 'temporary files are removed');
});

test('with audioReady, whisper-cli starts before the audio exists and transcribes it as it would the file', async () => {
  const engine = createWhisperCliEngine({ binaryPath: bin, tmpDir: engineTmp, beamSize: 1 });
  const fromFile = await engine.transcribe({ ...base, audioPath: JFK_WAV, modelPath: micro, vadModelPath: VAD_MODEL });

  const later = join(work, 'later.wav');
  let pid = 0;
  let give: () => void = () => {};
  const audioReady = new Promise<void>((r) => (give = r));
  const early = createWhisperCliEngine({ binaryPath: bin, tmpDir: engineTmp, beamSize: 1, onSpawn: (p) => (pid = p) });
  const progress: number[] = [];
  const running = early.transcribe({ ...base, audioPath: later, audioReady, modelPath: micro, vadModelPath: VAD_MODEL, onProgress: (p) => progress.push(p) });
  await until(() => pid > 0);
  // The child runs (loading its model) while the file it will transcribe is not there yet.
  await new Promise((r) => setTimeout(r, 300));
  assert.ok(processExists(pid), 'whisper-cli waits for its audio');
  writeFileSync(later, readFileSync(JFK_WAV));
  give();
  const fromStdin = await running;
  assert.deepEqual(fromStdin.segments, fromFile.segments, 'the same segments, tokens and times');
  assert.deepEqual(fromStdin.speechRegions, fromFile.speechRegions);
  assert.equal(fromStdin.language, fromFile.language);
  assert.equal(progress.at(-1), 100);
  assert.ok(fromStdin.seconds < 60);
  assert.deepEqual(readdirSync(engineTmp), [], 'temporary files are removed');
});

test('an audioReady that rejects stops the waiting whisper-cli: CANCELLED, its process gone', async () => {
  let pid = 0;
  let refuse: (err: Error) => void = () => {};
  const audioReady = new Promise<void>((_r, reject) => (refuse = reject));
  const engine = createWhisperCliEngine({ binaryPath: bin, tmpDir: engineTmp, beamSize: 1, onSpawn: (p) => (pid = p) });
  const running = engine.transcribe({ ...base, audioPath: join(work, 'never.wav'), audioReady, modelPath: micro });
  await until(() => pid > 0);
  refuse(new Error('the download failed'));
  await assert.rejects(running, isEngineError('CANCELLED'));
  assert.equal(processExists(pid), false, `whisper-cli (pid ${pid}) is gone`);
  assert.deepEqual(readdirSync(engineTmp), []);
});

test('a model whisper-cli cannot load fails at once, without waiting for an audio that is not ready', async () => {
  const engine = createWhisperCliEngine({ binaryPath: bin, tmpDir: engineTmp, beamSize: 1 });
  const bad = join(work, 'ggml-broken.bin');
  writeFileSync(bad, Buffer.alloc(4096, 7));
  const never = new Promise<void>(() => {});
  await assert.rejects(engine.transcribe({ ...base, audioPath: join(work, 'never.wav'), audioReady: never, modelPath: bad }), (err: unknown) => {
    assert.ok(err instanceof EngineError && err.code === 'TRANSCRIPTION_ERROR');
    assert.match(err.message, /exited with code|killed by/);
    return true;
  });
});

test('an already-aborted signal never starts whisper-cli', async () => {
  let spawned = false;
  const engine = createWhisperCliEngine({ binaryPath: bin, tmpDir: engineTmp, onSpawn: () => (spawned = true) });
  await assert.rejects(engine.transcribe({ ...base, audioPath: JFK_WAV, modelPath: micro, signal: AbortSignal.abort() }), isEngineError('CANCELLED'));
  assert.equal(spawned, false);
});

test('a corrupt model file is a TRANSCRIPTION_ERROR with whisper-cli’s reason, not a crash or an empty success', async () => {
  const engine = createWhisperCliEngine({ binaryPath: bin, tmpDir: engineTmp, beamSize: 1 });
  const bad = join(work, 'ggml-base.bin'); // an official name, so the DTW header check also meets garbage
  writeFileSync(bad, Buffer.alloc(4096, 7));
  await assert.rejects(engine.transcribe({ ...base, audioPath: JFK_WAV, modelPath: bad }), (err: unknown) => {
    assert.ok(err instanceof EngineError && err.code === 'TRANSCRIPTION_ERROR');
    assert.match(err.message, /exited with code|killed by/);
    assert.match(err.message, /model|magic|failed/i, 'carries the tail of whisper-cli’s stderr');
    return true;
  });
  assert.deepEqual(readdirSync(engineTmp), []);
});

test('audio whisper-cli cannot read is a TRANSCRIPTION_ERROR (it exits 0 and writes nothing)', async () => {
  const engine = createWhisperCliEngine({ binaryPath: bin, tmpDir: engineTmp, beamSize: 1 });
  const notAudio = join(work, 'not-audio.wav');
  writeFileSync(notAudio, 'hello, not a wav file\n');
  await assert.rejects(engine.transcribe({ ...base, audioPath: notAudio, modelPath: micro }), (err: unknown) => {
    assert.ok(err instanceof EngineError && err.code === 'TRANSCRIPTION_ERROR');
    assert.match(err.message, /wrote no result/);
    return true;
  });
});

test('a missing whisper-cli binary is a TRANSCRIPTION_ERROR naming the path', async () => {
  const engine = createWhisperCliEngine({ binaryPath: join(work, 'no-such-whisper-cli'), tmpDir: engineTmp });
  await assert.rejects(engine.transcribe({ ...base, audioPath: JFK_WAV, modelPath: micro }), (err: unknown) => {
    assert.ok(err instanceof EngineError && err.code === 'TRANSCRIPTION_ERROR');
    assert.match(err.message, /no-such-whisper-cli/);
    return true;
  });
  assert.deepEqual(readdirSync(engineTmp), []);
});
