import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Caption, CaptionDocument, SaveCaptionsResponse, TranscriptResult } from '@ecg/contracts';
import { JobRepository } from '../src/jobs/job-repository.js';
import { completedJob } from './helpers/completed-job.js';
import { startTestBackend, type TestBackend } from './helpers/test-backend.js';

/*
 * Issue "Hardening", item 2 (export amplification): a probe saved caption
 * words carrying nested junk 3,000 levels deep (60 KB), and the pretty-printed
 * JSON export of it came to 180 MB. A save now names every field it takes.
 */

/** A word as the ML service delivers it: Whisper's fields and the measured delivery. */
const ANALYSED_WORD = { word: ' Hello', start: 0, end: 0.5, probability: 0.93, volume_db: -18.25, peak_db: -6.5, pitch_hz: 182.4, emphasis: 'loud' } as const;

const RESULT: TranscriptResult = {
  text: ' Hello there.',
  language: 'en',
  duration: 2,
  segments: [
    {
      id: 0,
      start: 0,
      end: 1,
      text: ' Hello there.',
      words: [
        // A newer ML service may send more per word; captions take only what they name.
        { ...ANALYSED_WORD, loudness_lufs: -23 },
        { word: ' there.', start: 0.5, end: 1, probability: 0.8, volume_db: -100, peak_db: -100, pitch_hz: null, emphasis: 'whisper' },
      ],
    },
  ],
};

const SAVED: Caption[] = [
  { id: 'c0', start: 0, end: 1, text: 'Hello there.', words: [{ ...ANALYSED_WORD, word: 'Hello' }, { word: 'there.', start: 0.5, end: 1 }] },
  { id: 'c1', start: 1, end: 2, text: 'General Kenobi.', words: [] },
];

const WORD_FIELDS = ['word', 'start', 'end', 'probability', 'volume_db', 'peak_db', 'pitch_hz', 'emphasis'];
const SEGMENT_FIELDS = ['id', 'caption_id', 'start', 'end', 'text', 'words'];

/** `{ a: { a: … {} } }`, `depth` levels: what the probe saved. */
function nested(depth: number): unknown {
  let v: unknown = {};
  for (let i = 0; i < depth; i++) v = { a: v };
  return v;
}

/** One object with `count` keys: the other way to make a body expensive. */
function wide(count: number): Record<string, string> {
  return Object.fromEntries(Array.from({ length: count }, (_, i) => [`k${i}`, 'x']));
}

describe('captions: a save takes only the fields the contract names', () => {
  let b: TestBackend;
  let jobs: JobRepository;
  before(async () => {
    b = await startTestBackend({ env: { RATE_LIMIT_PER_MINUTE: '10000' } });
    jobs = new JobRepository(b.db);
  });
  after(async () => {
    await b?.destroy();
  });

  let n = 0;
  const newCompleted = () => completedJob(b.app, `probe-${n++}.mp4`, RESULT);
  const getCaptions = (id: string) => b.app.inject({ method: 'GET', url: `/api/upload-video/result/${id}/captions` });
  const save = (id: string, payload: unknown) => b.app.inject({ method: 'PUT', url: `/api/upload-video/result/${id}`, payload: payload as object });
  const exportJson = (id: string) => b.app.inject({ method: 'GET', url: `/api/upload-video/result/${id}/export?format=json` });
  const errorOf = (res: { json: () => unknown }) => (res.json() as { error: { code: string } }).error;

  /** Saves SAVED as version 1, so a refused save can be seen to leave it alone. */
  async function savedJob(): Promise<string> {
    const id = await newCompleted();
    const res = await save(id, { base_version: 0, captions: SAVED });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json<SaveCaptionsResponse>().version, 1);
    return id;
  }

  async function assertStillVersion1(id: string): Promise<void> {
    const doc = (await getCaptions(id)).json<CaptionDocument>();
    assert.equal(doc.version, 1);
    assert.deepEqual(doc.captions, SAVED);
  }

  it('refuses words carrying nested junk 3,000 levels deep with 400 VALIDATION_ERROR, keeping the saved version', async () => {
    const id = await savedJob();
    const junk = nested(3000);
    const probes: Array<[string, unknown]> = [
      ['an unknown field', { ...SAVED[0]!.words[0]!, junk }],
      ['a named field', { ...SAVED[0]!.words[0]!, emphasis: junk }],
    ];
    for (const [where, word] of probes) {
      const captions = [{ ...SAVED[0]!, words: [word, word, word] }, SAVED[1]];
      const res = await save(id, { base_version: 1, captions });
      assert.equal(res.statusCode, 400, `${where}: ${res.body.slice(0, 300)}`);
      assert.equal(errorOf(res).code, 'VALIDATION_ERROR', where);
    }
    await assertStillVersion1(id);
  });

  it('refuses the 160 KB probe (nesting 27,000 deep) with 400, not 500', async () => {
    const id = await savedJob();
    // Written as text: JSON.stringify itself runs out of stack this deep (which is how the old save failed).
    const junk = `${'{"a":'.repeat(27_000)}{}${'}'.repeat(27_000)}`;
    const word = JSON.stringify(SAVED[0]!.words[0]!).replace(/\}$/, `,"junk":${junk}}`);
    const caption = JSON.stringify({ ...SAVED[0]!, words: [] }).replace('"words":[]', `"words":[${word}]`);
    const body = `{"base_version":1,"captions":[${caption}]}`;
    assert.ok(body.length > 160_000);
    const res = await b.app.inject({ method: 'PUT', url: `/api/upload-video/result/${id}`, headers: { 'content-type': 'application/json' }, payload: body });
    assert.equal(res.statusCode, 400, res.body.slice(0, 300));
    assert.equal(errorOf(res).code, 'VALIDATION_ERROR');
    await assertStillVersion1(id);
  });

  it('refuses a wide object of junk on a word, on a caption or beside the captions', async () => {
    const id = await savedJob();
    const junk = wide(5000);
    const bodies: Array<[string, unknown]> = [
      ['word', { base_version: 1, captions: [{ ...SAVED[0]!, words: [{ ...SAVED[0]!.words[0]!, ...junk }] }] }],
      ['caption', { base_version: 1, captions: [{ ...SAVED[0]!, ...junk }] }],
      ['body', { base_version: 1, captions: SAVED, ...junk }],
    ];
    for (const [where, body] of bodies) {
      const res = await save(id, body);
      assert.equal(res.statusCode, 400, `${where}: ${res.body.slice(0, 300)}`);
      assert.equal(errorOf(res).code, 'VALIDATION_ERROR', where);
    }
    await assertStillVersion1(id);
  });

  it('refuses one unknown field on a word or a caption, and analysis values out of their range', async () => {
    const id = await savedJob();
    const word = SAVED[0]!.words[0]!;
    const cases: Array<[string, unknown]> = [
      ['unknown word field', { ...word, colour: 'red' }],
      ['speaker (not a caption word field yet)', { ...word, speaker: 'A' }],
      ['emphasis not one of loud/normal/whisper', { ...word, emphasis: 'shouted' }],
      ['volume below the -100 dB floor', { ...word, volume_db: -1000 }],
      ['pitch of zero', { ...word, pitch_hz: 0 }],
      ['probability above 1', { ...word, probability: 1.5 }],
    ];
    for (const [what, w] of cases) {
      const res = await save(id, { base_version: 1, captions: [{ ...SAVED[0]!, words: [w] }] });
      assert.equal(res.statusCode, 400, what);
      assert.equal(errorOf(res).code, 'VALIDATION_ERROR', what);
    }
    const style = await save(id, { base_version: 1, captions: [{ ...SAVED[0]!, style: { colour: 'red' } }] });
    assert.equal(style.statusCode, 400);
    assert.equal(errorOf(style).code, 'VALIDATION_ERROR');
    await assertStillVersion1(id);
  });

  it('exports a saved document as JSON holding exactly the named fields', async () => {
    const id = await savedJob();
    const res = await exportJson(id);
    assert.equal(res.statusCode, 200);
    const doc = res.json<{ text: string; language: string; segments: Array<Record<string, unknown> & { words: Array<Record<string, unknown>> }> }>();
    assert.deepEqual(Object.keys(doc).sort(), ['language', 'segments', 'text']);
    assert.equal(doc.segments.length, 2);
    for (const s of doc.segments) assert.deepEqual(Object.keys(s).sort(), [...SEGMENT_FIELDS].sort());
    assert.deepEqual(Object.keys(doc.segments[0]!.words[0]!).sort(), [...WORD_FIELDS].sort());
    assert.deepEqual(doc.segments[0]!.words, SAVED[0]!.words);
  });

  it('derives captions from a transcript with the named word fields only, and saves them back as they came', async () => {
    const id = await newCompleted();
    const doc = (await getCaptions(id)).json<CaptionDocument>();
    const words = doc.captions[0]!.words;
    assert.deepEqual(words[0], ANALYSED_WORD, 'loudness_lufs is not a caption word field');
    assert.deepEqual(words[1], RESULT.segments[0]!.words![1]);
    // The editor saves what it was given: that must never be refused.
    const res = await save(id, { base_version: 0, captions: doc.captions });
    assert.equal(res.statusCode, 200, res.body);
    const json = (await exportJson(id)).json<{ segments: Array<{ words: Array<Record<string, unknown>> }> }>();
    assert.deepEqual(Object.keys(json.segments[0]!.words[0]!).sort(), [...WORD_FIELDS].sort());
  });

  it('serves and exports captions stored before saves were strict with the named fields only', async () => {
    const id = await newCompleted();
    const legacy = [
      {
        ...SAVED[0]!,
        style: nested(50),
        words: [{ ...SAVED[0]!.words[0]!, junk: nested(50), ...wide(100), emphasis: { not: 'an emphasis' } }, SAVED[0]!.words[1]!],
      },
      SAVED[1]!,
    ];
    // Straight into the table, as the old loose schema let through.
    assert.ok(await jobs.saveCaptions(id, 0, legacy as Caption[]));
    const { emphasis: _dropped, ...wordWithoutEmphasis } = SAVED[0]!.words[0]!;
    const expected = [{ ...SAVED[0]!, words: [wordWithoutEmphasis, SAVED[0]!.words[1]!] }, SAVED[1]!];

    const res = await getCaptions(id);
    assert.equal(res.statusCode, 200, res.body.slice(0, 300));
    assert.deepEqual(res.json<CaptionDocument>().captions, expected);
    const json = await exportJson(id);
    assert.equal(json.statusCode, 200);
    assert.ok(json.body.length < 2000, `the export holds the captions, not the junk (${json.body.length} bytes)`);
    assert.deepEqual(json.json<{ segments: Array<{ words: unknown }> }>().segments.map((s) => s.words), expected.map((c) => c.words));
  });
});
