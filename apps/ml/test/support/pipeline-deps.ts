import assert from 'node:assert/strict';
import { join } from 'node:path';
import { loadConfig } from '../../src/config.js';
import { createWhisperCliEngine } from '../../src/engine/whisper-cli-engine.js';
import type { PipelineDeps } from '../../src/pipeline/run-job.js';
import { checkReadiness } from '../../src/readiness.js';
import { testModelPath } from '../helpers/test-model.js';

/**
 * What runJob needs in a test: the real whisper-cli with the random-weight
 * micro model (greedy, no VAD), the real ffmpeg, downloads only from
 * `allowedOrigin`, scratch files under `work`. `env` sets further ML
 * variables (emphasis thresholds, …).
 */
export async function testPipelineDeps(work: string, allowedOrigin: string, env: Record<string, string> = {}): Promise<PipelineDeps> {
  const config = loadConfig({
    DATA_DIR: join(work, 'data'),
    ML_API_TOKEN: 't',
    CALLBACK_SECRET: 's',
    WHISPER_MODEL: await testModelPath('micro'),
    WHISPER_VAD: 'off',
    ...env,
  });
  const ready = await checkReadiness(config, process.env);
  assert.ok(ready.ready, ready.ready ? '' : ready.reason);
  return {
    tmpRoot: join(work, 'tmp'),
    tools: ready.tools,
    // Greedy decoding: random weights never stop early, so a beam of 5 costs 5x the steps.
    createEngine: (tmpDir) => createWhisperCliEngine({ binaryPath: ready.binaryPath, tmpDir, beamSize: 1 }),
    model: ready.model,
    allowedOrigins: [allowedOrigin],
    maxDownloadBytes: 50_000_000,
    downloadTimeoutMs: 30_000,
    downloadRetryMs: 0,
    maxMediaSeconds: 60,
    // Room for a random-weight decode on a loaded 2-core CI machine (measured: 38 s for the translate case
    // while other suites ran); the timeout itself has tests of its own.
    transcribeTimeoutMs: 240_000,
    threads: 2,
    temperatureFallback: false,
    vadModelPath: undefined,
    emphasisThresholds: config.emphasis,
    // The real diarizer runs in every pipeline test; with no VAD model it finds speech by energy.
    diarization: { enabled: true, vadBinaryPath: ready.vadBinaryPath },
  };
}
