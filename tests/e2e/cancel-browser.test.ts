/**
 * Cancelling a transcription through a real browser: a person uploads a
 * video, cancels it from the processing page in two steps, and sees the
 * cancelled state at once, while the backend records the job failed with
 * CANCELLED and the page stops polling. A second job is cancelled from the
 * recent jobs list.
 *
 * The jobs must still be live when the person cancels, however fast the
 * machine: the backend is started with an ML URL nothing listens on
 * (tests/helpers/delivered-result-session.ts), so its dispatcher keeps
 * retrying and each job stays queued until it is cancelled. The backend,
 * its database, storage and the web app are the real ones; nothing in the
 * browser is mocked.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { GenerateUrlResponse, JobResultResponse, RequestProcessResponse } from '@ecg/contracts';
import type { Stack } from '../helpers/stack.js';
import { muxAudioIntoMp4 } from '../helpers/media.js';
import { waitForPage, waitForText } from '../helpers/browser.js';
import { deliveredResultSuite } from '../helpers/delivered-result-session.js';
import { JFK_WAV } from '../../apps/ml/test/helpers/fixtures.js';

const CALLBACK_SECRET = 'cancel-browser-test-secret';
const JOB_PATH = /\/jobs\/[0-9a-f-]{36}$/;
const SECOND_FILE = 'second-take.mp4';

let videoPath: string;

const { inBrowser } = deliveredResultSuite('ecg-cancel-browser-', CALLBACK_SECRET, async (dir) => {
  videoPath = join(dir, 'jfk-speech.mp4');
  await muxAudioIntoMp4(JFK_WAV, videoPath);
});

async function resultOnServer(s: Stack, jobId: string): Promise<JobResultResponse> {
  const res = await fetch(`${s.backendUrl}/api/upload-video/result/${jobId}`);
  // 202 while the job runs, 200 once it ended.
  assert.ok(res.status === 200 || res.status === 202, `GET result of ${jobId} answered ${res.status}`);
  return JobResultResponse.parse(await res.json());
}

/** Starts a job as a script would (upload URL, PUT, request-process) and answers its id. */
async function startJobByApi(s: Stack, fileName: string): Promise<string> {
  const post = async (path: string, body: unknown): Promise<unknown> => {
    const res = await fetch(`${s.backendUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const text = await res.text();
    assert.ok(res.ok, `POST ${path} answered ${res.status}: ${text}`);
    return JSON.parse(text);
  };
  const grant = GenerateUrlResponse.parse(await post('/api/upload-video/generate-url', { filename: fileName, filetype: 'video/mp4' }));
  const put = await fetch(grant.url, { method: grant.method, headers: grant.headers, body: readFileSync(videoPath) });
  assert.ok(put.ok, `the upload answered ${put.status}`);
  return RequestProcessResponse.parse(await post('/api/upload-video/request-process', { fileKey: grant.fileKey })).jobId;
}

const JOB_READS = /\/api\/upload-video\/(status|result)\//;

/**
 * Holds the page's status and result reads while `hold` is on (they go on,
 * untouched, when released), and records every read started after `count`
 * is on. The cancelled state appearing while every read is held shows it
 * came from the cancel's own answer, not from a poll.
 */
async function controlJobReads(page: Page): Promise<{ hold: (on: boolean) => void; count: () => string[] }> {
  let holding = false;
  let counting: string[] | null = null;
  let released: Array<() => void> = [];
  await page.route(JOB_READS, async (route) => {
    if (holding) await new Promise<void>((r) => released.push(r));
    await route.continue().catch(() => undefined); // the page gave up on it (aborted): nothing to send
  });
  page.on('request', (r) => {
    if (counting && JOB_READS.test(new URL(r.url()).pathname)) counting.push(`${r.method()} ${r.url()}`);
  });
  return {
    hold: (on) => {
      holding = on;
      if (!on) {
        for (const release of released) release();
        released = [];
      }
    },
    count: () => (counting ??= []),
  };
}

test('a person cancels a queued transcription from the processing page and sees it cancelled at once', async () => {
  await inBrowser('cancel-processing', async (page, s) => {
    const reads = await controlJobReads(page);
    await page.goto(`${s.backendUrl}/`);
    await page.getByRole('heading', { level: 1, name: 'Turn a video into captions' }).waitFor();
    const chooser = page.waitForEvent('filechooser');
    await page.getByRole('button', { name: /^Choose (a|another) file$/ }).click();
    await (await chooser).setFiles(videoPath);
    await page.getByLabel('Spoken language').selectOption('en');
    await page.getByRole('button', { name: 'Upload and transcribe' }).click();
    await page.waitForURL(JOB_PATH, { timeout: 30_000 });
    const jobId = new URL(page.url()).pathname.split('/').at(-1)!;
    await page.getByRole('heading', { level: 1, name: 'Transcribing' }).waitFor({ timeout: 20_000 });
    assert.equal((await resultOnServer(s, jobId)).status, 'queued', 'the job is live when the person cancels');

    // 1. The first press only asks; "Keep going" goes back and nothing was cancelled.
    const cancel = page.getByRole('button', { name: 'Cancel transcription' });
    await cancel.click();
    const ask = page.getByRole('group', { name: 'Stop this transcription? It cannot be resumed: you would upload the file again.' });
    await ask.waitFor();
    await waitForPage(page, `document.activeElement?.textContent === 'Stop transcription'`, 5_000);
    await ask.getByRole('button', { name: 'Keep going' }).click();
    await cancel.waitFor();
    await waitForPage(page, `document.activeElement?.getAttribute('aria-label') === 'Cancel transcription'`, 5_000);
    assert.equal((await resultOnServer(s, jobId)).status, 'queued', 'asking is not cancelling');

    // 2. Confirm: the page shows the cancelled state from the cancel's answer, every status read held meanwhile.
    await cancel.click();
    reads.hold(true);
    const answered = page.waitForResponse((r) => new URL(r.url()).pathname === `/api/upload-video/jobs/${jobId}/cancel` && r.request().method() === 'POST');
    await page.getByRole('button', { name: 'Stop transcription' }).click();
    assert.equal((await answered).status(), 200);
    const notice = page.getByRole('alert').filter({ has: page.getByRole('heading', { name: 'Transcription cancelled' }) });
    await notice.waitFor({ timeout: 10_000 });
    await waitForText(notice.locator('.notice-what'), (t) => t === 'You cancelled this transcription.', 'the cancelled explanation');
    await waitForText(notice.locator('.notice-code'), (t) => t === 'Error code: CANCELLED', 'the error code');
    assert.equal(await notice.getByRole('link', { name: 'Upload again' }).getAttribute('href'), '/');
    await waitForText(page.getByTestId('announcer'), (t) => t === 'Transcription cancelled.', 'the announcement');
    assert.equal(await page.getByRole('heading', { level: 1, name: 'Transcribing' }).count(), 0, 'the processing view is gone');
    const readsAfter = reads.count();
    reads.hold(false);

    // 3. The backend says the same.
    const result = await resultOnServer(s, jobId);
    assert.equal(result.status, 'failed');
    assert.equal(result.status === 'failed' ? result.error.code : null, 'CANCELLED');

    // 4. Polling stopped: the page polls about once a second while a job runs, so a few seconds without a read means it ended.
    await new Promise((r) => setTimeout(r, 3_000));
    assert.deepEqual(readsAfter, [], 'no status or result was read once the cancel was shown');

    // 5. A reload shows the same cancelled state, now read from the backend.
    await page.unroute(JOB_READS);
    await page.reload();
    await page.getByRole('heading', { name: 'Transcription cancelled' }).waitFor({ timeout: 10_000 });
    await waitForText(page.locator('.notice-what'), (t) => t === 'You cancelled this transcription.', 'the cancelled explanation after a reload');
  });
});

test('a live job in the recent jobs list is cancelled from the list, an ended one offers no Cancel', async () => {
  await inBrowser('cancel-recent', async (page, s) => {
    const ended = await startJobByApi(s, 'already-cancelled.mp4');
    const cancelled = await fetch(`${s.backendUrl}/api/upload-video/jobs/${ended}/cancel`, { method: 'POST' });
    assert.equal(cancelled.status, 200);
    const live = await startJobByApi(s, SECOND_FILE);

    await page.goto(`${s.backendUrl}/`);
    const recent = page.getByRole('region', { name: 'Recent jobs' });
    const row = recent.getByRole('listitem').filter({ hasText: SECOND_FILE });
    await waitForText(row, (t) => t.includes('Waiting'), 'the live job waiting in the list');
    const endedRow = recent.getByRole('listitem').filter({ hasText: 'already-cancelled.mp4' });
    await waitForText(endedRow, (t) => t.includes('Cancelled'), 'the ended job marked cancelled');
    assert.equal(await endedRow.getByRole('button', { name: /^Cancel/ }).count(), 0, 'an ended job offers no Cancel');
    assert.equal(await endedRow.getByRole('button', { name: 'Delete already-cancelled.mp4' }).count(), 1, 'it can still be deleted');

    await row.getByRole('button', { name: `Cancel the transcription of ${SECOND_FILE}` }).click();
    const ask = row.getByRole('group', { name: `Stop transcribing ${SECOND_FILE}? It cannot be resumed.` });
    await ask.getByRole('button', { name: 'Stop transcription' }).click();
    await waitForText(row, (t) => t.includes('Cancelled') && !t.includes('Waiting'), 'the row marked cancelled');
    await waitForText(page.getByTestId('announcer'), (t) => t === `The transcription of ${SECOND_FILE} was cancelled.`, 'the announcement');
    assert.equal(await row.getByRole('button', { name: /^Cancel/ }).count(), 0, 'Cancel is gone once the job ended');

    const result = await resultOnServer(s, live);
    assert.equal(result.status, 'failed');
    assert.equal(result.status === 'failed' ? result.error.code : null, 'CANCELLED');
  });
});
