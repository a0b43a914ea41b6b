import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { failureBody, progressBody, resultBody } from '../src/pipeline/deliver-result.js';
import { stripControlChars } from '../src/text/strip-control-chars.js';

describe('control characters', () => {
  it('removes U+0000 and every other C0 control character but tab and newline', () => {
    const all = Array.from({ length: 32 }, (_, i) => String.fromCharCode(i)).join('');
    assert.equal(stripControlChars(`a${all}b`), 'a\t\nb');
    assert.equal(stripControlChars('plain text, é 한 🎉'), 'plain text, é 한 🎉');
  });

  it('never leaves one in what the service delivers to the backend', () => {
    const result = resultBody('j', {
      text: 'ask\u0000 not',
      language: 'en',
      segments: [{ id: 0, start: 0, end: 1, text: 'ask\u0000 not', words: [{ word: ' ask\u0000', start: 0, end: 0.5, probability: 0.9 }] }],
    });
    for (const body of [result, failureBody('j', 'MEDIA_DECODE_ERROR', 'ffmpeg: bad\u0000 frame\u001b[0m'), progressBody('j', 'extracting', 12, 'reading\u0000')]) {
      assert.doesNotMatch(body, /\\u00[01][0-9a-f]/i, body);
    }
    const parsed = JSON.parse(result) as { result: { text: string; segments: { words: { word: string }[] }[] } };
    assert.equal(parsed.result.text, 'ask not');
    assert.equal(parsed.result.segments[0]?.words[0]?.word, ' ask');
    assert.equal((JSON.parse(failureBody('j', 'MEDIA_DECODE_ERROR', 'bad\u0000 frame')) as { error_message: string }).error_message, 'bad frame');
  });
});
