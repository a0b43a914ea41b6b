import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { en, type MessageKey } from '../src/i18n/en.js';
import { ko } from '../src/i18n/ko.js';
import { format, type Vars } from '../src/i18n/translate.js';
import { expiryLine, storageLine } from '../src/lib/job-retention.js';

const tIn = (messages: typeof en | typeof ko) => (key: MessageKey, vars?: Vars) => format(messages[key], vars);

describe('job expiry and storage lines', () => {
  test('names the day RETENTION_DAYS deletes the job, in the UI language', () => {
    assert.equal(expiryLine('2026-12-05T10:00:00.000Z', tIn(en), 'en-GB'), 'Deleted automatically on 5 Dec 2026');
    assert.equal(expiryLine('2026-12-05T10:00:00.000Z', tIn(ko), 'ko'), '2026년 12월 5일에 자동으로 삭제됩니다');
  });

  test('says the job is kept without an expiry, and for an unreadable one', () => {
    for (const at of [null, undefined, 'not a date']) {
      assert.equal(expiryLine(at, tIn(en), 'en'), 'Kept until you delete it');
    }
    assert.equal(expiryLine(null, tIn(ko), 'ko'), '직접 삭제할 때까지 보관됩니다');
  });

  test('shows the bytes stored in decimal units, and nothing when the server could not measure them', () => {
    assert.equal(storageLine(12_345_678, tIn(en), 'en'), '12 MB stored');
    assert.equal(storageLine(1_500, tIn(en), 'en'), '1.5 kB stored');
    assert.equal(storageLine(null, tIn(en), 'en'), null);
  });
});
