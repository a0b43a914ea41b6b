/**
 * A job's decode options (task, prompt, temperature) on their way from the
 * job into the engine, through the real pipeline and whisper-cli: the engine
 * is the real one, wrapped only to record the request it is given.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TranscribeRequest } from '../src/engine/engine.js';
import { runJob, type JobInput, type PipelineDeps } from '../src/pipeline/run-job.js';
import { JFK_WAV, requireWhisperCli } from './helpers/fixtures.js';
import { SECRET } from './support/ml-service.js';
import { testPipelineDeps } from './support/pipeline-deps.js';
import { startStandIn, type StandIn } from './support/stand-in-backend.js';

describe('job options in the pipeline', () => {
  let work: string;
  let standIn: StandIn;
  let deps: PipelineDeps;
  let audioUrl: string;
  const seen: TranscribeRequest[] = [];

  before(async () => {
    requireWhisperCli();
    work = await mkdtemp(join(tmpdir(), 'ecg-ml-options-'));
    standIn = await startStandIn({ secret: SECRET });
    audioUrl = standIn.serve('jfk.wav', JFK_WAV);
    const base = await testPipelineDeps(work, standIn.origin);
    deps = {
      ...base,
      diarization: { ...base.diarization, enabled: false },
      createEngine: (dir) => {
        const real = base.createEngine(dir);
        return { name: real.name, transcribe: (req) => (seen.push(req), real.transcribe(req)) };
      },
    };
  });
  after(async () => {
    await standIn?.close();
    await rm(work, { recursive: true, force: true });
  });

  const run = (extra: Partial<JobInput>) =>
    runJob({ jobId: randomUUID(), videoUrl: audioUrl, language: 'ko', ...extra }, deps, { signal: new AbortController().signal, onProgress: () => {} });

  it('hands translate, the prompt and the temperature to the engine, and marks a translation English', async () => {
    const out = await run({ decode: { task: 'translate', prompt: 'Kennedy, 1961.', temperature: 0 } });
    const req = seen.at(-1)!;
    assert.equal(req.task, 'translate');
    assert.equal(req.prompt, 'Kennedy, 1961.');
    assert.equal(req.temperature, 0, 'a temperature of 0 is a value, not "unset"');
    assert.equal(req.language, 'ko', 'the spoken language still tells Whisper what it hears');
    assert.equal(out.result.language, 'en', 'the text is English, so the result says so');
  });

  it('hands none of them for a job without options, and keeps the language', async () => {
    const out = await run({});
    const req = seen.at(-1)!;
    for (const key of ['task', 'prompt', 'temperature'] as const) assert.equal(req[key], undefined, key);
    assert.equal(out.result.language, 'ko');
  });
});
