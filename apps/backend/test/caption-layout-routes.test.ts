import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { CaptionCheckResponse, CaptionDocument, RequestProcessResponse, TranscriptResult } from '@ecg/contracts';
import { completedJob, deliverResult } from './helpers/completed-job.js';
import { startTestBackend, type TestBackend } from './helpers/test-backend.js';
import { uploadFile } from './helpers/upload.js';

/**
 * One Whisper segment of 60 words over 24 s, as real speech comes out of it:
 * a transcript line of 300+ characters that no subtitle editor would accept.
 */
function runOnResult(language = 'en'): TranscriptResult {
  const text =
    'And so my fellow Americans ask not what your country can do for you ask what you can do for your country. ' +
    'My fellow citizens of the world ask not what America will do for you but what together we can do for the freedom of man. ' +
    'Finally whether you are citizens of America or citizens of the world ask of us the same high standards of strength';
  const tokens = text.split(' ');
  let t = 0.5;
  const words = tokens.map((w) => {
    // Trimmed, as the ML service delivers words (assemble-result.ts); the segment text carries the spaces.
    const word = { word: w, start: t, end: t + 0.3, probability: 0.9 };
    t += w.endsWith('.') ? 1.2 : 0.4; // a pause after each sentence
    return word;
  });
  return {
    text: ` ${text}`,
    language,
    duration: t + 1,
    segments: [{ id: 0, start: 0.5, end: words.at(-1)!.end, text: ` ${text}`, words }],
    video: { fps: 25, width: 1280, height: 720, shot_changes: [10, 16.5] },
  };
}

const code = (res: { json: () => unknown }) => (res.json() as { error: { code: string } }).error.code;
const lines = (doc: CaptionDocument) => doc.captions.flatMap((c) => c.text.split('\n'));

describe('captions laid out from word timings', () => {
  let b: TestBackend;
  before(async () => {
    b = await startTestBackend({ env: { RATE_LIMIT_PER_MINUTE: '10000' } });
  });
  after(async () => {
    await b?.destroy();
  });
  const captionsOf = async (id: string) =>
    (await b.app.inject({ method: 'GET', url: `/api/upload-video/result/${id}/captions` })).json<CaptionDocument>();
  const check = (id: string, query = '') => b.app.inject({ method: 'GET', url: `/api/upload-video/result/${id}/captions/check${query}` });

  it('starts a job with captions that keep the English profile, not one 300-character caption', async () => {
    const id = await completedJob(b.app, 'speech.mp4', runOnResult());
    const doc = await captionsOf(id);
    assert.equal(doc.profile?.name, 'en');
    assert.ok(doc.captions.length >= 5, `${doc.captions.length} captions`);
    if (process.env.SHOW_LAYOUT) for (const c of doc.captions) console.log(c.start, c.end, JSON.stringify(c.text));
    for (const line of lines(doc)) assert.ok(line.length <= 42, `line over 42: "${line}"`);
    for (const c of doc.captions) {
      assert.ok(c.text.split('\n').length <= 2);
      assert.ok(c.end - c.start <= 7 + 1e-9, `${c.id} lasts ${c.end - c.start} s`);
    }
    assert.ok(doc.captions.some((c) => c.text.includes('\n')), 'two-line captions keep their line break');
    const words = doc.captions.flatMap((c) => c.words.map((w) => w.word));
    assert.deepEqual(words, runOnResult().segments[0]!.words!.map((w) => w.word), 'every word once, in order');
    // "My fellow citizens" is spoken at 10.1 s, 0.1 s after the cut at 10 s: its caption starts on the
    // cut and the one before ends 2 frames (at 25 fps) before it (Netflix's 12-frame rule).
    const atCut = doc.captions.findIndex((c) => c.text.startsWith('My fellow citizens'));
    assert.equal(doc.captions[atCut]!.start, 10);
    assert.ok(Math.abs(doc.captions[atCut - 1]!.end - 9.92) < 1e-6, `ends at ${doc.captions[atCut - 1]!.end}`);
    const report = (await check(id)).json<CaptionCheckResponse>();
    assert.deepEqual(report.issues.filter((i) => i.rule === 'line_too_long' || i.rule === 'too_many_lines'), []);
    // The SRT keeps the line breaks.
    const srt = (await b.app.inject({ method: 'GET', url: `/api/upload-video/result/${id}/export?format=srt` })).body;
    assert.match(srt, /\d\d:\d\d:\d\d,\d{3} --> \d\d:\d\d:\d\d,\d{3}\n[^\n]+\n[^\n]+\n/);
  });

  it('lays out by the profile given at request-process', async () => {
    const fileKey = await uploadFile(b.app, 'vertical.mp4', 'video/mp4', Buffer.from('bytes'));
    const req = await b.app.inject({
      method: 'POST',
      url: '/api/upload-video/request-process',
      payload: { fileKey, profile: { profile: 'en', vertical: true } },
    });
    assert.equal(req.statusCode, 200, req.body);
    const id = req.json<RequestProcessResponse>().jobId;
    await deliverResult(b.app, id, runOnResult());
    const doc = await captionsOf(id);
    assert.equal(doc.profile?.vertical, true);
    const limit = doc.profile!.max_chars_per_line;
    assert.ok(limit < 42);
    for (const line of lines(doc)) assert.ok(line.length <= limit, `line over ${limit}: "${line}"`);
  });

  it('refuses an unknown profile and out-of-range overrides with VALIDATION_ERROR', async () => {
    const fileKey = await uploadFile(b.app, 'bad.mp4', 'video/mp4', Buffer.from('bytes'));
    const bad = await b.app.inject({ method: 'POST', url: '/api/upload-video/request-process', payload: { fileKey, profile: 'klingon' } });
    assert.equal(bad.statusCode, 400);
    assert.equal(code(bad), 'VALIDATION_ERROR');
    const id = await completedJob(b.app, 'ok.mp4', runOnResult());
    const reflow = (body: object) => b.app.inject({ method: 'POST', url: `/api/upload-video/result/${id}/captions/reflow`, payload: body });
    for (const body of [
      { base_version: 0, overrides: { max_lines: 9 } },
      { base_version: 0, overrides: { max_chars_per_line: 1000 } },
      { base_version: 0, overrides: { min_duration: 6, max_duration: 3 } },
      { base_version: 0, overrides: { unknown: 1 } },
      { base_version: 0, profile: 'xx' },
    ]) {
      const res = await reflow(body);
      assert.equal(res.statusCode, 400, JSON.stringify(body));
      assert.equal(code(res), 'VALIDATION_ERROR');
    }
    const badCheck = await check(id, '?profile=xx');
    assert.equal(badCheck.statusCode, 400);
  });

  it('re-flows saved captions under another profile keeping the text edits, and restore lays out again', async () => {
    const id = await completedJob(b.app, 'reflow.mp4', runOnResult());
    const first = await captionsOf(id);
    const edited = first.captions.map((c, i) => (i === 0 ? { ...c, text: c.text.replace('Americans', 'AMERICANS'), words: c.words } : c));
    const saved = await b.app.inject({ method: 'PUT', url: `/api/upload-video/result/${id}`, payload: { base_version: first.version, captions: edited } });
    assert.equal(saved.statusCode, 200, saved.body);
    const res = await b.app.inject({
      method: 'POST',
      url: `/api/upload-video/result/${id}/captions/reflow`,
      payload: { base_version: first.version + 1, profile: 'en', vertical: true },
    });
    assert.equal(res.statusCode, 200, res.body);
    const reflowed = res.json<CaptionDocument>();
    assert.equal(reflowed.version, first.version + 2);
    assert.equal(reflowed.layout?.vertical, true);
    assert.ok(reflowed.captions.length > first.captions.length, 'shorter lines, more captions');
    assert.match(reflowed.captions.map((c) => c.text).join(' '), /AMERICANS/, 'the edit survived');
    for (const line of lines(reflowed)) assert.ok(line.length <= reflowed.profile!.max_chars_per_line, line);
    // Checks follow the job's layout now.
    assert.equal((await check(id)).json<CaptionCheckResponse>().profile.vertical, true);
    // Undoing the re-flow in the editor saves the earlier captions with the earlier layout.
    const undone = await b.app.inject({
      method: 'PUT',
      url: `/api/upload-video/result/${id}`,
      payload: { base_version: reflowed.version, captions: edited, layout: {} },
    });
    assert.equal(undone.statusCode, 200, undone.body);
    assert.equal((await captionsOf(id)).profile?.vertical, false, 'the layout went back with the captions');
    assert.equal((await check(id)).json<CaptionCheckResponse>().profile.vertical, false);
    const redone = await b.app.inject({
      method: 'PUT',
      url: `/api/upload-video/result/${id}`,
      payload: { base_version: reflowed.version + 1, captions: reflowed.captions, layout: { profile: 'en', vertical: true } },
    });
    assert.equal(redone.statusCode, 200, redone.body);
    // A stale base version is a conflict, as for a save.
    const stale = await b.app.inject({ method: 'POST', url: `/api/upload-video/result/${id}/captions/reflow`, payload: { base_version: 0 } });
    assert.equal(stale.statusCode, 409);
    const restored = await b.app.inject({ method: 'POST', url: `/api/upload-video/result/${id}/restore`, payload: { base_version: reflowed.version + 2 } });
    const back = restored.json<CaptionDocument>();
    assert.equal(back.edited, false);
    assert.doesNotMatch(back.captions.map((c) => c.text).join(' '), /AMERICANS/);
    for (const line of lines(back)) assert.ok(line.length <= back.profile!.max_chars_per_line, line);
  });

  it('lists every rule a hand-made caption breaks, with caption id, value and limit', async () => {
    const id = await completedJob(b.app, 'qc.mp4', runOnResult());
    const doc = await captionsOf(id);
    const long = 'x'.repeat(30) + ' ' + 'y'.repeat(30);
    const broken = [{ id: 'bad', start: 0.5, end: 0.6, text: `${long}\n${long}\n${long}`, words: [] }, ...doc.captions.slice(1).map((c) => ({ ...c }))];
    const saved = await b.app.inject({ method: 'PUT', url: `/api/upload-video/result/${id}`, payload: { base_version: doc.version, captions: broken } });
    assert.equal(saved.statusCode, 200, saved.body);
    const report = (await check(id)).json<CaptionCheckResponse>();
    const mine = report.issues.filter((i) => i.caption_id === 'bad');
    const rules = new Set(mine.map((i) => i.rule));
    for (const rule of ['line_too_long', 'too_many_lines', 'too_short', 'too_fast'] as const) assert.ok(rules.has(rule), `${rule} in ${[...rules]}`);
    const tooMany = mine.find((i) => i.rule === 'too_many_lines')!;
    assert.deepEqual([tooMany.value, tooMany.limit], [3, 2]);
  });
});
