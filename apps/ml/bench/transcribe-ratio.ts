/**
 * Service transcription time vs whisper.cpp's own whisper-cli on the same
 * 66 s of speech (jfk.wav × 6), model (tiny-shaped random weights) and
 * threads, 3 runs each, medians. Target: ratio <= 1.10.
 *
 * The reference is whisper-cli run directly with whisper.cpp's default output
 * (segments on stdout, nothing else). It is the very binary postinstall built
 * from the whisper.cpp source in node_modules, not a second build of the same
 * source: a second build with the same flags would be byte-for-byte the same
 * program, so running this one directly measures exactly what the service
 * adds (spawn, progress and segment parsing, the full JSON with token
 * timestamps, temp files). Same decoding for both: greedy (-bs 1) with the
 * temperature fallback off. Greedy because random weights make beam search
 * decode the full 224 tokens per window five times over (minutes on 2 cores)
 * while the overhead being measured does not depend on the decoder.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
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
    const engine = createWhisperCliEngine({ binaryPath: bin, tmpDir: work, beamSize: 1 });
    const ref: number[] = [];
    const svc: number[] = [];
    for (let i = 0; i < runs; i++) {
      let t = performance.now();
      const r = spawnSync(bin, ['-m', model, '-f', audio, '-l', 'en', '-t', String(threads), '-nf', '-bs', '1'], { stdio: 'ignore' });
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

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  const r = await main();
  console.log(`transcription, 66 s speech, tiny-shaped model, ${availableParallelism()} threads (median of 3):`);
  console.log(`  whisper-cli directly: ${r.reference.toFixed(2)} s   service engine: ${r.service.toFixed(2)} s   ratio: ${r.ratio.toFixed(3)} (target <= 1.10)`);
}
