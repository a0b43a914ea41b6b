/**
 * The seed's whole flow on loopback, through the real processes with the
 * embedded storage and database: generate-url → PUT to storage →
 * request-process → backend dispatches to ML → ML downloads, extracts,
 * transcribes with whisper.cpp → browser-style status polling → signed
 * delivery → result readable at the backend.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GenerateUrlResponse, JobCompletedResponse, MlStatusResponse, RequestProcessResponse } from '@ecg/contracts';
import { startStack, type Stack } from '../helpers/stack.js';
import { muxAudioIntoMp4 } from '../helpers/media.js';
import { testModelPath } from '../../apps/ml/test/helpers/test-model.js';
import { JFK_WAV, VAD_MODEL, requireWhisperCli } from '../../apps/ml/test/helpers/fixtures.js';

let stack: Stack;
let work: string;

before(async () => {
  requireWhisperCli();
  work = mkdtempSync(join(tmpdir(), 'ecg-seed-'));
  const model = await testModelPath('micro');
  stack = await startStack({
    WHISPER_MODEL: model,
    WHISPER_TEMPERATURE_FALLBACK: 'false',
    WHISPER_BEAM_SIZE: '1',
    WHISPER_VAD_MODEL: VAD_MODEL,
    WHISPER_THREADS: '2',
  });
});

after(async () => {
  await stack?.stop();
  rmSync(work, { recursive: true, force: true });
});

async function json(res: Response): Promise<unknown> {
  const text = await res.text();
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`not JSON (${res.status}): ${text.slice(0, 300)}`);
  }
}

test('a video uploaded through a presigned URL is transcribed and its result read back', async () => {
  const mp4 = join(work, 'jfk.mp4');
  await muxAudioIntoMp4(JFK_WAV, mp4);
  const bytes = readFileSync(mp4);

  const gen = await fetch(`${stack.backendUrl}/api/upload-video/generate-url`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ filename: 'jfk speech.mp4', filetype: 'video/mp4', filesize: bytes.length }),
  });
  assert.equal(gen.status, 200);
  const upload = GenerateUrlResponse.parse(await json(gen));
  assert.match(upload.fileKey, /^videos\/anonymous\/\d{8}_\d{6}_[0-9a-f]{8}_jfk_speech\.mp4$/);

  const put = await fetch(upload.url, { method: 'PUT', headers: upload.headers, body: bytes });
  assert.equal(put.status, 200, await put.text());

  const req = await fetch(`${stack.backendUrl}/api/upload-video/request-process`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ fileKey: upload.fileKey, language: 'en' }),
  });
  assert.equal(req.status, 200);
  const { jobId } = RequestProcessResponse.parse(await json(req));

  // Poll the ML service directly, as the seed's browser does.
  const seen: MlStatusResponse[] = [];
  const deadline = Date.now() + 120_000;
  for (;;) {
    assert.ok(Date.now() < deadline, `job did not complete in time; statuses: ${JSON.stringify(seen.slice(-3))}\n${stack.logs()}`);
    const res = await fetch(`${stack.mlUrl}/api/upload-video/status/${jobId}`);
    if (res.status === 404) {
      // not dispatched yet
      await new Promise((r) => setTimeout(r, 50));
      continue;
    }
    assert.equal(res.status, 200);
    const status = MlStatusResponse.parse(await json(res));
    seen.push(status);
    assert.notEqual(status.status, 'failed', `job failed: ${status.error_code} ${status.error_message}`);
    if (status.status === 'completed') break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const progress = seen.map((s) => s.progress);
  assert.ok(seen.some((s) => s.status === 'processing' && s.progress > 0 && s.progress < 100), `never saw processing: ${JSON.stringify(seen)}`);
  assert.deepEqual(progress, [...progress].sort((a, b) => a - b), 'progress must never go backwards');
  assert.equal(seen.at(-1)?.progress, 100);

  // The result reaches the backend by signed delivery; it may trail the ML status briefly.
  let body: unknown;
  for (let i = 0; i < 100; i++) {
    const res = await fetch(`${stack.backendUrl}/api/upload-video/result/${jobId}`);
    body = await json(res);
    if (res.status === 200) break;
    assert.equal(res.status, 202);
    await new Promise((r) => setTimeout(r, 100));
  }
  const done = JobCompletedResponse.parse(body);
  assert.equal(done.job_id, jobId);
  const { result } = done;
  assert.ok(result.segments.length > 0, 'random-weight model still decodes segments');
  assert.ok(result.text.trim().length > 0);
  assert.ok(result.duration !== undefined && Math.abs(result.duration - 11) < 0.5, `duration ${result.duration}`);
  let words = 0;
  for (const seg of result.segments) {
    assert.ok(seg.start >= 0 && seg.end <= 11.1 && seg.start <= seg.end, `segment ${seg.start}-${seg.end}`);
    for (const w of seg.words ?? []) {
      words++;
      assert.ok(w.start >= seg.start && w.end <= seg.end && w.start <= w.end, `word ${w.word} ${w.start}-${w.end}`);
      assert.ok(w.probability >= 0 && w.probability <= 1);
    }
  }
  assert.ok(words > 0, 'word timings are present');
});
