/**
 * `npm install` postinstall: builds whisper-cli for this machine once.
 * Never fails the install: when the build cannot happen it says exactly what
 * is missing, and the ML service then reports "not ready" with the same
 * reason instead of ever producing a fake transcript.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, closeSync, copyFileSync, mkdirSync, mkdtempSync, openSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { BUILD_JOBS, binaryRuns, missingBuildTools, planWhisperBuild } from './build-whisper.js';

function say(line: string): void {
  process.stdout.write(`[whisper-build] ${line}\n`);
}

function main(): number {
  if (process.env.ECG_SKIP_WHISPER_BUILD === '1') {
    say('skipped (ECG_SKIP_WHISPER_BUILD=1); set WHISPER_CLI_PATH to your own whisper-cli.');
    return 0;
  }
  const plan = planWhisperBuild();
  if (!plan) {
    say('whisper.cpp source not found (node_modules/nodejs-whisper); run npm install again.');
    return 0;
  }
  if (binaryRuns(plan.binaryPath)) {
    say(`whisper.cpp ${plan.version} already built for this machine: ${plan.binaryPath}`);
    return 0;
  }
  const missing = missingBuildTools();
  if (missing.length > 0) {
    say(`cannot build whisper.cpp: missing ${missing.join(', ')}.`);
    say('install them (Debian/Ubuntu: apt-get install cmake g++) and run `npm rebuild` or `npm install` again,');
    say('or set WHISPER_CLI_PATH to an existing whisper-cli binary.');
    return 0;
  }
  say(`building whisper.cpp ${plan.version} (${plan.cuda ? 'CUDA' : 'CPU'}: ${plan.cuda_reason}) with ${BUILD_JOBS} jobs; this takes a few minutes once...`);
  mkdirSync(dirname(plan.outDir), { recursive: true });
  const buildDir = mkdtempSync(join(dirname(plan.outDir), 'build-'));
  const started = Date.now();
  // Compiler chatter (hundreds of upstream warnings) goes to a log; its tail is shown on failure.
  const logPath = join(dirname(plan.outDir), `build-${plan.key}.log`);
  const log = openSync(logPath, 'w');
  const step = (args: string[], what: string) => {
    const r = spawnSync('cmake', args, { stdio: ['ignore', log, log] });
    if (r.status !== 0) {
      const tail = readFileSync(logPath, 'utf8').split('\n').slice(-25).join('\n');
      throw new Error(`${what} failed; last lines of ${logPath}:\n${tail}`);
    }
  };
  try {
    step(['-S', plan.sourceDir, '-B', buildDir, ...plan.cmakeFlags], 'cmake configure');
    step(['--build', buildDir, '--config', 'Release', '--target', 'whisper-cli', '-j', String(BUILD_JOBS)], 'cmake build');
    const built = join(buildDir, 'bin', 'whisper-cli');
    const staging = `${plan.outDir}.tmp-${process.pid}`;
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(staging, { recursive: true });
    copyFileSync(built, join(staging, 'whisper-cli'));
    chmodSync(join(staging, 'whisper-cli'), 0o755);
    rmSync(plan.outDir, { recursive: true, force: true });
    renameSync(staging, plan.outDir);
    if (!binaryRuns(plan.binaryPath)) throw new Error('the built whisper-cli does not run');
    say(`built in ${Math.round((Date.now() - started) / 1000)} s: ${plan.binaryPath}`);
    return 0;
  } catch (err) {
    say(`build failed: ${(err as Error).message}. The ML service will report not ready until whisper-cli exists.`);
    return 0;
  } finally {
    closeSync(log);
    rmSync(buildDir, { recursive: true, force: true });
  }
}

process.exit(main());
