/**
 * A worker-only ML service (ML_ROLE=worker on REDIS_URL) in a child process,
 * for the tests that kill a worker with SIGKILL mid-job. Configured by its
 * environment like main.ts; prints "ready" once it takes jobs. Its engine is
 * a test fake, chosen by ECG_TEST_FAKE_ENGINE:
 * - `hang`: fakeHangingEngine, whose transcription never ends (until
 *   aborted), so the test can kill the process while the job runs;
 * - `kill-self`: fakeSelfKillingEngine, which SIGKILLs its own process, as a
 *   file that crashes whisper's host would, every time it is tried.
 */
import { loadConfig } from '../../src/config.js';
import type { TranscriptionEngine } from '../../src/engine/engine.js';
import { createMlService } from '../../src/service.js';

const fakeHangingEngine: TranscriptionEngine = {
  name: 'fake hanging engine (test)',
  transcribe: (request) =>
    new Promise((_resolve, reject) => {
      request.signal?.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
    }),
};

const fakeSelfKillingEngine: TranscriptionEngine = {
  name: 'fake self-killing engine (test)',
  transcribe: () => {
    process.kill(process.pid, 'SIGKILL');
    return new Promise(() => undefined);
  },
};

const fake = process.env.ECG_TEST_FAKE_ENGINE === 'kill-self' ? fakeSelfKillingEngine : fakeHangingEngine;
const service = await createMlService(loadConfig(process.env), { createEngine: () => fake, progressIntervalMs: 200 });
await service.start();
process.stdout.write('ready\n');
process.on('SIGTERM', () => void service.close().then(() => process.exit(0)));
