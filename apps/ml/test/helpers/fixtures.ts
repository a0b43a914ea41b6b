import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findWhisperCli, whisperCliProblem } from '../../src/engine/whisper-binary.js';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
/** CI clones the repo next to a copy of shared/, so fixtures are found relative to the checkout. */
export const FIXTURES_DIR = join(REPO_ROOT, '..', 'shared', 'fixtures');
export const JFK_WAV = join(FIXTURES_DIR, 'jfk.wav');
export const VAD_MODEL = join(FIXTURES_DIR, 'silero-vad-v6.2.0-ggml.bin');

if (!existsSync(JFK_WAV)) throw new Error(`test fixtures missing: ${JFK_WAV} (shared/ must sit beside the repository)`);

/** The built whisper-cli; a missing binary fails the test with the reason, never skips it. */
export function requireWhisperCli(): string {
  const bin = findWhisperCli();
  if (!bin) throw new Error(`whisper-cli is required for this test: ${whisperCliProblem()}`);
  return bin;
}
