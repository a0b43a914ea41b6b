/**
 * whisper.cpp starts with the job (run-job.ts): it loads its model while the
 * audio is still downloaded, and is handed the audio once it is ready. The
 * storage here is a bare HTTP server that holds back the second half of the
 * WAV until whisper-cli runs, so the test sees the order of events, not
 * timings; the engine is the real one, wrapped only to learn its pid.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isServiceError } from '@ecg/service-kit';
import { createWhisperCliEngine } from '../src/engine/whisper-cli-engine.js';
import { runJob, type PipelineDeps } from '../src/pipeline/run-job.js';
import { JFK_WAV, requireWhisperCli } from './helpers/fixtures.js';
import { processExists } from './helpers/process-exists.js';
import { testPipelineDeps } from './support/pipeline-deps.js';

describe('whisper.cpp starting with the job', () => {
  let work: string;
  let server: Server;
  let origin: string;
  let base: PipelineDeps;
  const wav = readFileSync(JFK_WAV);
  /** Set by each test: what the storage does with a request. */
  let serve: (res: ServerResponse) => void = () => {};

  before(async () => {
    requireWhisperCli();
    work = await mkdtemp(join(tmpdir(), 'ecg-ml-early-'));
    server = createServer((_req, res) => serve(res));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    base = await testPipelineDeps(work, origin);
  });
  after(async () => {
    await new Promise((r) => server.close(r));
    await rm(work, { recursive: true, force: true });
  });

  /** `base` with the real engine reporting its child's pid. */
  function depsWithPid(onPid: (pid: number) => void): PipelineDeps {
    return {
      ...base,
      createEngine: (tmpDir) => createWhisperCliEngine({ binaryPath: requireWhisperCli(), tmpDir, beamSize: 1, onSpawn: onPid }),
    };
  }

  it('runs whisper-cli before the download has finished, then transcribes the whole audio', async () => {
    let pid = 0;
    let runningBeforeEnd = false;
    serve = (res) => {
      res.writeHead(200, { 'content-type': 'audio/wav', 'content-length': wav.length });
      res.write(wav.subarray(0, wav.length >> 1));
      // The rest only once whisper-cli runs (bounded, so a pipeline that waits for the download fails the assertion instead of hanging).
      const until = Date.now() + 15_000;
      const poll = setInterval(() => {
        if (pid === 0 && Date.now() < until) return;
        clearInterval(poll);
        runningBeforeEnd = pid > 0 && processExists(pid);
        res.end(wav.subarray(wav.length >> 1));
      }, 10);
    };
    const out = await runJob({ jobId: randomUUID(), videoUrl: `${origin}/jfk.wav`, language: 'en' }, depsWithPid((p) => (pid = p)), {
      signal: new AbortController().signal,
      onProgress: () => {},
    });
    assert.ok(runningBeforeEnd, 'whisper-cli was running while the audio was still on its way');
    assert.ok(out.result.segments.length > 0);
    assert.ok(out.result.duration! > 10.9 && out.result.duration! < 11.1, `the whole 11 s was transcribed (${out.result.duration})`);
    assert.equal(processExists(pid), false);
  });

  it('a download that fails stops the waiting whisper-cli and leaves no files', async () => {
    let pid = 0;
    serve = (res) => {
      res.writeHead(200, { 'content-type': 'audio/wav', 'content-length': wav.length });
      res.write(wav.subarray(0, 1000));
      // Cut off mid-body once whisper-cli runs: the download fails for good (no retries in these deps).
      const poll = setInterval(() => {
        if (pid === 0) return;
        clearInterval(poll);
        res.destroy();
      }, 10);
    };
    await assert.rejects(
      runJob({ jobId: randomUUID(), videoUrl: `${origin}/jfk.wav`, language: 'en' }, depsWithPid((p) => (pid = p)), {
        signal: new AbortController().signal,
        onProgress: () => {},
      }),
      (err) => isServiceError(err) && err.code === 'DOWNLOAD_ERROR',
    );
    assert.ok(pid > 0);
    assert.equal(processExists(pid), false, `whisper-cli (pid ${pid}) is gone`);
    assert.deepEqual(await readdir(base.tmpRoot), [], 'the job directory is removed');
  });
});
