import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseProgressLine, parseSegmentLine, parseWhisperJson } from '../src/engine/parse-whisper-output.js';

test('progress lines parse and are clamped to 100', () => {
  assert.equal(parseProgressLine('whisper_print_progress_callback: progress =  45%'), 45);
  assert.equal(parseProgressLine('whisper_print_progress_callback: progress = 355%'), 100);
  assert.equal(parseProgressLine('whisper_init: loading'), null);
});

test('segment lines parse to seconds, including past one hour', () => {
  assert.deepEqual(parseSegmentLine('[01:02:05.500 --> 01:02:07.000]   hello there'), { start: 3725.5, end: 3727, text: 'hello there' });
  assert.equal(parseSegmentLine('main: processing'), null);
});

test('byte-split UTF-8 tokens are re-joined into whole characters', () => {
  const han = Buffer.from('한', 'utf8'); // 3 bytes, split 2 + 1 across tokens
  const json = Buffer.concat([
    Buffer.from('{"result":{"language":"ko"},"transcription":[{"offsets":{"from":0,"to":1000},"text":" '),
    han,
    Buffer.from('","tokens":[{"text":"[_BEG_]","offsets":{"from":0,"to":0},"p":1},{"text":" '),
    han.subarray(0, 2),
    Buffer.from('","offsets":{"from":0,"to":400},"p":0.8},{"text":"'),
    han.subarray(2),
    Buffer.from('","offsets":{"from":400,"to":900},"p":0.6}]}]}'),
  ]);
  const t = parseWhisperJson(json, 1);
  assert.equal(t.language, 'ko');
  assert.equal(t.segments[0]!.text, '한');
  const words = t.segments[0]!.tokens!.filter((x) => !x.special);
  assert.deepEqual(words.map((w) => [w.text, w.start, w.end, w.probability]), [[' 한', 0, 0.9, 0.6]]);
});

test('anything that is not whisper-cli JSON is refused', () => {
  assert.throws(() => parseWhisperJson(Buffer.from('{"foo":1}'), 0));
  assert.throws(() => parseWhisperJson(Buffer.from('not json'), 0));
});
