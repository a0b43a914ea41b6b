import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { promisify } from 'node:util';
import type { Caption, CaptionSpeaker } from '@ecg/contracts';
import { dualSpeakerDash, SPEAKER_COLORS, toAss, toJson, toSrt, toTxt, toVtt } from '../src/index.js';

const run = promisify(execFile);
const A = 'SPEAKER_00';
const B = 'SPEAKER_01';

/** A caption whose words spell its text, one per `step` seconds, spoken by the speaker given per line. */
function said(id: string, start: number, lines: ReadonlyArray<readonly [string, string]>, step = 0.3): Caption {
  const words = lines.flatMap(([line, speaker], l) =>
    line.split(' ').map((w, k) => ({ word: l === 0 && k === 0 ? w : ` ${w}`, start: 0, end: 0, speaker })),
  );
  words.forEach((w, k) => {
    w.start = start + k * step;
    w.end = start + (k + 1) * step;
  });
  return { id, start, end: start + words.length * step + 0.2, text: lines.map(([line]) => line).join('\n'), words, speaker: lines[0]![1] };
}

// Ana asks, a quick exchange shares one dash caption, Ben goes on.
const dialogue: Caption[] = [
  said('c0', 0, [['Are you coming tonight?', A]]),
  said('c1', 2, [['Yes?', A], ['No.', B]]),
  said('c2', 3, [['We leave at eight', B]]),
  said('c3', 5, [['then.', B]]),
];
const names: CaptionSpeaker[] = [
  { id: A, name: 'Ana' },
  { id: B, name: 'Ben' },
];

describe('SRT and TXT with speakers', () => {
  test('SRT: a dash before each line of a two-speaker caption, nothing else without names', () => {
    const srt = toSrt(dialogue, { speakers: names });
    assert.equal(
      srt,
      '1\n00:00:00,000 --> 00:00:01,400\nAre you coming tonight?\n\n' +
        '2\n00:00:02,000 --> 00:00:02,800\n- Yes?\n- No.\n\n' +
        '3\n00:00:03,000 --> 00:00:04,400\nWe leave at eight\n\n' +
        '4\n00:00:05,000 --> 00:00:05,500\nthen.\n',
    );
  });

  test('SRT with speakerNames: Name: where the speaker changes and on each line of a two-speaker caption', () => {
    const srt = toSrt(dialogue, { speakers: names, speakerNames: true });
    const bodies = srt.split('\n\n').map((cue) => cue.split('\n').slice(2).join('\n'));
    assert.deepEqual(bodies, ['Ana: Are you coming tonight?', '- Ana: Yes?\n- Ben: No.', 'We leave at eight', 'then.\n']);
  });

  test('names a speaker without a saved name Speaker N, and keeps a name from being read as markup', () => {
    const srt = toSrt(dialogue, { speakers: [{ id: A, name: '<i>Ana</i> {\\an8}' }], speakerNames: true });
    assert.match(srt, /^<\u2060i>Ana<\u2060\/i> \u2774\\\u2060an8\u2775: Are you coming tonight\?$/m);
    assert.match(srt, /^- Speaker 2: No\.$/m);
  });

  test('TXT: a new paragraph where the speaker changes, a two-speaker caption a dashed paragraph of its own', () => {
    assert.equal(toTxt(dialogue, { speakers: names }), 'Are you coming tonight?\n\n- Yes?\n- No.\n\nWe leave at eight\nthen.\n');
    assert.equal(
      toTxt(dialogue, { speakers: names, speakerNames: true }),
      'Ana: Are you coming tonight?\n\n- Ana: Yes?\n- Ben: No.\n\nWe leave at eight\nthen.\n',
    );
    // A change from one caption to the next, without a dash caption between.
    const plain = [said('c0', 0, [['Hello.', A]]), said('c1', 1, [['Hi.', B]]), said('c2', 2, [['How are you?', B]])];
    assert.equal(toTxt(plain, { speakers: names, speakerNames: true }), 'Ana: Hello.\n\nBen: Hi.\nHow are you?\n');
  });
});

describe('the dual-speaker dash of the captions\' language', () => {
  test('English takes a hyphen without a space (Netflix English guide), Korean and unknown languages a hyphen and a space', () => {
    for (const lang of ['en', 'en-GB', 'EN-us']) assert.equal(dualSpeakerDash(lang), '-', lang);
    for (const lang of ['ko', 'fr', 'ja', 'eng', undefined]) assert.equal(dualSpeakerDash(lang), '- ', String(lang));
  });

  test('every writer puts that dash before each line of a two-speaker caption', () => {
    const dash = dualSpeakerDash('en');
    assert.match(toSrt(dialogue, { speakers: names, dash }), /\n-Yes\?\n-No\.\n/);
    assert.match(toTxt(dialogue, { speakers: names, dash, speakerNames: true }), /\n-Ana: Yes\?\n-Ben: No\.\n/);
    assert.match(toVtt(dialogue, { speakers: names, dash }), /\n-<v Ana>Yes\?<\/v>\n-<v Ben>No\.<\/v>\n/);
    const ass = toAss(dialogue, { expressive: false, strength: 1, speakers: names, dash });
    assert.match(ass, /&\}-\{\\k\d+\}Yes\?/);
    assert.doesNotMatch(ass, /&\}- \{/);
  });
});

describe('WebVTT with speakers', () => {
  test('voice spans per speaker line, and dashes on a two-speaker cue', () => {
    const vtt = toVtt(dialogue, { speakers: names });
    assert.equal(
      vtt,
      'WEBVTT\n\n' +
        '00:00:00.000 --> 00:00:01.400\n<v Ana>Are you coming tonight?</v>\n\n' +
        '00:00:02.000 --> 00:00:02.800\n- <v Ana>Yes?</v>\n- <v Ben>No.</v>\n\n' +
        '00:00:03.000 --> 00:00:04.400\n<v Ben>We leave at eight</v>\n\n' +
        '00:00:05.000 --> 00:00:05.500\n<v Ben>then.</v>\n',
    );
  });

  test('escapes a name so it cannot end the voice tag or break the cue', () => {
    const vtt = toVtt([said('c0', 0, [['Hi', A]])], { speakers: [{ id: A, name: 'A > B & C\nD' }] });
    assert.match(vtt, /^<v A &gt; B &amp; C D>Hi<\/v>$/m);
  });
});

describe('JSON with speakers', () => {
  test('adds speakers with their names, turns, and speaker on segments and words', () => {
    const doc = JSON.parse(toJson(dialogue, { language: 'en', speakers: [{ id: 'SPEAKER_07', name: 'Gone' }, ...names] })) as {
      speakers: unknown;
      turns: unknown;
      segments: Array<{ speaker?: string; words: Array<{ speaker?: string }> }>;
    };
    assert.deepEqual(doc.speakers, names, 'only the speakers the captions mention');
    assert.deepEqual(doc.turns, [
      { start: 0, end: 2.3, speaker: A },
      { start: 2.3, end: 5.3, speaker: B },
    ]);
    assert.deepEqual(doc.segments.map((s) => s.speaker), [A, A, B, B]);
    assert.deepEqual(doc.segments[1]!.words.map((w) => w.speaker), [A, B]);
  });
});

describe('captions without speakers', () => {
  const plain: Caption[] = [
    { id: 'c0', start: 0, end: 1, text: 'one\ntwo', words: [{ word: 'one', start: 0, end: 0.5 }, { word: ' two', start: 0.5, end: 1, emphasis: 'loud' }] },
    { id: 'c1', start: 1.5, end: 2, text: 'three', words: [] },
  ];

  test('export exactly as without speaker options, whatever the options say', () => {
    const options = { speakers: names, speakerNames: true };
    assert.equal(toSrt(plain, options), toSrt(plain));
    assert.equal(toVtt(plain, options), toVtt(plain));
    assert.equal(toTxt(plain, options), toTxt(plain));
    assert.equal(toJson(plain, { language: 'en', ...options }), toJson(plain, { language: 'en' }));
    assert.equal(toAss(plain, { expressive: true, strength: 1, ...options }), toAss(plain, { expressive: true, strength: 1 }));
    assert.equal(toSrt(plain), '1\n00:00:00,000 --> 00:00:01,000\none\ntwo\n\n2\n00:00:01,500 --> 00:00:02,000\nthree\n');
    assert.equal(toTxt(plain), 'one two\nthree\n');
    assert.ok(!toJson(plain).includes('speaker'));
  });
});

describe('ASS with speakers', () => {
  const ass = toAss(dialogue, { expressive: true, strength: 1, playResX: 320, playResY: 240, speakers: [{ id: A, name: 'Ana, Lopez' }, { id: B, name: 'Ben' }] });

  test('writes a style per speaker in its colour, and Dialogue lines with their speaker style and name', () => {
    const styles = ass.split('\n').filter((l) => l.startsWith('Style: '));
    // #be8200 and #4696c3 as &HAABBGGRR; a comma would split the style line, so it goes.
    assert.deepEqual(
      styles.map((s) => s.split(',').slice(0, 4).join(',')),
      ['Style: Default,DejaVu Sans,13,&H00FFFFFF', 'Style: Ana Lopez,DejaVu Sans,13,&H000082BE', 'Style: Ben,DejaVu Sans,13,&H00C39646'],
    );
    assert.equal(SPEAKER_COLORS[0], '#be8200');
    const dialogues = ass.split('\n').filter((l) => l.startsWith('Dialogue: '));
    assert.deepEqual(
      dialogues.map((d) => d.split(',').slice(3, 5).join(',')),
      ['Ana Lopez,Ana Lopez', 'Ana Lopez,Ana Lopez', 'Ben,Ben', 'Ben,Ben'],
    );
  });

  test('gives each line of a two-speaker caption its colour and dash, keeping the karaoke timing', () => {
    const line = ass.split('\n').find((l) => l.startsWith('Dialogue: 0,0:00:02.00'))!;
    assert.ok(
      line.endsWith(',,{\\c&H0082BE&\\2c&H5899B7&}- {\\k30}Yes?\\N{\\c&HC39646&\\2c&HBAA37B&}- {\\k50}No.'),
      line,
    );
  });

  test('resets an emphasised word to its line speaker colour, not the caption style', () => {
    const loud: Caption = { ...dialogue[1]!, words: dialogue[1]!.words.map((w, k) => (k === 1 ? { ...w, emphasis: 'loud' as const } : w)) };
    const line = toAss([loud], { expressive: true, strength: 1, speakers: names }).split('\n').find((l) => l.startsWith('Dialogue: '))!;
    assert.match(line, /\{\\k50\\fs\d+\}No\.\{\\r\\c&HC39646&\\2c&HBAA37B&\}$/);
  });

  test('libass draws the first line in the first speaker colour and the second in the second', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ecg-ass-'));
    try {
      const file = join(dir, 'dash.ass');
      // Words spoken by 0.5 s, so at 1 s karaoke shows every word in its primary (speaker) colour.
      const exchange = said('c0', 0, [['Yes?', A], ['No.', B]], 0.25);
      await writeFile(file, toAss([{ ...exchange, end: 2 }], { expressive: false, strength: 0, playResX: 320, playResY: 240, speakers: names }));
      const { stdout } = await run(
        'ffmpeg',
        // RGB before libass draws, so chroma subsampling does not blur the colours measured.
        ['-v', 'error', '-f', 'lavfi', '-i', 'color=black:s=640x480:r=4:d=2', '-vf', `format=rgb24,subtitles=${file},select=gte(t\\,1)`, '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'],
        { encoding: 'buffer', maxBuffer: 1 << 22 },
      );
      const rows = (rgb: readonly [number, number, number]): number[] => {
        const ys: number[] = [];
        for (let p = 0; p + 2 < stdout.length; p += 3) {
          const d = Math.abs(stdout[p]! - rgb[0]) + Math.abs(stdout[p + 1]! - rgb[1]) + Math.abs(stdout[p + 2]! - rgb[2]);
          if (d < 30) ys.push(Math.floor(p / 3 / 640));
        }
        return ys;
      };
      const orange = rows([0xbe, 0x82, 0x00]);
      const blue = rows([0x46, 0x96, 0xc3]);
      assert.ok(orange.length > 20 && blue.length > 20, `speaker colours drawn: ${orange.length}, ${blue.length} pixels`);
      assert.ok(Math.max(...orange) < Math.min(...blue), 'the first speaker line above the second');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
