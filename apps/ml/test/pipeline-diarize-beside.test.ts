/**
 * The diarizer beside transcription (run-job.ts, besideTranscription): it
 * starts while whisper.cpp still works, as soon as its input is known, with
 * the speech regions of whisper.cpp's own VAD pass when VAD is on, and a
 * transcription that fails stops it; the analysis pitch track likewise. The
 * engine, the diarizer and the pitch track are the real ones, wrapped only to
 * record when they start and end (and the track, to mark its frames).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isServiceError } from '@ecg/service-kit';
import { MIN_WORD_SECONDS } from '../src/analysis/analyze-recording.js';
import { trackPitch } from '../src/analysis/pitch-track.js';
import { diarize, type DiarizeInput } from '../src/diarization/diarize.js';
import { EngineError } from '../src/engine/engine.js';
import { runJob, type PipelineDeps } from '../src/pipeline/run-job.js';
import { JFK_WAV, VAD_MODEL, requireWhisperCli } from './helpers/fixtures.js';
import { concatWav } from './helpers/media.js';
import { SECRET } from './support/ml-service.js';
import { testPipelineDeps } from './support/pipeline-deps.js';
import { startStandIn, type StandIn } from './support/stand-in-backend.js';

interface Seen {
  diarizeStarted?: number;
  diarizeInput?: DiarizeInput;
  transcribed?: number;
  regionsTold?: Array<{ start: number; end: number }>;
}

describe('the diarizer beside transcription', () => {
  let work: string;
  let standIn: StandIn;
  let base: PipelineDeps;
  let audioUrl: string;

  before(async () => {
    requireWhisperCli();
    work = await mkdtemp(join(tmpdir(), 'ecg-ml-beside-'));
    standIn = await startStandIn({ secret: SECRET });
    audioUrl = standIn.serve('jfk.wav', JFK_WAV);
    base = await testPipelineDeps(work, standIn.origin);
  });
  after(async () => {
    await standIn?.close();
    await rm(work, { recursive: true, force: true });
  });

  /** `base` with the engine and the diarizer recording into `seen`; `failTranscription` makes the engine fail once the diarizer runs. */
  function depsFor(seen: Seen, opts: { beside: boolean; vad: boolean; failTranscription?: boolean }): PipelineDeps {
    let diarizerStarted: () => void = () => {};
    const started = new Promise<void>((r) => (diarizerStarted = r));
    return {
      ...base,
      vadModelPath: opts.vad ? VAD_MODEL : undefined,
      diarization: {
        ...base.diarization,
        besideTranscription: opts.beside,
        diarize: (input) => {
          seen.diarizeStarted = performance.now();
          seen.diarizeInput = input;
          diarizerStarted();
          return diarize(input);
        },
      },
      createEngine: (dir) => {
        const real = base.createEngine(dir);
        return {
          name: real.name,
          transcribe: async (req) => {
            const transcript = await real.transcribe({ ...req, onSpeechRegions: req.onSpeechRegions && ((r) => ((seen.regionsTold = r), req.onSpeechRegions!(r))) });
            if (opts.failTranscription) {
              // Bounded, so a diarizer that never starts fails the assertions below instead of hanging.
              let timer: NodeJS.Timeout | undefined;
              await Promise.race([started, new Promise((r) => (timer = setTimeout(r, 10_000)))]);
              clearTimeout(timer);
              throw new EngineError('TRANSCRIPTION_ERROR', 'whisper-cli exited with code 1: a test failure');
            }
            seen.transcribed = performance.now();
            return transcript;
          },
        };
      },
    };
  }

  const run = (deps: PipelineDeps, signal = new AbortController().signal) =>
    runJob({ jobId: randomUUID(), videoUrl: audioUrl, language: 'en' }, deps, { signal, onProgress: () => {} });

  it('starts at once without VAD, finding speech itself, and its speakers reach the result', async () => {
    const seen: Seen = {};
    const out = await run(depsFor(seen, { beside: true, vad: false }));
    assert.ok(seen.diarizeStarted! < seen.transcribed!, 'the diarizer started before the transcript was there');
    assert.equal(seen.diarizeInput!.speechRegions, undefined, 'no regions to wait for');
    assert.ok((out.result.diarization?.speakers ?? []).length >= 1, 'the result has its speakers');
    assert.equal(out.result.diarization?.vad, 'energy');
    assert.ok(out.result.segments.some((s) => s.speaker !== undefined), 'and its segments are assigned to them');
  });

  it('starts with whisper.cpp’s own speech regions as soon as its VAD pass has them, with VAD on', async () => {
    const seen: Seen = {};
    const out = await run(depsFor(seen, { beside: true, vad: true }));
    assert.ok(seen.regionsTold && seen.regionsTold.length > 0, 'the engine told the regions');
    assert.deepEqual(seen.diarizeInput!.speechRegions, seen.regionsTold, 'the diarizer got exactly those');
    assert.ok(seen.diarizeStarted! < seen.transcribed!, 'before the transcript was there');
    assert.equal(out.result.diarization?.vad, 'silero');
  });

  it('waits for the transcript when it may not run beside it', async () => {
    for (const vad of [false, true]) {
      const seen: Seen = {};
      await run(depsFor(seen, { beside: false, vad }));
      assert.ok(seen.diarizeStarted! > seen.transcribed!, `started after the transcript (VAD ${vad ? 'on' : 'off'})`);
      assert.equal(seen.regionsTold, undefined, 'and nobody asked for the regions early');
    }
  });

  it('measures the analysis pitch track beside it too, with the same regions, and the analysis uses that track', async () => {
    for (const vad of [false, true]) {
      const seen: Seen = {};
      let pitchStarted = 0;
      let pitchRegions: readonly { start: number; end: number }[] | undefined;
      const deps: PipelineDeps = {
        ...depsFor(seen, { beside: true, vad }),
        // The real track with every measured frame set to 123 Hz, so the result shows whether the analysis took it.
        trackPitchBeside: async (input) => {
          pitchStarted = performance.now();
          pitchRegions = input.regions;
          const track = await trackPitch(input);
          return { ...track, f0: track.f0.map((f, k) => (track.computed[k] ? 123 : f)) };
        },
      };
      const out = await run(deps);
      assert.ok(pitchStarted > 0 && pitchStarted < seen.transcribed!, `started before the transcript was there (VAD ${vad ? 'on' : 'off'})`);
      assert.deepEqual(pitchRegions, vad ? seen.regionsTold : undefined, 'with whisper.cpp’s regions when VAD is on, every frame when off');
      const pitches = out.result.segments.flatMap((s) => (s.words ?? []).map((w) => w.pitch_hz));
      assert.ok(pitches.includes(123), `the analysis read the track: ${pitches.join(',')}`);
    }
  });

  it('hands the later half of the pitch track to the other thread after the transcript, once the diarizer is done', async () => {
    // 33 s: two analysis blocks of 30 s, so there is a later half (from 30 s, the boundary nearest the middle).
    const longWav = join(work, 'jfk-x3.wav');
    await concatWav(JFK_WAV, 3, longWav);
    const longUrl = standIn.serve('jfk-x3.wav', longWav);
    const runLong = (deps: PipelineDeps) => runJob({ jobId: randomUUID(), videoUrl: longUrl, language: 'en' }, deps, { signal: new AbortController().signal, onProgress: () => {} });
    for (const beside of [true, false]) {
      const seen: Seen = {};
      const asked: Array<{ at: number; fromSeconds: number | undefined; regions: unknown }> = [];
      const deps: PipelineDeps = {
        ...depsFor(seen, { beside, vad: false }),
        // The real track with every measured frame set to 123 Hz, so the result shows whether the analysis took it.
        trackPitchAfter: async (input) => {
          asked.push({ at: performance.now(), fromSeconds: input.fromSeconds, regions: input.regions });
          const track = await trackPitch(input);
          return { ...track, f0: track.f0.map((f, k) => (track.computed[k] ? 123 : f)) };
        },
      };
      const out = await runLong(deps);
      if (!beside) {
        assert.deepEqual(asked, [], 'a diarizer that starts after the transcript has the thread: nothing is handed to it');
        continue;
      }
      assert.equal(asked.length, 1);
      assert.equal(asked[0]!.fromSeconds, 30);
      assert.equal(asked[0]!.regions, undefined, 'every frame from there on without VAD');
      assert.ok(asked[0]!.at > seen.transcribed!, 'after the transcript');
      const words = out.result.segments.flatMap((s) => s.words ?? []);
      const fromTrack = words.filter((x) => x.pitch_hz === 123);
      assert.ok(fromTrack.length > 0, `the analysis read the track: ${words.map((w) => `${w.start}-${w.end}:${w.pitch_hz}`).join(' ')}`);
      // A word shorter than MIN_WORD_SECONDS is measured on a window that long around it.
      for (const w of fromTrack) assert.ok(w.end + MIN_WORD_SECONDS > 30, `only words reaching past 30 s read it: ${w.word} ${w.start}-${w.end}`);
    }
  });

  it('is stopped by a transcription that fails, which fails the job with the engine’s code and leaves no files', async () => {
    const seen: Seen = {};
    await assert.rejects(run(depsFor(seen, { beside: true, vad: false, failTranscription: true })), (err) => isServiceError(err) && err.code === 'TRANSCRIPTION_ERROR');
    assert.ok(seen.diarizeInput, 'the diarizer had started beside the transcription');
    assert.equal(seen.diarizeInput.signal?.aborted, true, 'the diarizer was told to stop');
    assert.deepEqual(await readdir(base.tmpRoot), [], 'the job’s directory is gone');
  });
});
