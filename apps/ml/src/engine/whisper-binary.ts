import { existsSync } from 'node:fs';
import { planWhisperBuild } from './build-whisper.js';

/** WHISPER_CLI_PATH when set, else this machine's cached build, else null. */
export function findWhisperCli(env: NodeJS.ProcessEnv = process.env): string | null {
  if (env.WHISPER_CLI_PATH) return existsSync(env.WHISPER_CLI_PATH) ? env.WHISPER_CLI_PATH : null;
  const plan = planWhisperBuild(env);
  return plan && existsSync(plan.binaryPath) ? plan.binaryPath : null;
}

/** Why no binary was found, and how to fix it, in one sentence for /health and logs. */
export function whisperCliProblem(env: NodeJS.ProcessEnv = process.env): string {
  if (env.WHISPER_CLI_PATH) return `WHISPER_CLI_PATH=${env.WHISPER_CLI_PATH} does not exist`;
  const plan = planWhisperBuild(env);
  if (!plan) return 'whisper.cpp source (npm package nodejs-whisper) is not installed: run npm install';
  return `whisper-cli is not built for this machine (${plan.binaryPath}): install cmake and a C++ compiler, then run npm rebuild, or set WHISPER_CLI_PATH`;
}
