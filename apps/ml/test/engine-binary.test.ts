import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { binaryRuns, cudaDecision, ecgCacheDir, planWhisperBuild } from '../src/engine/build-whisper.js';
import { main as buildMain } from '../src/engine/build-whisper-cli.js';
import { findWhisperCli, whisperCliProblem } from '../src/engine/whisper-binary.js';
import { requireWhisperCli } from './helpers/fixtures.js';

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'ecg-binary-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('the cache lives under ECG_CACHE_DIR, else XDG_CACHE_HOME/ecg, else ~/.cache/ecg', () => {
  assert.equal(ecgCacheDir({ ECG_CACHE_DIR: '/c' }), '/c');
  assert.equal(ecgCacheDir({ XDG_CACHE_HOME: '/x' }), '/x/ecg');
  assert.match(ecgCacheDir({}), /\.cache\/ecg$/);
});

test('the build is a static native Release build keyed by its flags, at <cache>/whisper/<hash>/whisper-cli', () => {
  const cpu = planWhisperBuild({ ECG_CACHE_DIR: dir, WHISPER_CUDA: '0' })!;
  const gpu = planWhisperBuild({ ECG_CACHE_DIR: dir, WHISPER_CUDA: '1' })!;
  for (const flag of ['-DCMAKE_BUILD_TYPE=Release', '-DGGML_NATIVE=ON', '-DBUILD_SHARED_LIBS=OFF', '-DWHISPER_BUILD_TESTS=OFF', '-DGGML_CUDA=OFF']) {
    assert.ok(cpu.cmakeFlags.includes(flag), flag);
  }
  assert.ok(gpu.cmakeFlags.includes('-DGGML_CUDA=ON'));
  assert.notEqual(cpu.key, gpu.key, 'a CUDA build never reuses a CPU build');
  assert.equal(cpu.binaryPath, join(dir, 'whisper', cpu.key, 'whisper-cli'));
  assert.match(cpu.version, /^1\.\d+\.\d+$/);
  assert.equal(planWhisperBuild({ ECG_CACHE_DIR: dir, WHISPER_CUDA: '0' })!.key, cpu.key, 'the key is stable');
});

test('CUDA is used only when asked or when nvidia-smi lists a GPU, never for a compiler alone', () => {
  assert.equal(cudaDecision({ WHISPER_CUDA: '1' }).cuda, true);
  assert.equal(cudaDecision({ WHISPER_CUDA: 'off' }).cuda, false);
  // With no nvidia-smi on PATH nothing answers, whatever nvcc is installed.
  const probe = cudaDecision({});
  assert.equal(typeof probe.cuda, 'boolean');
  assert.match(probe.reason, /nvidia-smi/);
});

test('WHISPER_CLI_PATH wins when it is an executable, and a wrong one is explained', () => {
  const fake = join(dir, 'my-whisper-cli');
  writeFileSync(fake, '#!/bin/sh\nexit 0\n');
  chmodSync(fake, 0o755);
  assert.equal(findWhisperCli({ WHISPER_CLI_PATH: fake }), fake);
  const missing = join(dir, 'nope');
  assert.equal(findWhisperCli({ WHISPER_CLI_PATH: missing }), null);
  assert.match(whisperCliProblem({ WHISPER_CLI_PATH: missing }), /WHISPER_CLI_PATH=.*nope does not exist/);
  const notExec = join(dir, 'not-exec');
  writeFileSync(notExec, '');
  assert.equal(findWhisperCli({ WHISPER_CLI_PATH: notExec }), null);
  assert.match(whisperCliProblem({ WHISPER_CLI_PATH: notExec }), /not an executable/);
});

test('the cached build is found by the same key the installer uses, and its absence explained', () => {
  const env = { ECG_CACHE_DIR: join(dir, 'cache'), WHISPER_CUDA: '0', PATH: process.env.PATH };
  assert.equal(findWhisperCli(env), null);
  assert.match(whisperCliProblem(env), /not built for this machine yet.*npm run postinstall/);
  const plan = planWhisperBuild(env)!;
  mkdirSync(plan.outDir, { recursive: true });
  copyFileSync(requireWhisperCli(), plan.binaryPath);
  chmodSync(plan.binaryPath, 0o755);
  assert.equal(findWhisperCli(env), plan.binaryPath);
  assert.ok(binaryRuns(plan.binaryPath), 'whisper-cli --help exits 0');
});

test('without cmake or a compiler the installer says what to install and still exits 0', async () => {
  const env = { ECG_CACHE_DIR: join(dir, 'no-tools'), WHISPER_CUDA: '0', PATH: join(dir, 'empty-bin') };
  const lines: string[] = [];
  assert.equal(await buildMain(env, (l) => lines.push(l)), 0);
  const said = lines.join('\n');
  assert.match(said, /missing cmake, a C compiler, a C\+\+ compiler, make/);
  assert.match(said, /apt-get install cmake build-essential/);
  assert.equal(existsSync(planWhisperBuild(env)!.binaryPath), false);
  assert.match(whisperCliProblem(env), /cmake.*missing.*npm run postinstall/);
});

test('the installer skips the build when the cached binary already runs', async () => {
  const env = { ECG_CACHE_DIR: join(dir, 'cache'), WHISPER_CUDA: '0', PATH: process.env.PATH };
  const lines: string[] = [];
  assert.equal(await buildMain(env, (l) => lines.push(l)), 0);
  assert.match(lines.join('\n'), /already built for this machine/);
});
