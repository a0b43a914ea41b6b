/**
 * Service transcription time vs whisper.cpp's own whisper-cli on the same
 * 66 s of speech, model (tiny-shaped random weights) and threads.
 *
 * The reference is whisper-cli run straight from a shell-like spawn with
 * plain text output; the service path is createWhisperCliEngine end to end
 * (progress parsing, live segments, full JSON with tokens, temp files). Both
 * use the binary built from the same whisper.cpp source with the same flags,
 * so the ratio is exactly the service's overhead. Target: <= 1.10.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createWhisperCliEngine } from '../src/engine/whisper-cli-engine.js';
import { JFK_WAV, requireWhisperCli } from '../test/helpers/fixtures.js';
import { testModelPath } from '../test/helpers/test-model.js';
import { concatWav } from '../test/helpers/media.js';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function main(runs = 3): Promise<{ reference: number; service: number; ratio: number }> {
  const bin = requireWhisperCli();
  const work = mkdtempSync(join(tmpdir(), 'ecg-bench-'));
  try {
    const audio = join(work, 'speech-66s.wav');
    await concatWav(JFK_WAV, 6, audio);
    const model = await testModelPath('tiny');
    const threads = availableParallelism();
    const engine = createWhisperCliEngine({ binaryPath: bin, tmpDir: work });
    const ref: number[] = [];
    const svc: number[] = [];
    for (let i = 0; i < runs; i++) {
      let t = performance.now();
      const r = spawnSync(bin, ['-m', model, '-f', audio, '-l', 'en', '-t', String(threads), '-nf'], { stdio: 'ignore' });
      if (r.status !== 0) throw new Error(`reference whisper-cli failed (${r.status})`);
      ref.push((performance.now() - t) / 1000);
      t = performance.now();
      await engine.transcribe({ audioPath: audio, modelPath: model, language: 'en', threads, temperatureFallback: false });
      svc.push((performance.now() - t) / 1000);
    }
    const reference = median(ref);
    const service = median(svc);
    return { reference, service, ratio: service / reference };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await main();
  console.log(`transcription, 66 s speech, tiny-shaped model, ${availableParallelism()} threads (median of 3):`);
  console.log(`  whisper-cli directly: ${r.reference.toFixed(2)} s   service engine: ${r.service.toFixed(2)} s   ratio: ${r.ratio.toFixed(3)} (target <= 1.10)`);
}
