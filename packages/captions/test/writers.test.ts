import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Caption } from '@ecg/contracts';
import { formatTimestamp, toJson, toSrt, toTxt, toVtt } from '../src/index.js';

const cap = (id: string, start: number, end: number, text: string): Caption => ({ id, start, end, text, words: [] });

const captions: Caption[] = [
  cap('c0', 0, 2.5, '안녕하세요, 여러분.'),
  cap('c1', 2.5, 4.04, 'Hello <world> & "friends"'),
  cap('c2', 3725.5, 3727.25, '한 시간이 지났습니다 --> 다음'),
];

describe('formatTimestamp', () => {
  test('writes SRT and VTT stamps, past one hour and with rounded milliseconds', () => {
    assert.equal(formatTimestamp(3725.5, ','), '01:02:05,500');
    assert.equal(formatTimestamp(3725.5, '.'), '01:02:05.500');
    assert.equal(formatTimestamp(0, ','), '00:00:00,000');
    assert.equal(formatTimestamp(59.9996, ','), '00:01:00,000');
    assert.equal(formatTimestamp(1.0005, '.'), '00:00:01.001');
    assert.equal(formatTimestamp(360000, ','), '100:00:00,000');
  });

  test('writes negative and non-finite times as zero', () => {
    assert.equal(formatTimestamp(-3, ','), '00:00:00,000');
    assert.equal(formatTimestamp(Number.NaN, '.'), '00:00:00.000');
  });
});

const WJ = '\u2060';

describe('toSrt', () => {
  test('numbers cues from 1, separates them by a blank line and keeps Korean text', () => {
    assert.equal(
      toSrt(captions),
      '1\n00:00:00,000 --> 00:00:02,500\n안녕하세요, 여러분.\n\n' +
        `2\n00:00:02,500 --> 00:00:04,040\nHello <${WJ}world> & "friends"\n\n` +
        `3\n01:02:05,500 --> 01:02:07,250\n한 시간이 지났습니다 --${WJ}> 다음\n`,
    );
  });

  test('keeps a cue number and timing line written in a caption inside its cue', () => {
    const srt = toSrt([cap('a', 1, 2, 'hello\n2\n00:00:00,000 --> 00:09:59,000\ninjected'), cap('b', 2, 3, 'next')]);
    assert.equal(
      srt,
      `1\n00:00:01,000 --> 00:00:02,000\nhello\n2\n00:00:00,000 --${WJ}> 00:09:59,000\ninjected\n\n2\n00:00:02,000 --> 00:00:03,000\nnext\n`,
    );
  });

  test('breaks every -->, however many dashes or arrows there are', () => {
    const body = toSrt([cap('a', 0, 1, 'a --> b ---> c -->> d -->-->')]).split('\n')[2]!;
    assert.equal(body, `a --${WJ}> b ---${WJ}> c --${WJ}>> d --${WJ}>--${WJ}>`);
    assert.ok(!body.includes('-->'));
  });

  test('shows override blocks, markup and ASS escapes as the letters they are', () => {
    const body = (text: string) => toSrt([cap('a', 0, 1, text)]).split('\n').slice(2, -1).join('\n');
    assert.equal(body('{\\pos(1,1)}moved {\\an8}top {hidden}'), `\u2774\\${WJ}pos(1,1)\u2775moved \u2774\\${WJ}an8\u2775top \u2774hidden\u2775`);
    assert.equal(body('<b>bold</b> <font color="red">x</font> I <3 u'), `<${WJ}b>bold<${WJ}/b> <${WJ}font color="red">x<${WJ}/font> I <${WJ}3 u`);
    assert.equal(body('C:\\new \\N \\h'), `C:\\${WJ}new \\${WJ}N \\${WJ}h`);
  });

  test('keeps single line breaks and reads CRLF and a lone CR as one', () => {
    assert.equal(toSrt([cap('a', 0, 1, 'one\r\ntwo\rthree\nfour')]), '1\n00:00:00,000 --> 00:00:01,000\none\ntwo\nthree\nfour\n');
  });

  test('reads back, split on blank lines as most SRT readers do, as exactly one block per caption', () => {
    const hostile = [
      cap('a', 0, 1, 'x\n\n\n2\n00:00:00,000 --> 00:09:59,000\ny'),
      cap('b', 1, 2, '42'),
      cap('c', 2, 3, 'line\r\n\r\n3\r00:00:01,000 --> 00:00:02,000'),
    ];
    const blocks = toSrt(hostile).trimEnd().split(/\n\s*\n/);
    assert.equal(blocks.length, 3);
    const timing = /^\d+:\d\d:\d\d[,.]\d{3}\s*-->/;
    blocks.forEach((block, i) => {
      const [index, stamp, ...text] = block.split('\n');
      assert.equal(index, String(i + 1));
      assert.match(stamp!, timing);
      for (const line of text) assert.doesNotMatch(line, /-->/);
    });
  });

  test('skips empty captions without leaving a gap in the numbering', () => {
    const srt = toSrt([cap('a', 0, 1, 'one'), cap('b', 1, 2, '   '), cap('c', 2, 3, 'three')]);
    assert.equal(srt, '1\n00:00:00,000 --> 00:00:01,000\none\n\n2\n00:00:02,000 --> 00:00:03,000\nthree\n');
  });

  test('removes blank lines inside a caption so the cue is not cut short', () => {
    assert.equal(toSrt([cap('a', 0, 1, 'first\n\n  second\r\nthird')]), '1\n00:00:00,000 --> 00:00:01,000\nfirst\nsecond\nthird\n');
  });

  test('writes nothing for no captions', () => {
    assert.equal(toSrt([]), '');
  });
});

describe('toVtt', () => {
  test('starts with the WEBVTT header, uses dots and escapes markup and arrows in text', () => {
    assert.equal(
      toVtt(captions),
      'WEBVTT\n\n' +
        '00:00:00.000 --> 00:00:02.500\n안녕하세요, 여러분.\n\n' +
        '00:00:02.500 --> 00:00:04.040\nHello &lt;world&gt; &amp; "friends"\n\n' +
        '01:02:05.500 --> 01:02:07.250\n한 시간이 지났습니다 --&gt; 다음\n',
    );
  });

  test('is a bare header for no captions', () => {
    assert.equal(toVtt([]), 'WEBVTT\n');
  });

  test('keeps a backslash from reading as an ASS escape in players that draw WebVTT with libass', () => {
    assert.equal(toVtt([cap('a', 0, 1, 'C:\\new \\N')]), `WEBVTT\n\n00:00:00.000 --> 00:00:01.000\nC:\\${WJ}new \\${WJ}N\n`);
  });
});

describe('toTxt', () => {
  test('writes one caption per line', () => {
    assert.equal(toTxt(captions), '안녕하세요, 여러분.\nHello <world> & "friends"\n한 시간이 지났습니다 --> 다음\n');
    assert.equal(toTxt([cap('a', 0, 1, 'two\nlines')]), 'two lines\n');
    assert.equal(toTxt([]), '');
  });
});

describe('toJson', () => {
  test('writes Whisper-shaped JSON with the caption ids and words kept', () => {
    const withWords: Caption = {
      id: 'c7',
      start: 1,
      end: 2,
      text: '네 맞아요',
      words: [
        { word: '네', start: 1, end: 1.4, probability: 0.9, volume_db: -12.5 },
        { word: ' 맞아요', start: 1.4, end: 2 },
      ],
    };
    const parsed: unknown = JSON.parse(toJson([withWords], { language: 'ko' }));
    assert.deepEqual(parsed, {
      text: '네 맞아요',
      language: 'ko',
      segments: [
        {
          id: 0,
          caption_id: 'c7',
          start: 1,
          end: 2,
          text: '네 맞아요',
          words: [
            { word: '네', start: 1, end: 1.4, probability: 0.9, volume_db: -12.5 },
            { word: ' 맞아요', start: 1.4, end: 2 },
          ],
        },
      ],
    });
  });

  test('writes only the fields a caption and its words name, whatever else they carry', () => {
    // Captions stored before saves were strict may carry anything; the cast stands in for such a row.
    const stored = {
      id: 'c0',
      start: 0,
      end: 1,
      text: 'hi',
      style: { deep: { deeper: {} } },
      words: [{ word: 'hi', start: 0, end: 1, emphasis: 'loud', junk: { a: { a: {} } }, pitch_hz: 'high' }],
    } as unknown as Caption;
    const parsed: unknown = JSON.parse(toJson([stored]));
    assert.deepEqual(parsed, {
      text: 'hi',
      segments: [{ id: 0, caption_id: 'c0', start: 0, end: 1, text: 'hi', words: [{ word: 'hi', start: 0, end: 1, emphasis: 'loud' }] }],
    });
  });
});
