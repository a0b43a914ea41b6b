import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { JobStatus } from '@ecg/contracts';
import { en } from '../src/i18n/en.js';
import { ko } from '../src/i18n/ko.js';
import { failedTitleKey, isCancellable, outcomeOfCancel, statusBadgeKey } from '../src/lib/job-cancel.js';

describe('cancelling a job', () => {
  test('offers Cancel only while the job is queued or processing', () => {
    const offered = JobStatus.options.filter((s) => isCancellable(s));
    assert.deepEqual(offered, ['queued', 'processing']);
    assert.equal(isCancellable(undefined), false, 'a job known only to this browser has no status to cancel');
  });

  test('shows the failed job at once with the code the backend answered', () => {
    assert.deepEqual(outcomeOfCancel({ status: 'failed', error_code: 'CANCELLED' }), { kind: 'failed', code: 'CANCELLED' });
    // The job failed on its own before the cancel arrived: that failure is what the page shows.
    assert.deepEqual(outcomeOfCancel({ status: 'failed', error_code: 'MEDIA_DECODE_ERROR' }), { kind: 'failed', code: 'MEDIA_DECODE_ERROR' });
    assert.deepEqual(outcomeOfCancel({ status: 'failed' }), { kind: 'failed', code: 'INTERNAL_ERROR' });
  });

  test('reads the job again when the cancel came too late to stop it', () => {
    assert.deepEqual(outcomeOfCancel({ status: 'completed' }), { kind: 'recheck' });
    assert.deepEqual(outcomeOfCancel({ status: 'processing' }), { kind: 'recheck' });
  });

  test('a cancelled job reads as cancelled, in its heading and its list badge, in both languages', () => {
    assert.equal(failedTitleKey('CANCELLED'), 'job.cancelledTitle');
    assert.equal(failedTitleKey('TRANSCRIPTION_ERROR'), 'job.failedTitle');
    assert.equal(statusBadgeKey('failed', 'CANCELLED'), 'status.cancelled');
    assert.equal(statusBadgeKey('failed', 'DOWNLOAD_ERROR'), 'status.failed');
    assert.equal(statusBadgeKey('processing', undefined), 'status.processing');
    assert.equal(en.errors.CANCELLED.what, 'You cancelled this transcription.');
    assert.equal(ko.errors.CANCELLED.what, '이 받아쓰기를 취소했습니다.');
    assert.equal(en[statusBadgeKey('failed', 'CANCELLED')], 'Cancelled');
    assert.equal(ko[failedTitleKey('CANCELLED')], '받아쓰기를 취소했습니다');
  });
});
