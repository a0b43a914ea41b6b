import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Caption } from '@ecg/contracts';
import { escapeAssText, formatAssTime, toAss } from '../src/index.js';

const HEADER_1080 =
  '[Script Info]\n' +
  '; Written by ECG: word-by-word karaoke timing, word sizes from the measured emphasis\n' +
  'Title: interview.mp4\n' +
  'ScriptType: v4.00+\n' +
  'WrapStyle: 0\n' +
  'ScaledBorderAndShadow: yes\n' +
  'PlayResX: 1920\n' +
  'PlayResY: 1080\n' +
  'Language: ko\n' +
  '\n' +
  '[V4+ Styles]\n' +
  'Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding\n' +
  'Style: Default,DejaVu Sans,60,&H00FFFFFF,&H00B0B0B0,&H00000000,&H80000000,-1,0,0,0,100,100,0,0,1,3,2,2,96,96,54,1\n' +
  '\n' +
  '[Events]\n' +
  'Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\n';

const captions: Caption[] = [
  {
    id: 'c0',
    start: 1.23,
    end: 3.5,
    text: '안녕하세요 정말 반가워요',
    words: [
      // A silence of 0.27 s before the first word, a gap of 0.2 s after the second.
      { word: ' 안녕하세요', start: 1.5, end: 2.0, emphasis: 'normal' },
      { word: ' 정말', start: 2.0, end: 2.6, emphasis: 'loud' },
      { word: ' 반가워요', start: 2.8, end: 3.5, emphasis: 'whisper' },
    ],
  },
  { id: 'c1', start: 3725.5, end: 3727.25, text: 'a {b} c\\d\nnext line', words: [] },
];

describe('formatAssTime', () => {
  test('writes h:mm:ss.cc with rounded centiseconds, unpadded hours past one hour', () => {
    assert.equal(formatAssTime(0), '0:00:00.00');
    assert.equal(formatAssTime(1.234), '0:00:01.23');
    assert.equal(formatAssTime(1.235), '0:00:01.24');
    assert.equal(formatAssTime(59.999), '0:01:00.00');
    assert.equal(formatAssTime(3725.5), '1:02:05.50');
    assert.equal(formatAssTime(36000), '10:00:00.00');
  });

  test('writes negative and non-finite times as zero', () => {
    assert.equal(formatAssTime(-1), '0:00:00.00');
    assert.equal(formatAssTime(Number.NaN), '0:00:00.00');
  });
});

describe('escapeAssText', () => {
  test('turns braces into libass escapes, defuses backslashes and writes line breaks as \\N', () => {
    assert.equal(escapeAssText('{\\b1}x'), '\\{\\\u2060b1\\}x');
    assert.equal(escapeAssText('C:\\new\r\nline'), 'C:\\\u2060new\\Nline');
    assert.equal(escapeAssText('한국어 그대로'), '한국어 그대로');
  });
});

describe('toAss', () => {
  test('writes expressive captions: karaoke timing per word, loud bigger, whisper smaller and lighter', () => {
    const ass = toAss(captions, { expressive: true, strength: 1, title: 'interview.mp4', language: 'ko' });
    assert.equal(
      ass,
      HEADER_1080 +
        'Dialogue: 0,0:00:01.23,0:00:03.50,Default,,0,0,0,,{\\k27}{\\k50}안녕하세요 {\\k80\\fs81}정말{\\r} {\\k70\\fs45\\alpha&H60&}반가워요{\\r}\n' +
        'Dialogue: 0,1:02:05.50,1:02:07.25,Default,,0,0,0,,a \\{b\\} c\\\u2060d\\Nnext line\n',
    );
  });

  test('writes the same karaoke timing without size tags when not expressive or at strength 0', () => {
    const plain = 'Dialogue: 0,0:00:01.23,0:00:03.50,Default,,0,0,0,,{\\k27}{\\k50}안녕하세요 {\\k80}정말 {\\k70}반가워요\n';
    for (const opts of [{ expressive: false, strength: 1 }, { expressive: true, strength: 0 }]) {
      const ass = toAss(captions.slice(0, 1), opts);
      assert.ok(ass.endsWith(plain), ass);
      assert.doesNotMatch(ass, /\\fs|\\alpha|\\r/);
    }
  });

  test('makes the \\k values of a line add up to its duration', () => {
    const ass = toAss(captions.slice(0, 1), { expressive: true, strength: 2 });
    const line = ass.trimEnd().split('\n').pop() ?? '';
    const ks = [...line.matchAll(/\\k(\d+)/g)].map((m) => Number(m[1]));
    assert.equal(ks.reduce((a, b) => a + b, 0), 350 - 123);
    assert.match(line, /\\fs102\}정말/, 'strength 2 grows a loud word by 70 %');
    assert.match(line, /\\fs30\\alpha&H90&\}반가워요/, 'strength 2 halves a whispered word, capped alpha');
  });

  test('clamps word times into the caption and keeps them in order', () => {
    const ass = toAss(
      [
        {
          id: 'c0',
          start: 10,
          end: 11,
          text: 'one two three',
          words: [
            { word: 'one', start: 9.5, end: 10.2 },
            { word: 'two', start: 10.8, end: 10.9 },
            { word: 'three', start: 10.5, end: 12 },
          ],
        },
      ],
      { expressive: false, strength: 1 },
    );
    assert.ok(ass.endsWith(',,{\\k80}one {\\k0}two {\\k20}three\n'), ass);
  });

  test('writes the text plain when the words no longer spell it, and leaves out empty captions', () => {
    const ass = toAss(
      [
        { id: 'c0', start: 0, end: 1, text: 'rewritten by hand', words: [{ word: 'original', start: 0, end: 1, emphasis: 'loud' }] },
        { id: 'c1', start: 1, end: 2, text: '  \n ', words: [] },
      ],
      { expressive: true, strength: 1, playResX: 320, playResY: 240 },
    );
    assert.match(ass, /PlayResX: 320\nPlayResY: 240\n/);
    assert.match(ass, /Style: Default,DejaVu Sans,13,/);
    const dialogues = ass.split('\n').filter((l) => l.startsWith('Dialogue:'));
    assert.deepEqual(dialogues, ['Dialogue: 0,0:00:00.00,0:00:01.00,Default,,0,0,0,,rewritten by hand']);
  });
});
