import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { dispositionFileName, errorFromReply } from '../src/api/http.js';

describe('server downloads', () => {
  test('take the file name from Content-Disposition, preferring the UTF-8 form', () => {
    assert.equal(dispositionFileName(`attachment; filename="jfk-speech.ass"; filename*=UTF-8''jfk-speech.ass`), 'jfk-speech.ass');
    assert.equal(dispositionFileName(`attachment; filename="_.ass"; filename*=UTF-8''%ED%9A%8C%EC%9D%98.ass`), '회의.ass');
    assert.equal(dispositionFileName('attachment; filename="say \\"hi\\".ass"'), 'say "hi".ass');
    assert.equal(dispositionFileName('attachment; filename=plain.ass'), 'plain.ass');
    assert.equal(dispositionFileName(`attachment; filename*=UTF-8''%E0%A4%A; filename="fallback.ass"`), 'fallback.ass');
    assert.equal(dispositionFileName('attachment'), null);
    assert.equal(dispositionFileName(null), null);
  });

  test('explain a refused download with the server’s code, or one guessed from the status', () => {
    const conflict = errorFromReply(409, { error: { code: 'JOB_NOT_COMPLETED', message: 'not yet' } });
    assert.deepEqual([conflict.code, conflict.message, conflict.status], ['JOB_NOT_COMPLETED', 'not yet', 409]);
    assert.equal(errorFromReply(404, undefined).code, 'NOT_FOUND');
    assert.equal(errorFromReply(429, 'busy').code, 'RATE_LIMITED');
    assert.equal(errorFromReply(502, { oops: true }).code, 'INTERNAL_ERROR');
  });
});
