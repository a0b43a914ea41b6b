/**
 * ECG's OpenAI-compatible API through the official `openai` client, against
 * the real stack (backend + ML service, whisper-cli, the random-weight test
 * model) with accounts on: the client sends an API key made by a signed-in
 * admin. Every response format, translations, the model list, the client's
 * typed errors carrying ECG's codes, wrong and revoked keys, and whose job a
 * /v1 request makes. The test model's words are nonsense, so shapes and
 * timing invariants are checked, never words.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createReadStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI, { toFile } from 'openai';
import { CreatedApiKey, JobListResponse, OpenAiTranscriptionVerbose, SESSION_COOKIE, User } from '@ecg/contracts';
import { startStack, type Stack } from '../helpers/stack.js';
import { testModelPath } from '../../apps/ml/test/helpers/test-model.js';
import { JFK_WAV, VAD_MODEL, requireWhisperCli } from '../../apps/ml/test/helpers/fixtures.js';

// jfk.wav is 352 kB; a limit just above it leaves room for the fixture and makes a larger file cheap to send.
const MAX_UPLOAD_BYTES = 600_000;
const JFK_SECONDS = 11;

const ADMIN = { email: 'admin@example.test', password: 'correct horse battery' } as const;
const OTHER = { email: 'other@example.test', password: 'another long password' } as const;

let stack: Stack;
let client: OpenAI;
let work: string;
/** The admin's session cookie (`ecg_session=…`), and the API key it made, which `client` sends. */
let adminCookie: string;
let apiKey: string;
/** A second user, who must not see the admin's jobs. */
let otherCookie: string;

/** Signs in as a browser would; the session cookie to send back. */
async function login(email: string, password: string): Promise<string> {
  const res = await fetch(`${stack.backendUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: stack.backendUrl },
    body: JSON.stringify({ email, password }),
  });
  assert.equal(res.status, 200, await res.text());
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=`));
  assert.ok(cookie, 'login sets the session cookie');
  return cookie.split(';')[0]!;
}

/** A state-changing request with a session, from the app's own page (Origin), as the web app makes it. */
async function sessionRequest(cookie: string, method: 'POST' | 'DELETE', path: string, body?: unknown): Promise<Response> {
  return fetch(`${stack.backendUrl}${path}`, {
    method,
    headers: { cookie, origin: stack.backendUrl, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

async function createApiKey(cookie: string, name: string): Promise<CreatedApiKey> {
  const res = await sessionRequest(cookie, 'POST', '/api/auth/api-keys', { name });
  assert.equal(res.status, 201);
  return CreatedApiKey.parse(await res.json());
}

const clientWith = (key: string) => new OpenAI({ baseURL: `${stack.backendUrl}/v1`, apiKey: key, maxRetries: 0 });

before(async () => {
  requireWhisperCli();
  work = mkdtempSync(join(tmpdir(), 'ecg-openai-'));
  stack = await startStack({
    WHISPER_MODEL: await testModelPath('micro'),
    WHISPER_TEMPERATURE_FALLBACK: 'false',
    WHISPER_BEAM_SIZE: '1',
    WHISPER_VAD_MODEL: VAD_MODEL,
    WHISPER_THREADS: '2',
    MAX_UPLOAD_BYTES: String(MAX_UPLOAD_BYTES),
    ECG_AUTH: 'on',
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
  });
  adminCookie = await login(ADMIN.email, ADMIN.password);
  apiKey = (await createApiKey(adminCookie, 'openai e2e')).key;
  const made = await sessionRequest(adminCookie, 'POST', '/api/admin/users', { ...OTHER, role: 'user' });
  assert.equal(made.status, 201);
  User.parse(await made.json());
  otherCookie = await login(OTHER.email, OTHER.password);
  // No retries: a 5xx here is a failure to see, not to paper over (and each retry would upload again).
  client = clientWith(apiKey);
});

after(async () => {
  await stack?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

const jfk = () => createReadStream(JFK_WAV);

/** The jobs the API key's owner (the admin) sees, or whoever `headers` authenticate. */
async function listedJobs(headers: Record<string, string> = { authorization: `Bearer ${apiKey}` }): Promise<JobListResponse['jobs']> {
  const res = await fetch(`${stack.backendUrl}/api/upload-video/jobs?limit=100`, { headers });
  assert.equal(res.status, 200);
  return JobListResponse.parse(await res.json()).jobs;
}

/** Parses SRT/VTT cue times and checks they run forward within the audio. */
function assertCueTimes(body: string, separator: ',' | '.'): number {
  const time = `(\\d{2}):(\\d{2}):(\\d{2})\\${separator}(\\d{3})`;
  const cues = [...body.matchAll(new RegExp(`${time} --> ${time}`, 'g'))];
  assert.ok(cues.length >= 1, `no cues in:\n${body}`);
  const secs = (m: RegExpMatchArray, at: number) => Number(m[at]) * 3600 + Number(m[at + 1]) * 60 + Number(m[at + 2]) + Number(m[at + 3]) / 1000;
  let last = 0;
  for (const c of cues) {
    const [start, end] = [secs(c, 1), secs(c, 5)];
    assert.ok(start >= last - 1e-9 && end >= start && end <= JFK_SECONDS + 0.5, `cue ${c[0]} out of order or past the audio`);
    last = start;
  }
  return cues.length;
}

function assertApiError(err: unknown, cls: new (...args: never[]) => Error, status: number, code: string, param?: string): true {
  assert.ok(err instanceof cls, `expected ${cls.name}, got ${String(err)}`);
  const e = err as InstanceType<typeof OpenAI.APIError>;
  assert.equal(e.status, status);
  assert.equal(e.code, code, e.message);
  if (param !== undefined) assert.equal(e.param, param);
  assert.equal(e.type, status >= 500 ? 'server_error' : 'invalid_request_error');
  return true;
}

describe('POST /v1/audio/transcriptions with the official openai client', () => {
  it('answers json with the text, and the job appears in the key owner’s job list, not in another user’s', async () => {
    const before = (await listedJobs()).length;
    const othersBefore = await listedJobs({ cookie: otherCookie });
    const t = await client.audio.transcriptions.create({ file: jfk(), model: 'whisper-1', language: 'en' });
    assert.equal(typeof t.text, 'string');
    assert.ok(t.text.length > 0, 'the random model still writes some text');
    assert.deepEqual(Object.keys(t), ['text']);
    const jobs = await listedJobs();
    assert.equal(jobs.length, before + 1);
    assert.equal(jobs[0]?.status, 'completed');
    assert.equal(jobs[0]?.file_name, 'jfk.wav');
    const made = jobs[0]!.job_id;
    const others = await listedJobs({ cookie: otherCookie });
    assert.deepEqual(others, othersBefore, 'the other user’s list did not change');
    assert.ok(!others.some((j) => j.job_id === made), 'the other user does not see the key owner’s job');
    const read = await fetch(`${stack.backendUrl}/api/upload-video/jobs/${made}`, { headers: { cookie: otherCookie } });
    assert.equal(read.status, 404, 'nor read it');
  });

  it('answers text as a plain string', async () => {
    const text = await client.audio.transcriptions.create({ file: jfk(), model: 'whisper-1', response_format: 'text' });
    assert.equal(typeof text, 'string');
    assert.ok(text.trim().length > 0);
    assert.ok(!text.trim().startsWith('{'), 'text, not JSON');
  });

  it('answers srt and vtt as caption files whose cues run forward within the audio', async () => {
    const srt = await client.audio.transcriptions.create({ file: jfk(), model: 'whisper-1', response_format: 'srt' });
    assert.match(srt, /^1\r?\n\d{2}:\d{2}:\d{2},\d{3} --> \d{2}:\d{2}:\d{2},\d{3}\r?\n/);
    assertCueTimes(srt, ',');
    const vtt = await client.audio.transcriptions.create({ file: jfk(), model: 'whisper-1', response_format: 'vtt' });
    assert.match(vtt, /^WEBVTT/);
    assertCueTimes(vtt, '.');
  });

  it('answers verbose_json with segments and words whose times are numbers inside the audio', async () => {
    const v = await client.audio.transcriptions.create({
      file: jfk(),
      model: 'whisper-1',
      language: 'en',
      response_format: 'verbose_json',
      timestamp_granularities: ['word', 'segment'],
      prompt: 'President Kennedy, inaugural address.',
      temperature: 0,
    });
    const body = OpenAiTranscriptionVerbose.parse(v);
    assert.equal(body.task, 'transcribe');
    assert.equal(body.language, 'english');
    assert.ok(Math.abs(body.duration - JFK_SECONDS) < 0.5, `duration ${body.duration}`);
    assert.ok(body.segments && body.segments.length > 0);
    let lastStart = 0;
    body.segments.forEach((s, i) => {
      assert.equal(s.id, i);
      assert.ok(s.start >= lastStart && s.end >= s.start && s.end <= body.duration + 0.5, `segment ${i} ${s.start}-${s.end}`);
      assert.ok(s.avg_logprob <= 0 && s.compression_ratio >= 0 && s.seek >= 0);
      assert.equal(s.temperature, 0);
      lastStart = s.start;
    });
    assert.ok(body.words && body.words.length > 0, 'words asked for, words given');
    for (const w of body.words) {
      assert.equal(typeof w.start, 'number');
      assert.ok(w.word.length > 0 && w.end >= w.start && w.end <= body.duration + 0.5, JSON.stringify(w));
    }
    assert.deepEqual(body.usage, { type: 'duration', seconds: Math.ceil(body.duration) });
  });

  it('leaves words out of verbose_json unless asked for', async () => {
    const v = OpenAiTranscriptionVerbose.parse(
      await client.audio.transcriptions.create({ file: jfk(), model: 'random-micro-v2', response_format: 'verbose_json' }),
    );
    assert.ok(v.segments && v.segments.length > 0);
    assert.equal(v.words, undefined);
  });

  it('refuses a response_format it does not know with BadRequestError VALIDATION_ERROR, and makes no job', async () => {
    const before = (await listedJobs()).length;
    await assert.rejects(
      // @ts-expect-error: a format the client's types do not allow either
      client.audio.transcriptions.create({ file: jfk(), model: 'whisper-1', response_format: 'docx' }),
      (err) => assertApiError(err, OpenAI.BadRequestError, 400, 'VALIDATION_ERROR', 'response_format'),
    );
    assert.equal((await listedJobs()).length, before);
  });

  it('refuses a file that is not media by its name with BadRequestError UNSUPPORTED_FILE_TYPE', async () => {
    const notes = await toFile(Buffer.from('meeting notes, not audio\n'), 'notes.txt', { type: 'text/plain' });
    await assert.rejects(client.audio.transcriptions.create({ file: notes, model: 'whisper-1' }), (err) =>
      assertApiError(err, OpenAI.BadRequestError, 400, 'UNSUPPORTED_FILE_TYPE', 'file'),
    );
  });

  it('answers a media-named file the pipeline cannot decode with BadRequestError and the job’s own code', async () => {
    const garbage = await toFile(Buffer.alloc(4096, 7), 'broken.wav', { type: 'audio/wav' });
    await assert.rejects(client.audio.transcriptions.create({ file: garbage, model: 'whisper-1' }), (err) => {
      assert.ok(err instanceof OpenAI.BadRequestError, String(err));
      assert.ok(['UNSUPPORTED_MEDIA', 'MEDIA_DECODE_ERROR', 'NO_AUDIO_TRACK', 'AUDIO_EXTRACTION_ERROR'].includes(String(err.code)), String(err.code));
      assert.equal(err.headers?.get('x-should-retry'), 'false');
      return true;
    });
    const failed = (await listedJobs()).find((j) => j.file_name === 'broken.wav');
    assert.equal(failed?.status, 'failed', 'the failed job is listed like any upload');
  });

  it('refuses a model that is not installed, naming the field', async () => {
    await assert.rejects(client.audio.transcriptions.create({ file: jfk(), model: 'large-v9' }), (err) =>
      assertApiError(err, OpenAI.BadRequestError, 400, 'VALIDATION_ERROR', 'model'),
    );
  });

  it('answers a file over MAX_UPLOAD_BYTES with 413 FILE_TOO_LARGE', async () => {
    const big = join(work, 'big.wav');
    writeFileSync(big, Buffer.alloc(MAX_UPLOAD_BYTES + 1024));
    await assert.rejects(client.audio.transcriptions.create({ file: createReadStream(big), model: 'whisper-1' }), (err) =>
      assertApiError(err, OpenAI.APIError, 413, 'FILE_TOO_LARGE', 'file'),
    );
  });
});

describe('POST /v1/audio/translations with the official openai client', () => {
  it('answers English text with Whisper’s translate task, in json and verbose_json', async () => {
    const t = await client.audio.translations.create({ file: jfk(), model: 'whisper-1' });
    assert.ok(typeof t.text === 'string' && t.text.length > 0);
    const v = OpenAiTranscriptionVerbose.parse(await client.audio.translations.create({ file: jfk(), model: 'whisper-1', response_format: 'verbose_json' }));
    assert.equal(v.task, 'translate');
    assert.equal(v.language, 'english');
    assert.ok(v.segments && v.segments.length > 0);
  });
});

describe('GET /v1/models with the official openai client', () => {
  it('lists the installed test model and whisper-1, which stands for it', async () => {
    const ids: string[] = [];
    for await (const m of client.models.list()) {
      assert.equal(m.object, 'model');
      assert.ok(Number.isInteger(m.created) && m.created > 0);
      ids.push(m.id);
    }
    assert.ok(ids.includes('random-micro-v2'), ids.join(', '));
    assert.ok(ids.includes('whisper-1'));
    const one = await client.models.retrieve('random-micro-v2');
    assert.equal(one.id, 'random-micro-v2');
    await assert.rejects(client.models.retrieve('nope'), (err) => assertApiError(err, OpenAI.NotFoundError, 404, 'NOT_FOUND', 'model'));
  });
});

describe('API keys with the official openai client', () => {
  it('answers a key that is not one with AuthenticationError 401 INVALID_API_KEY, and makes no job', async () => {
    const before = (await listedJobs()).length;
    const wrong = clientWith(`ecg_${'x'.repeat(43)}`);
    await assert.rejects(
      async () => {
        await wrong.models.list();
      },
      (err) => assertApiError(err, OpenAI.AuthenticationError, 401, 'INVALID_API_KEY'),
    );
    await assert.rejects(wrong.audio.transcriptions.create({ file: jfk(), model: 'whisper-1' }), (err) =>
      assertApiError(err, OpenAI.AuthenticationError, 401, 'INVALID_API_KEY'),
    );
    assert.equal((await listedJobs()).length, before);
  });

  it('refuses a key as soon as it is revoked, and only that key', async () => {
    const made = await createApiKey(adminCookie, 'revoked soon');
    const soon = clientWith(made.key);
    assert.equal((await soon.models.retrieve('whisper-1')).id, 'whisper-1', 'the new key works');
    const revoke = await sessionRequest(adminCookie, 'DELETE', `/api/auth/api-keys/${made.id}`);
    assert.equal(revoke.status, 204);
    await assert.rejects(soon.models.retrieve('whisper-1'), (err) => assertApiError(err, OpenAI.AuthenticationError, 401, 'INVALID_API_KEY'));
    await assert.rejects(soon.audio.transcriptions.create({ file: jfk(), model: 'whisper-1' }), (err) =>
      assertApiError(err, OpenAI.AuthenticationError, 401, 'INVALID_API_KEY'),
    );
    assert.equal((await client.models.retrieve('whisper-1')).id, 'whisper-1', 'the other key still works');
  });
});
