import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { mergeSpeakers, reassignCaption, speakerLines } from '@ecg/captions';
import type { Caption, CaptionDocument, TranscriptResult, TranscriptWord } from '@ecg/contracts';
import { completedJob } from './helpers/completed-job.js';
import { startTestBackend, type TestBackend } from './helpers/test-backend.js';

/** Words with hand-written timings: `text` spoken from `start`, each word `step` seconds long. */
function words(text: string, start: number, speaker: string, step = 0.4): TranscriptWord[] {
  return text.split(' ').map((word, i) => ({ word, start: start + i * step, end: start + (i + 1) * step - 0.05, probability: 0.9, speaker }));
}

// Three turns, the last change inside one Whisper segment (Whisper cuts on pauses, not on voices).
const Q = words('Are you coming with us to the station tonight?', 0, 'SPEAKER_00');
const A = words('I am, as soon as the rain stops.', 4.2, 'SPEAKER_01');
const B = words('Then we leave at eight o’clock sharp.', 7.2, 'SPEAKER_00');
const RESULT: TranscriptResult = {
  text: 'Are you coming with us to the station tonight? I am, as soon as the rain stops. Then we leave at eight o’clock sharp.',
  language: 'en',
  duration: 12,
  segments: [
    { id: 0, start: 0, end: 3.6, text: 'Are you coming with us to the station tonight?', words: Q, speaker: 'SPEAKER_00' },
    {
      id: 1,
      start: 4.2,
      end: 10.0,
      text: 'I am, as soon as the rain stops. Then we leave at eight o’clock sharp.',
      words: [...A, ...B],
      speaker: 'SPEAKER_01',
    },
  ],
  diarization: {
    speakers: [
      { id: 'SPEAKER_00', seconds: 6.4 },
      { id: 'SPEAKER_01', seconds: 2.8 },
    ],
    turns: [
      { start: 0, end: 3.6, speaker: 'SPEAKER_00' },
      { start: 4.2, end: 7.0, speaker: 'SPEAKER_01' },
      { start: 7.2, end: 10.0, speaker: 'SPEAKER_00' },
    ],
  },
};

describe('captions: speakers from the diarization, renamed and reassigned, in every export', () => {
  let b: TestBackend;
  let jobId: string;
  before(async () => {
    b = await startTestBackend({ env: { RATE_LIMIT_PER_MINUTE: '10000' } });
    jobId = await completedJob(b.app, 'two voices.mp4', RESULT);
  });
  after(async () => {
    await b?.destroy();
  });

  const read = async (): Promise<CaptionDocument> => {
    const res = await b.app.inject({ method: 'GET', url: `/api/upload-video/result/${jobId}/captions` });
    assert.equal(res.statusCode, 200, res.body);
    return res.json<CaptionDocument>();
  };
  const exportAs = async (query: string): Promise<string> => {
    const res = await b.app.inject({ method: 'GET', url: `/api/upload-video/result/${jobId}/export?${query}` });
    assert.equal(res.statusCode, 200, res.body);
    return res.body;
  };
  const save = (body: object) => b.app.inject({ method: 'PUT', url: `/api/upload-video/result/${jobId}`, payload: body });

  it('names the diarized speakers in order and gives every word its speaker', async () => {
    const doc = await read();
    assert.deepEqual(doc.speakers, [
      { id: 'SPEAKER_00', name: 'Speaker 1' },
      { id: 'SPEAKER_01', name: 'Speaker 2' },
    ]);
    const spoken = doc.captions.flatMap((c) => c.words.map((w) => [w.word, w.speaker]));
    assert.deepEqual(
      spoken,
      [...Q, ...A, ...B].map((w) => [w.word, w.speaker]),
    );
  });

  it('splits the Whisper segment where its speaker changes: no line holds two speakers', async () => {
    const doc = await read();
    for (const c of doc.captions) {
      const lines = speakerLines(c);
      // Each line's words share one speaker.
      const bySpeaker = new Set(c.words.map((w) => w.speaker));
      assert.ok(bySpeaker.size <= 2, `caption ${c.id} holds ${bySpeaker.size} speakers`);
      if (bySpeaker.size === 2) assert.deepEqual(new Set(lines.map((l) => l.speaker)), bySpeaker);
    }
    const iAm = doc.captions.find((c) => c.text.startsWith('I am'));
    assert.ok(iAm, 'a caption starts where the second speaker starts');
    assert.equal(iAm.speaker, 'SPEAKER_01');
    const then = doc.captions.find((c) => c.words.some((w) => w.word === 'Then'));
    assert.ok(then);
    assert.equal(then.words.find((w) => w.word === 'Then')?.speaker, 'SPEAKER_00');
    assert.notEqual(then, iAm, 'the turn back to the first speaker starts a new caption');
  });

  it('keeps renames and reassignments across reloads', async () => {
    const doc = await read();
    const last = doc.captions.at(-1)!;
    const reassigned = reassignCaption(doc.captions, last.id, 'SPEAKER_02');
    assert.ok(reassigned.ok);
    const speakers = [
      { id: 'SPEAKER_00', name: 'Alice' },
      { id: 'SPEAKER_01', name: 'Bob' },
      { id: 'SPEAKER_02', name: '김민수' },
    ];
    const res = await save({ base_version: doc.version, captions: reassigned.captions, speakers });
    assert.equal(res.statusCode, 200, res.body);

    const again = await read();
    assert.deepEqual(again.speakers, speakers);
    const lastAgain = again.captions.at(-1)!;
    assert.equal(lastAgain.speaker, 'SPEAKER_02');
    assert.ok(lastAgain.words.every((w) => w.speaker === 'SPEAKER_02'));

    // A save without `speakers` keeps the names.
    const plain = await save({ base_version: again.version, captions: again.captions });
    assert.equal(plain.statusCode, 200, plain.body);
    assert.deepEqual((await read()).speakers, speakers);
  });

  it('writes the edited names into every export format', async () => {
    const doc = await read();
    const byName = (id: string) => doc.speakers!.find((s) => s.id === id)!.name;
    const aliceText = doc.captions.find((c) => c.speaker === 'SPEAKER_00')!.text.split('\n')[0]!;

    const vtt = await exportAs('format=vtt');
    assert.match(vtt, /<v Alice>/);
    assert.match(vtt, /<v Bob>/);
    assert.match(vtt, /<v 김민수>/);

    const srtPlain = await exportAs('format=srt');
    assert.doesNotMatch(srtPlain, /Alice: /, 'names are off by default');
    const srt = await exportAs('format=srt&speaker_names=true');
    assert.match(srt, new RegExp(`Alice: ${escapeRe(aliceText)}`));
    assert.match(srt, /Bob: I am/);
    assert.match(srt, /김민수: /);

    const txt = await exportAs('format=txt&speaker_names=true');
    assert.match(txt, /Alice: Are you coming/);
    assert.match(txt, /Bob: I am/);

    const json = JSON.parse(await exportAs('format=json')) as {
      speakers: Array<{ id: string; name: string }>;
      turns: Array<{ start: number; end: number; speaker: string }>;
      segments: Array<{ words: Array<{ speaker?: string }> }>;
    };
    assert.deepEqual(
      json.speakers.map((s) => s.name),
      doc.speakers!.filter((s) => json.speakers.some((j) => j.id === s.id)).map((s) => s.name),
    );
    assert.ok(json.speakers.some((s) => s.name === '김민수'));
    assert.deepEqual(
      [...new Set(json.turns.map((t) => byName(t.speaker)))].sort(),
      ['Alice', 'Bob', '김민수'].sort(),
    );
    assert.ok(json.segments.every((s) => s.words.every((w) => typeof w.speaker === 'string')));

    const ass = await exportAs('format=ass');
    assert.match(ass, /^Style: Alice,/m);
    assert.match(ass, /^Style: Bob,/m);
    assert.match(ass, /^Dialogue: [^\n]*,Bob,/m);
  });

  it('refuses speaker ids and names that are not well formed', async () => {
    const doc = await read();
    const badId = await save({ base_version: doc.version, captions: doc.captions, speakers: [{ id: 'alice', name: 'Alice' }] });
    assert.equal(badId.statusCode, 400);
    const twice = await save({
      base_version: doc.version,
      captions: doc.captions,
      speakers: [
        { id: 'SPEAKER_00', name: 'A' },
        { id: 'SPEAKER_00', name: 'B' },
      ],
    });
    assert.equal(twice.statusCode, 400);
    const empty = await save({ base_version: doc.version, captions: doc.captions, speakers: [{ id: 'SPEAKER_00', name: '   ' }] });
    assert.equal(empty.statusCode, 400);
    const wordSpeaker: Caption[] = doc.captions.map((c, i) => (i === 0 ? { ...c, words: c.words.map((w) => ({ ...w, speaker: 'Alice' })) } : c));
    const badWord = await save({ base_version: doc.version, captions: wordSpeaker });
    assert.equal(badWord.statusCode, 400);
    assert.equal((await read()).version, doc.version, 'nothing refused was saved');
  });

  it('keeps the names through a restore, which brings back the diarized speakers', async () => {
    const doc = await read();
    const res = await b.app.inject({ method: 'POST', url: `/api/upload-video/result/${jobId}/restore`, payload: { base_version: doc.version } });
    assert.equal(res.statusCode, 200, res.body);
    const restored = res.json<CaptionDocument>();
    assert.equal(restored.captions.at(-1)!.speaker, 'SPEAKER_00');
    assert.equal(restored.speakers!.find((s) => s.id === 'SPEAKER_00')?.name, 'Alice');
    assert.equal(restored.speakers!.find((s) => s.id === 'SPEAKER_01')?.name, 'Bob');
    assert.match(await exportAs('format=vtt'), /<v Alice>Then we leave/);
  });

  it('keeps a merged speaker merged: a diarized speaker no caption mentions is not named again', async () => {
    const doc = await read();
    const merged = mergeSpeakers(doc.captions, doc.speakers!, 'SPEAKER_01', 'SPEAKER_00');
    assert.ok(merged);
    const res = await save({ base_version: doc.version, captions: merged.captions, speakers: merged.speakers });
    assert.equal(res.statusCode, 200, res.body);
    const again = await read();
    assert.deepEqual(
      again.speakers!.map((s) => s.id),
      merged.speakers.map((s) => s.id),
    );
    assert.ok(!again.speakers!.some((s) => s.id === 'SPEAKER_01'));
    assert.doesNotMatch(await exportAs('format=vtt'), /<v Bob>/);
  });
});

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
