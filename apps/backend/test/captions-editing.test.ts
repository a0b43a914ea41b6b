import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Caption, CaptionDocument, JobResultResponse, SaveCaptionsResponse, TranscriptResult } from '@ecg/contracts';
import { completedJob, deliverFailure, queuedJob } from './helpers/completed-job.js';
import { startTestBackend, type TestBackend } from './helpers/test-backend.js';

/** Two spoken segments (the second starts 0.1 s before the first ends, as Whisper does) and a blank one. */
const RESULT: TranscriptResult = {
  text: ' And so my fellow Americans, ask not what your country can do for you.',
  language: 'en',
  duration: 11,
  segments: [
    {
      id: 0,
      start: 0,
      end: 2.5,
      text: ' And so my fellow Americans,',
      words: [
        { word: ' And', start: 0, end: 0.3, probability: 0.9 },
        // volume_db is a caption word field; loudness_dbfs is not, and stays in the transcript only.
        { word: ' so', start: 0.3, end: 0.6, probability: 0.8, volume_db: -20.5, loudness_dbfs: -20.5 },
        { word: ' my', start: 0.7, end: 0.9, probability: 0.9 },
        { word: ' fellow', start: 0.9, end: 1.4, probability: 0.9 },
        { word: ' Americans,', start: 1.4, end: 2.5, probability: 0.9 },
      ],
    },
    {
      id: 1,
      start: 2.4,
      end: 5,
      text: ' ask not what your   country can do for you.',
      words: [
        { word: ' ask', start: 2.5, end: 2.7, probability: 0.9 },
        { word: ' not', start: 2.7, end: 2.9, probability: 0.9 },
        { word: ' what', start: 3.0, end: 3.2, probability: 0.9 },
        { word: ' your', start: 3.2, end: 3.4, probability: 0.9 },
        { word: ' country', start: 3.4, end: 3.8, probability: 0.9 },
        { word: ' can', start: 3.9, end: 4.1, probability: 0.9 },
        { word: ' do', start: 4.1, end: 4.3, probability: 0.9 },
        { word: ' for', start: 4.3, end: 4.5, probability: 0.9 },
        { word: ' you.', start: 4.5, end: 5.0, probability: 0.9 },
      ],
    },
    { id: 2, start: 5, end: 5.2, text: '   ' },
  ],
};

/**
 * What the editor must be given for RESULT: laid out by the English profile
 * (one two-line caption, broken after the comma, lingering 0.5 s), blank
 * segment dropped, text tidied, every word once with its named fields only.
 */
const DERIVED: Caption[] = [
  {
    id: 'c0',
    start: 0,
    end: 5.5,
    text: 'And so my fellow Americans,\nask not what your country can do for you.',
    // Every transcript word once, in order, with the named fields only (loudness_dbfs dropped).
    words: RESULT.segments.flatMap((seg) => seg.words ?? []).map(({ loudness_dbfs: _dropped, ...named }) => named),
  },
];

/** The English profile as published (Netflix figures; packages/captions/src/layout/profiles.ts). */
const EN_PROFILE = {
  name: 'en',
  vertical: false,
  max_chars_per_line: 42,
  max_lines: 2,
  min_duration: 5 / 6,
  max_duration: 7,
  min_gap_frames: 2,
  max_chars_per_second: 20,
};
// A transcript without diarization: its document names no speakers.
const LAID_OUT = { layout: {}, profile: EN_PROFILE, speakers: [] };

const EDITED: Caption[] = [
  { id: 'c0', start: 0, end: 2.5, text: 'And so, my fellow Americans:', words: [] },
  { id: 'c1', start: 2.5, end: 4, text: 'ask not what your country can do for you —', words: [] },
  { id: 'c2', start: 4, end: 5, text: 'ask what you can do for your country.', words: [] },
];

const MAX_CAPTIONS_BYTES = 16 * 1024;

describe('captions: reading, saving and restoring', () => {
  let b: TestBackend;
  before(async () => {
    b = await startTestBackend({ env: { MAX_CAPTIONS_BYTES: String(MAX_CAPTIONS_BYTES), RATE_LIMIT_PER_MINUTE: '10000' } });
  });
  after(async () => {
    await b?.destroy();
  });

  let n = 0;
  const newCompleted = () => completedJob(b.app, `speech-${n++}.mp4`, RESULT);
  const getCaptions = (id: string) => b.app.inject({ method: 'GET', url: `/api/upload-video/result/${id}/captions` });
  const save = (id: string, base_version: number, captions: unknown) =>
    b.app.inject({ method: 'PUT', url: `/api/upload-video/result/${id}`, payload: { base_version, captions } });
  const restore = (id: string, base_version: number) =>
    b.app.inject({ method: 'POST', url: `/api/upload-video/result/${id}/restore`, payload: { base_version } });
  const errorOf = (res: { json: () => unknown }) => (res.json() as { error: { code: string; details?: unknown } }).error;

  it('derives captions from a completed transcript: version 0, not edited, in the transcript language', async () => {
    const id = await newCompleted();
    const res = await getCaptions(id);
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['cache-control'], 'no-store');
    assert.ok(res.headers.etag, 'the captions carry an ETag');
    assert.deepEqual(res.json(), { version: 0, captions: DERIVED, edited: false, language: 'en', ...LAID_OUT });
  });

  it('saves edited captions, bumps the version, and serves them from then on', async () => {
    const id = await newCompleted();
    const before = await getCaptions(id);
    const res = await save(id, 0, EDITED);
    assert.equal(res.statusCode, 200);
    const saved = res.json<SaveCaptionsResponse>();
    assert.equal(saved.version, 1);
    assert.ok(!Number.isNaN(Date.parse(saved.updated_at)));

    const after = await getCaptions(id);
    assert.notEqual(after.headers.etag, before.headers.etag, 'a new version is a new ETag');
    assert.deepEqual(after.json(), { version: 1, captions: EDITED, edited: true, updated_at: saved.updated_at, language: 'en', ...LAID_OUT });

    const next = await save(id, 1, EDITED.slice(0, 2));
    assert.equal(next.statusCode, 200);
    assert.equal(next.json<SaveCaptionsResponse>().version, 2);
    assert.deepEqual((await getCaptions(id)).json<CaptionDocument>().captions, EDITED.slice(0, 2));
  });

  it('refuses a save from a stale base version with 409 VERSION_CONFLICT and the current version, changing nothing', async () => {
    const id = await newCompleted();
    assert.equal((await save(id, 0, EDITED)).statusCode, 200);
    const stale = await save(id, 0, DERIVED.slice(0, 1));
    assert.equal(stale.statusCode, 409);
    assert.equal(errorOf(stale).code, 'VERSION_CONFLICT');
    assert.deepEqual(errorOf(stale).details, { current_version: 1 });
    const ahead = await save(id, 7, DERIVED.slice(0, 1));
    assert.equal(ahead.statusCode, 409);
    assert.deepEqual(errorOf(ahead).details, { current_version: 1 });

    const doc = (await getCaptions(id)).json<CaptionDocument>();
    assert.equal(doc.version, 1);
    assert.deepEqual(doc.captions, EDITED);
  });

  it('lets exactly one of two saves from the same base win when they race', async () => {
    const id = await newCompleted();
    const mine = EDITED.map((c) => ({ ...c, text: `mine: ${c.text}` }));
    const theirs = EDITED.map((c) => ({ ...c, text: `theirs: ${c.text}` }));
    const [a, c] = await Promise.all([save(id, 0, mine), save(id, 0, theirs)]);
    assert.deepEqual([a.statusCode, c.statusCode].sort(), [200, 409]);
    const winner = a.statusCode === 200 ? mine : theirs;
    const doc = (await getCaptions(id)).json<CaptionDocument>();
    assert.equal(doc.version, 1);
    assert.deepEqual(doc.captions, winner);
  });

  it('restores the transcript captions with a new version, leaving the stored result untouched', async () => {
    const id = await newCompleted();
    assert.equal((await save(id, 0, EDITED)).statusCode, 200);
    const res = await restore(id, 1);
    assert.equal(res.statusCode, 200);
    const doc = res.json<CaptionDocument>();
    assert.equal(doc.version, 2);
    assert.equal(doc.edited, false);
    assert.deepEqual(doc.captions, DERIVED);
    assert.deepEqual((await getCaptions(id)).json<CaptionDocument>(), doc);

    const result = await b.app.inject({ method: 'GET', url: `/api/upload-video/result/${id}` });
    assert.deepEqual(result.json<JobResultResponse>(), { job_id: id, status: 'completed', result: RESULT });

    // The restored version is the base for the next save.
    assert.equal((await save(id, 0, EDITED)).statusCode, 409);
    assert.equal((await save(id, 2, EDITED)).json<SaveCaptionsResponse>().version, 3);
  });

  it('refuses a restore from a stale base version like a save, keeping the edits', async () => {
    const id = await newCompleted();
    assert.equal((await save(id, 0, EDITED)).statusCode, 200);
    const res = await restore(id, 0);
    assert.equal(res.statusCode, 409);
    assert.equal(errorOf(res).code, 'VERSION_CONFLICT');
    assert.deepEqual(errorOf(res).details, { current_version: 1 });
    const doc = (await getCaptions(id)).json<CaptionDocument>();
    assert.equal(doc.edited, true);
    assert.deepEqual(doc.captions, EDITED);
  });

  it('refuses captions out of time order, with duplicate ids or ending before they start, and stores nothing', async () => {
    const id = await newCompleted();
    const cases: Array<[string, unknown]> = [
      ['out of order', [EDITED[1], EDITED[0]]],
      ['duplicate id', [EDITED[0], { ...EDITED[1], id: 'c0' }]],
      ['ends before it starts', [{ ...EDITED[0], start: 2, end: 1 }]],
      ['not a list', 'hello'],
      ['negative time', [{ ...EDITED[0], start: -1 }]],
    ];
    for (const [what, captions] of cases) {
      const res = await save(id, 0, captions);
      assert.equal(res.statusCode, 400, what);
      assert.equal(errorOf(res).code, 'VALIDATION_ERROR', what);
    }
    const missingBase = await b.app.inject({ method: 'PUT', url: `/api/upload-video/result/${id}`, payload: { captions: EDITED } });
    assert.equal(missingBase.statusCode, 400);
    assert.equal(errorOf(missingBase).code, 'VALIDATION_ERROR');
    assert.deepEqual((await getCaptions(id)).json<CaptionDocument>(), { version: 0, captions: DERIVED, edited: false, language: 'en', ...LAID_OUT });
  });

  it('refuses a save body over MAX_CAPTIONS_BYTES with 413 PAYLOAD_TOO_LARGE', async () => {
    const id = await newCompleted();
    const long = 'x'.repeat(9000);
    const captions = [
      { id: 'c0', start: 0, end: 1, text: long, words: [] },
      { id: 'c1', start: 1, end: 2, text: long, words: [] },
    ];
    const res = await save(id, 0, captions);
    assert.equal(res.statusCode, 413);
    assert.equal(errorOf(res).code, 'PAYLOAD_TOO_LARGE');
    assert.equal((await getCaptions(id)).json<CaptionDocument>().version, 0);
    // Just under the limit is fine: the limit is the caption route's, not the app-wide 1 MiB one.
    assert.equal((await save(id, 0, captions.slice(0, 1))).statusCode, 200);
  });

  it('answers 404 JOB_NOT_FOUND for an unknown or malformed job id on every caption endpoint', async () => {
    for (const id of ['00000000-0000-4000-8000-000000000000', 'not-a-job']) {
      const answers = {
        captions: await getCaptions(id),
        save: await save(id, 0, EDITED),
        restore: await restore(id, 0),
        export: await b.app.inject({ method: 'GET', url: `/api/upload-video/result/${id}/export?format=srt` }),
        media: await b.app.inject({ method: 'GET', url: `/api/upload-video/result/${id}/media` }),
      };
      for (const [what, res] of Object.entries(answers)) {
        assert.equal(res.statusCode, 404, `${what}: ${res.body}`);
        assert.equal(errorOf(res).code, 'JOB_NOT_FOUND');
      }
    }
  });

  it('answers 409 JOB_NOT_COMPLETED while a job is queued or failed, and saves nothing', async () => {
    const queued = await queuedJob(b.app, 'pending.mp4');
    const failed = await queuedJob(b.app, 'silent.mp4');
    await deliverFailure(b.app, failed, 'NO_AUDIO_TRACK', 'The file has no audio track.');
    for (const id of [queued, failed]) {
      const answers = [
        await getCaptions(id),
        await save(id, 0, EDITED),
        await restore(id, 0),
        await b.app.inject({ method: 'GET', url: `/api/upload-video/result/${id}/export?format=vtt` }),
      ];
      for (const res of answers) {
        assert.equal(res.statusCode, 409, res.body);
        assert.equal(errorOf(res).code, 'JOB_NOT_COMPLETED');
      }
      const rows = await b.db.query<{ caption_version: number; captions: unknown }>(
        'SELECT caption_version, captions FROM jobs WHERE id = $1',
        [id],
      );
      assert.deepEqual(rows, [{ caption_version: 0, captions: null }]);
    }
  });
});
