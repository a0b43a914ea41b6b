import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Caption, TranscriptResult } from '@ecg/contracts';
import { requireMediaTools, runTool } from '@ecg/media-tools';
import { completedJob } from './helpers/completed-job.js';
import { startTestBackend, type TestBackend } from './helpers/test-backend.js';

/*
 * Issue "Hardening", item 4 (SRT cue injection): a caption whose text held a
 * timing line became a cue of its own (ffmpeg showed a 0:00–9:59 cue), and
 * `{\pos…}` override blocks passed into SRT. Every export of hostile captions
 * is read back by ffmpeg, twice: its demuxer (how many cues, when, what bytes)
 * and its decoder to ASS (the text libass draws, as in mpv or ffmpeg's
 * subtitles filter). Both must find exactly the captions that were saved.
 */

const WORD_JOINER = '\u2060';

/** Times on whole centiseconds, so ASS (centiseconds) must match to the millisecond too. */
const HOSTILE: Caption[] = [
  { id: 'c0', start: 1, end: 2.5, text: 'hello\n2\n00:00:00,000 --> 00:09:59,000\ninjected cue', words: [] },
  { id: 'c1', start: 2.5, end: 4.25, text: 'an arrow --> here, ---> there and -->> everywhere', words: [] },
  { id: 'c2', start: 4.25, end: 6, text: 'first\n\n\n   \nafter blank lines', words: [] },
  { id: 'c3', start: 6, end: 7.5, text: '{\\pos(1,1)}moved? {\\an8}on top? {hidden} {Y:b}', words: [] },
  { id: 'c4', start: 7.5, end: 9, text: '<b>bold</b> <font color="red" size="90">red</font> <i>i</i> <world> I <3 u & you &amp;', words: [] },
  { id: 'c5', start: 9, end: 10, text: '42', words: [] },
  { id: 'c6', start: 10, end: 11.5, text: 'windows\r\nline\rbreaks\r\n\r\nend', words: [] },
  { id: 'c7', start: 11.5, end: 12.75, text: 'C:\\new\\Notes, \\N is no break, nor \\h', words: [] },
  { id: 'c8', start: 12.75, end: 14, text: '3\n00:00:13,000 --> 00:00:14,000', words: [] },
  { id: 'c9', start: 14, end: 15, text: 'WEBVTT\nNOTE not a comment\n\nSTYLE\n::cue { color: red }', words: [] },
  {
    id: 'c10',
    start: 15,
    end: 16.5,
    text: 'Dialogue: 0,0:00:00.00,9:00:00.00,Default,,0,0,0,,injected\n[Events]',
    words: [],
  },
  {
    id: 'c11',
    start: 16.5,
    end: 18,
    text: '{\\pos(1,1)} karaoke {\\an8}',
    words: [
      { word: '{\\pos(1,1)}', start: 16.5, end: 17, emphasis: 'loud' },
      { word: ' karaoke', start: 17, end: 17.5 },
      { word: ' {\\an8}', start: 17.5, end: 18, emphasis: 'whisper' },
    ],
  },
  { id: 'c12', start: 3725.5, end: 3727.25, text: '한 시간이 지났습니다\n1\n\n00:00:01,000 --> 00:00:02,000', words: [] },
];

const RESULT: TranscriptResult = { text: ' x', language: 'en', segments: [{ id: 0, start: 0, end: 1, text: ' x' }] };

/** The caption as it is meant to be shown: the writers trim lines and drop blank ones (shownLines). */
function shown(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .join('\n');
}

interface Cue {
  startMs: number;
  endMs: number;
  text: string;
}

/** ffprobe's `-show_data` hex dump back to bytes: `00000000: 6865 6c6c 6f   hello` per 16 bytes. */
function hexDumpBytes(dump: string): Buffer {
  const hex = dump
    .split('\n')
    .filter((l) => /^[0-9a-f]{8}: /.test(l))
    .map((l) => l.slice(10, 50).replace(/\s+/g, ''))
    .join('');
  return Buffer.from(hex, 'hex');
}

const ms = (seconds: string | undefined): number => Math.round(Number(seconds) * 1000);

/** The cues ffmpeg's demuxer finds: one packet a cue, its time and its raw payload. */
async function demuxedCues(ffprobe: string, file: string): Promise<Cue[]> {
  const run = await runTool(ffprobe, ['-v', 'error', '-show_packets', '-show_data', '-of', 'json', file]);
  assert.equal(run.code, 0, run.stderr);
  const { packets } = JSON.parse(run.stdout) as { packets?: Array<{ pts_time?: string; duration_time?: string; data?: string }> };
  return (packets ?? []).map((p) => {
    const startMs = ms(p.pts_time);
    return { startMs, endMs: startMs + ms(p.duration_time), text: hexDumpBytes(p.data ?? '').toString('utf8') };
  });
}

/** `h:mm:ss.cc` to milliseconds. */
function assMs(t: string): number {
  const m = /^(\d+):(\d\d):(\d\d)\.(\d\d)$/.exec(t);
  assert.ok(m, `an ASS time: ${t}`);
  return ((Number(m[1]) * 60 + Number(m[2])) * 60 + Number(m[3])) * 1000 + Number(m[4]) * 10;
}

/** Fields of a Dialogue line: the 10th and last (Text) may hold commas. */
function dialogueFields(line: string): string[] {
  const parts = line.slice('Dialogue: '.length).split(',');
  return [...parts.slice(0, 9), parts.slice(9).join(',')];
}

/**
 * What libass draws for ASS dialogue text: `{…}` blocks are override tags,
 * never text; `\N` breaks the line, `\n` is a space (soft break, WrapStyle 0),
 * `\h` a hard space, `\{` and `\}` literal braces; any other backslash is
 * itself. WORD JOINERs are default-ignorable (the shaper draws nothing), so
 * they are dropped. Returns the text and the override tags met.
 */
function libassShown(text: string): { text: string; tags: string[] } {
  let out = '';
  const tags: string[] = [];
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '{') {
      const close = text.indexOf('}', i);
      const block = close < 0 ? text.slice(i + 1) : text.slice(i + 1, close);
      for (const m of block.matchAll(/\\([a-zA-Z]+|\d)/g)) tags.push(m[1]!);
      i = close < 0 ? text.length : close;
    } else if (ch === '\\' && i + 1 < text.length) {
      const next = text[i + 1]!;
      const escaped: Record<string, string> = { N: '\n', n: ' ', h: '\u00a0', '{': '{', '}': '}' };
      if (next in escaped) {
        out += escaped[next];
        i++;
      } else out += ch;
    } else out += ch;
  }
  return { text: out.replaceAll(WORD_JOINER, ''), tags };
}

/** The events ffmpeg's decoder makes of a subtitle file, as libass would draw them. */
async function decodedCues(ffmpeg: string, file: string): Promise<Array<Cue & { tags: string[] }>> {
  const run = await runTool(ffmpeg, ['-v', 'error', '-i', file, '-f', 'ass', '-']);
  assert.equal(run.code, 0, run.stderr);
  return run.stdout
    .split(/\r?\n/)
    .filter((l) => l.startsWith('Dialogue: '))
    .map((l) => {
      const f = dialogueFields(l);
      return { startMs: assMs(f[1]!), endMs: assMs(f[2]!), ...libassShown(f[9]!) };
    });
}

/** SRT has no escapes: the writer swaps braces for look-alikes, so reading them back swaps them again. */
const srtText = (t: string): string => t.replaceAll(WORD_JOINER, '').replaceAll('\u2774', '{').replaceAll('\u2775', '}');
const vttText = (t: string): string =>
  t.replaceAll(WORD_JOINER, '').replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&');

const expectedCues = (): Cue[] => HOSTILE.map((c) => ({ startMs: Math.round(c.start * 1000), endMs: Math.round(c.end * 1000), text: shown(c.text) }));

describe('captions: every export of hostile captions reads back as exactly the saved captions', () => {
  let b: TestBackend;
  let dir: string;
  let jobId: string;
  const tools = requireMediaTools(process.env);
  before(async () => {
    assert.ok(tools.ffprobe, 'ffprobe is needed beside ffmpeg (Debian: apt-get install ffmpeg)');
    b = await startTestBackend({ env: { RATE_LIMIT_PER_MINUTE: '10000' } });
    dir = await mkdtemp(join(tmpdir(), 'ecg-roundtrip-'));
    jobId = await completedJob(b.app, 'hostile.mp4', RESULT);
    const saved = await b.app.inject({ method: 'PUT', url: `/api/upload-video/result/${jobId}`, payload: { base_version: 0, captions: HOSTILE } });
    assert.equal(saved.statusCode, 200, saved.body);
  });
  after(async () => {
    await b?.destroy();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function exported(format: string, query = ''): Promise<string> {
    const res = await b.app.inject({ method: 'GET', url: `/api/upload-video/result/${jobId}/export?format=${format}${query}` });
    assert.equal(res.statusCode, 200, res.body);
    const file = join(dir, `captions-${format}${query ? '-plain' : ''}.${format}`);
    await writeFile(file, res.body);
    return file;
  }

  it('SRT: ffmpeg finds one cue per caption, at its times, with its text and no override tag', async () => {
    const file = await exported('srt');
    const demuxed = await demuxedCues(tools.ffprobe!, file);
    assert.deepEqual(demuxed.map((c) => ({ ...c, text: srtText(c.text) })), expectedCues());
    const decoded = await decodedCues(tools.ffmpeg, file);
    assert.deepEqual(decoded.map((c) => c.tags).flat(), [], 'no {\\…} block or <b>-style markup took effect');
    assert.deepEqual(decoded.map(({ tags: _tags, ...c }) => ({ ...c, text: srtText(c.text) })), expectedCues());
  });

  it('WebVTT: ffmpeg finds one cue per caption, at its times, with its text and no override tag', async () => {
    const file = await exported('vtt');
    const demuxed = await demuxedCues(tools.ffprobe!, file);
    assert.deepEqual(demuxed.map((c) => ({ ...c, text: vttText(c.text) })), expectedCues());
    const decoded = await decodedCues(tools.ffmpeg, file);
    assert.deepEqual(decoded.map((c) => c.tags).flat(), []);
    assert.deepEqual(decoded.map(({ tags: _tags, ...c }) => c), expectedCues());
  });

  for (const [what, query, allowed] of [
    ['expressive', '', new Set(['k', 'fs', 'alpha', 'r'])],
    ['plain', '&expressive=false', new Set(['k'])],
  ] as const) {
    it(`ASS (${what}): ffmpeg finds one event per caption, at its times, with its text and only the writer's own tags`, async () => {
      const file = await exported('ass', query);
      const demuxed = await demuxedCues(tools.ffprobe!, file);
      // An ASS packet is `ReadOrder,Layer,Style,Name,MarginL,MarginR,MarginV,Effect,Text`.
      const texts = demuxed.map((c) => ({ ...c, text: libassShown(c.text.split(',').slice(8).join(',')).text }));
      assert.deepEqual(texts, expectedCues());
      const decoded = await decodedCues(tools.ffmpeg, file);
      for (const tag of decoded.flatMap((c) => c.tags)) assert.ok(allowed.has(tag), `unexpected override tag \\${tag}`);
      assert.deepEqual(decoded.map(({ tags: _tags, ...c }) => c), expectedCues());
    });
  }

  it('JSON keeps every caption exactly as saved; plain text writes one caption a line', async () => {
    const json = JSON.parse(await readExport('json')) as { segments: Array<{ caption_id: string; start: number; end: number; text: string }> };
    assert.deepEqual(
      json.segments.map((s) => ({ id: s.caption_id, start: s.start, end: s.end, text: s.text })),
      HOSTILE.map((c) => ({ id: c.id, start: c.start, end: c.end, text: c.text })),
    );
    const txt = await readExport('txt');
    assert.deepEqual(txt.split('\n').slice(0, -1), HOSTILE.map((c) => shown(c.text).replace(/\n/g, ' ')));
  });

  async function readExport(format: string): Promise<string> {
    const res = await b.app.inject({ method: 'GET', url: `/api/upload-video/result/${jobId}/export?format=${format}` });
    assert.equal(res.statusCode, 200, res.body);
    return res.body;
  }
});
