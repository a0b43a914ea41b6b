/**
 * Diarization as a stage of the pipeline (runJob) with the real whisper-cli
 * (random-weight micro model), real ffmpeg and the real diarizer on
 * jfk.wav: what it adds to the result, that the request's speaker count
 * reaches it, and what a failure in it does to the job. The diarizer's
 * accuracy is measured in diarization.test.ts.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { TranscriptResult } from '@ecg/contracts';
import { diarize, type DiarizeInput } from '../src/diarization/diarize.js';
import { runJob, type JobInput, type PipelineDeps } from '../src/pipeline/run-job.js';
import { JFK_WAV, VAD_MODEL, requireWhisperCli } from './helpers/fixtures.js';
import { muxIntoMp4 } from './support/media.js';
import { SECRET } from './support/ml-service.js';
import { testPipelineDeps } from './support/pipeline-deps.js';
import { startStandIn, type StandIn } from './support/stand-in-backend.js';

describe('diarization in the pipeline', () => {
  let work: string;
  let standIn: StandIn;
  let deps: PipelineDeps;
  let videoUrl: string;

  before(async () => {
    requireWhisperCli();
    work = await mkdtemp(join(tmpdir(), 'ecg-ml-diarize-'));
    standIn = await startStandIn({ secret: SECRET });
    videoUrl = standIn.serve('jfk.mp4', await muxIntoMp4(JFK_WAV, join(work, 'jfk.mp4')));
    deps = await testPipelineDeps(work, standIn.origin);
  });
  after(async () => {
    await standIn?.close();
    await rm(work, { recursive: true, force: true });
  });

  const job = (extra: Partial<JobInput> = {}): JobInput => ({ jobId: randomUUID(), videoUrl, language: 'en', ...extra });
  const run = (input: JobInput, d: PipelineDeps = deps) =>
    runJob(input, d, { signal: new AbortController().signal, onProgress: () => {} });

  it('finds one speaker in one voice and gives every word and segment that speaker', async () => {
    const out = await run(job());
    const result = TranscriptResult.parse(out.result);
    assert.ok(result.diarization, `the result carries the diarization: ${JSON.stringify(result.warnings)}`);
    assert.deepEqual(
      result.diarization.speakers.map((s) => s.id),
      ['SPEAKER_00'],
    );
    assert.ok(result.diarization.speakers[0]!.seconds > 5, 'most of the 11 s is speech');
    assert.ok(result.diarization.turns.length >= 1);
    const words = result.segments.flatMap((s) => s.words ?? []);
    assert.ok(words.length > 0);
    assert.ok(words.every((w) => w.speaker === 'SPEAKER_00'));
    assert.ok(result.segments.every((s) => s.speaker === 'SPEAKER_00'));
    assert.ok((result.timing?.diarize_seconds ?? -1) >= 0, 'the stage is timed');
  });

  it('passes the requested number of speakers to the diarizer', async () => {
    const out = await run(job({ speakers: { num_speakers: 2 } }));
    assert.equal(out.result.diarization?.speakers.length, 2);
  });

  it('delivers the transcript with a warning when the diarizer fails', async () => {
    const failing: PipelineDeps = {
      ...deps,
      // A fake diarizer, named as such: the failure path is what is under test.
      diarization: { ...deps.diarization, diarize: () => Promise.reject(new Error('fake diarizer: out of ideas')) },
    };
    const out = await run(job(), failing);
    assert.equal(out.result.diarization, undefined);
    assert.ok(out.result.segments.length > 0, 'the transcript is there');
    assert.ok(out.waveform, 'the analysis is there');
    assert.deepEqual(out.result.warnings, ['diarization failed: fake diarizer: out of ideas']);
  });

  it('with VAD on, the diarizer takes the speech regions of whisper-cli’s VAD pass instead of running the VAD again', async () => {
    const inputs: DiarizeInput[] = [];
    const withVad: PipelineDeps = {
      ...deps,
      vadModelPath: VAD_MODEL,
      // The real diarizer, wrapped to see what it is given; no VAD binary, so Silero regions can only come from the engine.
      diarization: { ...deps.diarization, vadBinaryPath: undefined, diarize: (input) => (inputs.push(input), diarize(input)) },
    };
    const out = await run(job(), withVad);
    assert.equal(inputs.length, 1);
    const regions = inputs[0]!.speechRegions ?? [];
    assert.equal(regions.length, 4, `jfk.wav's four phrases: ${JSON.stringify(regions)}`);
    assert.ok(Math.abs(regions[0]!.start - 0.32) < 0.05 && Math.abs(regions[3]!.end - 10.62) < 0.05, JSON.stringify(regions));
    assert.equal(out.result.diarization?.vad, 'silero');
    assert.deepEqual(out.result.diarization?.speakers.map((s) => s.id), ['SPEAKER_00']);
  });

  it('runs no diarizer with DIARIZATION off', async () => {
    const off: PipelineDeps = { ...deps, diarization: { ...deps.diarization, enabled: false } };
    const out = await run(job(), off);
    assert.equal(out.result.diarization, undefined);
    assert.equal(out.result.timing?.diarize_seconds, undefined);
  });
});
