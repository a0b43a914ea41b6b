/**
 * The audio-analysis stage of the pipeline (runJob) with the real whisper-cli
 * (random-weight micro model), real ffmpeg and the real analysis: where it
 * sits in the progress, what it adds to the result, and what a failure in it
 * does to the job. The delivered body is checked end to end in
 * service-pipeline.test.ts.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AnalyzedTranscriptResult, WaveformJson, type JobStage } from '@ecg/contracts';
import { ServiceError } from '@ecg/service-kit';
import { ProgressTracker } from '../src/pipeline/progress.js';
import { runJob, type JobHooks, type PipelineDeps } from '../src/pipeline/run-job.js';
import { JFK_WAV, requireWhisperCli } from './helpers/fixtures.js';
import { ffmpeg } from './helpers/media.js';
import { muxIntoMp4 } from './support/media.js';
import { SECRET } from './support/ml-service.js';
import { testPipelineDeps } from './support/pipeline-deps.js';
import { startStandIn, type StandIn } from './support/stand-in-backend.js';

describe('audio analysis in the pipeline', () => {
  let work: string;
  let standIn: StandIn;
  let deps: PipelineDeps;
  let videoUrl: string;

  before(async () => {
    requireWhisperCli();
    work = await mkdtemp(join(tmpdir(), 'ecg-ml-analysis-'));
    standIn = await startStandIn({ secret: SECRET });
    // 3 s of speech: the analysis measures real audio, and the decode stays short.
    await ffmpeg(['-i', JFK_WAV, '-t', '3', join(work, 'short.wav')]);
    videoUrl = standIn.serve('short.mp4', await muxIntoMp4(join(work, 'short.wav'), join(work, 'short.mp4')));
    deps = await testPipelineDeps(work, standIn.origin, { EMPHASIS_LOUD_DB: '5', EMPHASIS_WHISPER_DB: '9' });
  });
  after(async () => {
    await standIn?.close();
    await rm(work, { recursive: true, force: true });
  });

  const job = () => ({ jobId: randomUUID(), videoUrl, language: 'en' });
  const leftovers = () => readdir(deps.tmpRoot).catch(() => []);

  it('measures every word between transcribing and finalizing, with the bar never going back', async () => {
    const stages: JobStage[] = [];
    const values: number[] = [];
    const tracker = new ProgressTracker();
    const out = await runJob(job(), deps, {
      signal: new AbortController().signal,
      onProgress: (stage, fraction) => {
        if (stages.at(-1) !== stage) stages.push(stage);
        tracker.update(stage, fraction);
        values.push(tracker.value);
      },
    });
    assert.deepEqual(stages, ['downloading', 'extracting', 'transcribing', 'analyzing', 'finalizing']);
    assert.deepEqual(values, [...values].sort((a, b) => a - b), `progress went backwards: ${values.join(',')}`);
    assert.ok(values.includes(85), 'the analysing stage starts at 85 %');

    const result = AnalyzedTranscriptResult.parse(out.result);
    const words = result.segments.flatMap((s) => s.words ?? []);
    assert.ok(words.length > 0, 'the micro model emits words for speech');
    for (const w of words) {
      assert.ok(Number.isFinite(w.volume_db) && w.volume_db <= 0, JSON.stringify(w));
      assert.ok(w.peak_db >= w.volume_db, JSON.stringify(w));
      assert.ok(w.pitch_hz === null || w.pitch_hz > 0, JSON.stringify(w));
      assert.ok(['loud', 'normal', 'whisper'].includes(w.emphasis), JSON.stringify(w));
    }
    for (const seg of result.segments) assert.ok('stats' in seg, 'every segment has stats');
    assert.ok(result.analysis.words_per_minute! > 0);
    assert.deepEqual(
      { loud: result.analysis.thresholds.loud_db, whisper: result.analysis.thresholds.whisper_db },
      { loud: 5, whisper: 9 },
      'EMPHASIS_LOUD_DB / EMPHASIS_WHISPER_DB reach the analysis',
    );
    assert.equal(typeof result.timing?.analyze_seconds, 'number');
    assert.ok(result.timing!.total_seconds! >= result.timing!.analyze_seconds!);

    const waveform = WaveformJson.parse(out.waveform);
    assert.ok(Math.abs(waveform.length - result.duration! * 100) <= 2, `${waveform.length} pixels for ${result.duration} s`);
    assert.equal(waveform.data.length, 2 * waveform.length);
    assert.deepEqual(await leftovers(), [], 'the WAV is removed after the analysis read it');
  });

  it('delivers the transcript without analysis, with an "analysis failed" warning, when the analysis fails', async () => {
    const warned: string[] = [];
    // Thresholds loadConfig would refuse make the real analysis throw (INTERNAL_ERROR), as a bug in it would.
    const out = await runJob(job(), { ...deps, emphasisThresholds: { loudDb: -1, whisperDb: 9 } }, {
      signal: new AbortController().signal,
      onProgress: () => {},
      onWarning: (message) => warned.push(message),
    });
    assert.equal(warned.length, 1);
    assert.match(warned[0]!, /^analysis failed: .*emphasis thresholds/);
    assert.deepEqual(out.result.warnings, warned);
    assert.equal(out.waveform, undefined);
    assert.equal(out.result.analysis, undefined);
    assert.ok(out.result.segments.length > 0, 'the transcript is kept');
    for (const seg of out.result.segments) {
      assert.equal(seg.stats, undefined);
      for (const w of seg.words ?? []) assert.equal(w.volume_db, undefined);
    }
    assert.equal(typeof out.result.timing?.analyze_seconds, 'number');
    assert.deepEqual(await leftovers(), []);
  });

  it('fails with AUDIO_EXTRACTION_ERROR when the extracted WAV cannot be read for analysis', async () => {
    const hooks: JobHooks = {
      signal: new AbortController().signal,
      onProgress: (stage) => {
        if (stage !== 'analyzing') return;
        // The job's own directory is the only one under tmpRoot while it runs.
        const dirs = readdirSync(deps.tmpRoot);
        assert.equal(dirs.length, 1, `one job directory expected, found ${dirs.join(', ')}`);
        writeFileSync(join(deps.tmpRoot, dirs[0]!, 'audio.wav'), 'not a wav file');
      },
    };
    await assert.rejects(runJob(job(), deps, hooks), (err: unknown) => err instanceof ServiceError && err.code === 'AUDIO_EXTRACTION_ERROR');
    assert.deepEqual(await leftovers(), []);
  });

  it('ends as CANCELLED when the cancel arrives during the analysis, leaving no temp files', async () => {
    const ctl = new AbortController();
    const stages: JobStage[] = [];
    await assert.rejects(
      runJob(job(), deps, {
        signal: ctl.signal,
        onProgress: (stage) => {
          stages.push(stage);
          if (stage === 'analyzing') ctl.abort();
        },
      }),
      (err: unknown) => err instanceof ServiceError && err.code === 'CANCELLED',
    );
    assert.equal(stages.at(-1), 'analyzing', 'nothing runs after the cancel');
    assert.deepEqual(await leftovers(), []);
  });
});

