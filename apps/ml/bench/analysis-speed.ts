/**
 * Audio analysis speed: per-word loudness and pitch plus the waveform summary
 * on ~10 minutes of speech (jfk.wav looped 55 times: 605 s), with a word
 * every 0.4 s (0.35 s long, so pitch is computed on almost every frame — the
 * worst case for a real transcript, whose pauses cost nothing).
 *
 * Target: a small fraction of transcription time; a minute of audio well
 * under 1 s. Reported: the median of 3 runs, reading the WAV from disk.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TranscriptResult, TranscriptSegment } from '@ecg/contracts';
import { analyzeRecording } from '../src/analysis/analyze-recording.js';
import { openWav } from '../src/analysis/read-wav.js';
import { JFK_WAV } from '../test/helpers/fixtures.js';
import { concatWav } from '../test/helpers/media.js';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** A word every 0.4 s, ten words to a segment. */
function syntheticTranscript(seconds: number): TranscriptResult {
  const segments: TranscriptSegment[] = [];
  for (let t = 0, i = 0; t + 0.35 <= seconds; t += 0.4, i++) {
    if (i % 10 === 0) segments.push({ id: segments.length, start: t, end: t, text: '', words: [] });
    const seg = segments.at(-1)!;
    seg.words!.push({ word: `w${i}`, start: t, end: t + 0.35, probability: 1 });
    seg.end = t + 0.35;
  }
  for (const s of segments) s.text = s.words!.map((w) => w.word).join(' ');
  return { text: segments.map((s) => s.text).join(' '), language: 'en', duration: seconds, segments };
}

export async function main(runs = 3): Promise<{ audioSeconds: number; analysisSeconds: number; secondsPerAudioMinute: number }> {
  const work = mkdtempSync(join(tmpdir(), 'ecg-bench-analysis-'));
  try {
    const wavPath = join(work, 'speech-10min.wav');
    await concatWav(JFK_WAV, 55, wavPath);
    const reader = await openWav(wavPath);
    const audioSeconds = reader.totalSamples / reader.sampleRate;
    await reader.close();
    const result = syntheticTranscript(audioSeconds);
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t = performance.now();
      await analyzeRecording({ wavPath, result });
      times.push((performance.now() - t) / 1000);
    }
    const analysisSeconds = median(times);
    return { audioSeconds, analysisSeconds, secondsPerAudioMinute: analysisSeconds / (audioSeconds / 60) };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await main();
  console.log(`audio analysis (loudness, YIN pitch, waveform), ${r.audioSeconds.toFixed(0)} s of speech, a word every 0.4 s (median of 3):`);
  console.log(`  ${r.analysisSeconds.toFixed(2)} s   = ${r.secondsPerAudioMinute.toFixed(3)} s per audio minute (target: well under 1 s)`);
}
