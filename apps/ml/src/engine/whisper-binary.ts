import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { VAD_BINARY_NAME, buildToolsHint, missingBuildTools, planWhisperBuild } from './build-whisper.js';

function isExecutableFile(path: string): boolean {
  try {
    const st = statSync(path);
    return st.isFile() && (st.mode & 0o111) !== 0;
  } catch {
    return false;
  }
}

/**
 * WHISPER_CLI_PATH when set (and an executable file), else this machine's
 * cached build for the installed whisper.cpp source and flags (the same key
 * the postinstall build uses), else null. Cheap after the first call.
 */
export function findWhisperCli(env: NodeJS.ProcessEnv = process.env): string | null {
  if (env.WHISPER_CLI_PATH) return isExecutableFile(env.WHISPER_CLI_PATH) ? env.WHISPER_CLI_PATH : null;
  const plan = planWhisperBuild(env);
  if (!plan) return null;
  if (isExecutableFile(plan.binaryPath)) return plan.binaryPath;
  // A GPU that appeared after install (or a toolkit installed since): the CPU build still works.
  if (plan.cuda && !env.WHISPER_CUDA) {
    const cpu = planWhisperBuild({ ...env, WHISPER_CUDA: '0' });
    if (cpu && isExecutableFile(cpu.binaryPath)) return cpu.binaryPath;
  }
  return null;
}

/**
 * whisper.cpp's `whisper-vad-speech-segments` (Silero VAD) beside the
 * whisper-cli that findWhisperCli finds: the cached build makes both, and a
 * whisper.cpp build of one's own (WHISPER_CLI_PATH) puts both in its bin/.
 * Null when it is not there; the diarizer then uses its energy VAD.
 */
export function findWhisperVadBinary(env: NodeJS.ProcessEnv = process.env): string | null {
  const cli = findWhisperCli(env);
  if (!cli) return null;
  const vad = join(dirname(cli), VAD_BINARY_NAME);
  return isExecutableFile(vad) ? vad : null;
}

/** Why no binary was found, and how to fix it, in one sentence for /health and logs. */
export function whisperCliProblem(env: NodeJS.ProcessEnv = process.env): string {
  if (env.WHISPER_CLI_PATH) {
    return existsSync(env.WHISPER_CLI_PATH)
      ? `WHISPER_CLI_PATH=${env.WHISPER_CLI_PATH} is not an executable file`
      : `WHISPER_CLI_PATH=${env.WHISPER_CLI_PATH} does not exist: point it at a whisper-cli binary or unset it to use the one npm install builds`;
  }
  const plan = planWhisperBuild(env);
  if (!plan) return 'the whisper.cpp source (npm package nodejs-whisper) is not installed: run npm install';
  const missing = missingBuildTools(env);
  if (missing.length > 0) {
    return `whisper-cli is not built because ${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} missing: install ${missing.length > 1 ? 'them' : 'it'} (${buildToolsHint()}), then run npm run postinstall (or npm install), or set WHISPER_CLI_PATH`;
  }
  const log = existsSync(plan.logPath) ? ` (last build log: ${plan.logPath})` : '';
  return `whisper-cli is not built for this machine yet (expected ${plan.binaryPath})${log}: run npm run postinstall (or npm install), or set WHISPER_CLI_PATH`;
}
