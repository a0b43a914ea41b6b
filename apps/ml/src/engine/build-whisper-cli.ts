/**
 * `npm install` postinstall: builds whisper-cli for this machine once.
 * Never fails the install: when the build cannot happen it says exactly what
 * is missing, and the ML service then reports "not ready" with the same
 * reason instead of ever producing a fake transcript.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUILD_JOBS, binaryRuns, buildToolsHint, buildWhisperCli, fileSize, missingBuildTools, planWhisperBuild } from './build-whisper.js';

function printLine(line: string): void {
  process.stdout.write(`[whisper-build] ${line}\n`);
}

/** Always resolves 0: a failed build must not fail `npm install` (the service reports why instead). */
export async function main(env: NodeJS.ProcessEnv = process.env, say: (line: string) => void = printLine): Promise<number> {
  if (env.ECG_SKIP_WHISPER_BUILD === '1') {
    say('skipped (ECG_SKIP_WHISPER_BUILD=1); set WHISPER_CLI_PATH to your own whisper-cli.');
    return 0;
  }
  if (env.WHISPER_CLI_PATH) {
    say(`WHISPER_CLI_PATH is set (${env.WHISPER_CLI_PATH}); not building whisper.cpp.`);
    return 0;
  }
  const plan = planWhisperBuild(env);
  if (!plan) {
    say('whisper.cpp source not found (node_modules/nodejs-whisper/cpp/whisper.cpp); run npm install again.');
    return 0;
  }
  if (binaryRuns(plan.binaryPath)) {
    say(`whisper.cpp ${plan.version} is already built for this machine: ${plan.binaryPath}`);
    return 0;
  }
  const missing = missingBuildTools(env);
  if (missing.length > 0) {
    say(`cannot build whisper.cpp ${plan.version}: missing ${missing.join(', ')}.`);
    say(`install them (${buildToolsHint()}), then run \`npm run postinstall\` (or npm install) again,`);
    say('or set WHISPER_CLI_PATH to an existing whisper-cli binary. Until then the ML service reports not ready.');
    return 0;
  }
  say(`building whisper.cpp ${plan.version} whisper-cli (${plan.cuda ? 'CUDA' : 'CPU'}: ${plan.cudaReason}; native SIMD) with ${BUILD_JOBS} jobs.`);
  say(`this runs once per machine and takes a few minutes; log: ${plan.logPath}`);
  const started = Date.now();
  try {
    const bin = await buildWhisperCli(plan, say);
    say(`built in ${Math.round((Date.now() - started) / 1000)} s (${(fileSize(bin) / 1e6).toFixed(1)} MB): ${bin}`);
  } catch (err) {
    say(`build failed: ${(err as Error).message}`);
    say('the ML service will report not ready until whisper-cli exists; fix the cause and run `npm run postinstall`.');
  }
  return 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) process.exitCode = await main();
