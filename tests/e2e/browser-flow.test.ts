/**
 * The whole product through a real browser, as a person uses it: the web app
 * served by the backend, an upload through the file picker, live progress,
 * the transcript from whisper.cpp, a caption edit that autosaves and survives
 * a reload, and an SRT download. Also what a person sees when a file is
 * refused before upload and when transcription fails.
 *
 * Runs the real backend and ML processes (tests/helpers/stack.ts), the web
 * app built by Vite, and Debian's Chromium through playwright-core.
 * UPDATE_SCREENSHOTS=1 also copies the result page to docs/screenshots/.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page, Request, Route } from 'playwright-core';
import { CaptionDocument, JobResultResponse } from '@ecg/contracts';
import { REPO_ROOT, type Stack } from '../helpers/stack.js';
import { inWindow, launchChromium, waitForPage, waitForText } from '../helpers/browser.js';
import { startTranscribingSession } from '../helpers/transcribing-session.js';

const EDIT = 'ECG edited caption 한국어';
const JOB_PATH = /\/jobs\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const SRT_CUE_TIMING = /^\d{2}:\d{2}:\d{2},\d{3} --> \d{2}:\d{2}:\d{2},\d{3}$/m;
const RESULTS_DIR = join(REPO_ROOT, 'test-results');
const README_SCREENSHOT = join(REPO_ROOT, 'docs', 'screenshots', 'result-page.png');

let stack: Stack | undefined;
let browser: Browser | undefined;
let work: string;
let videoPath: string;

before(async () => {
  ({ work, videoPath, stack } = await startTranscribingSession('ecg-browser-'));
  browser = await launchChromium();
});

after(async () => {
  await browser?.close().catch(() => undefined);
  await stack?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

function running(): { stack: Stack; browser: Browser } {
  assert.ok(stack && browser, 'the stack and browser start in before()');
  return { stack, browser };
}

/** A fresh browser window for one test (inWindow: on failure, a screenshot and what the page and the services said). */
function inBrowser(name: string, fn: (page: Page) => Promise<void>): Promise<void> {
  const s = running();
  return inWindow(s.browser, name, s.stack.logs, fn);
}

/** Picks a file through the "Choose a file" button, as a person does, and not by poking the hidden input. */
async function chooseFile(page: Page, file: string | { name: string; mimeType: string; buffer: Buffer }): Promise<void> {
  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: /^Choose (a|another) file$/ }).click();
  await (await chooser).setFiles(file);
}

async function openStartPage(page: Page): Promise<void> {
  await page.goto(`${running().stack.backendUrl}/`);
  await page.getByRole('heading', { level: 1, name: 'Turn a video into captions' }).waitFor();
}

async function getJson(path: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${running().stack.backendUrl}${path}`);
  const text = await res.text();
  try {
    return { status: res.status, body: JSON.parse(text) };
  } catch {
    throw new Error(`GET ${path} answered ${res.status} with no JSON: ${text.slice(0, 300)}`);
  }
}

/** A few hundred KB that no demuxer recognises, always the same bytes so a failure reproduces. */
function noiseBytes(size: number): Buffer {
  const buf = Buffer.alloc(size);
  let x = 0x2545f491;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    buf[i] = x & 0xff;
  }
  return buf;
}

test('a person uploads a video, watches it transcribe, edits a caption that survives a reload, and downloads the SRT', async () => {
  await inBrowser('upload-edit-export', async (page) => {
    const { stack } = running();
    await openStartPage(page);

    // 1. Choose the file: its name and size are shown before anything is sent.
    await chooseFile(page, videoPath);
    const size = statSync(videoPath).size;
    const facts = page.locator('dl.file-facts');
    await waitForText(facts.locator('div', { has: page.getByText('File', { exact: true }) }).locator('dd'), (t) => t === 'jfk-speech.mp4', 'the chosen file name');
    const kb = String(Math.round(size / 1000));
    await waitForText(facts.locator('div', { has: page.getByText('Size', { exact: true }) }).locator('dd'), (t) => t.includes(kb) && /kB/.test(t), `the size (${size} bytes)`);

    // Saying the language is what the page recommends, and it keeps the random test
    // model from "detecting" a language written without spaces.
    await page.getByLabel('Spoken language').selectOption('en');

    // 2. Upload. The PUT to storage is held until the progress view has been seen, so
    // that check does not depend on how fast loopback is; the request itself is untouched.
    let releaseUpload!: () => void;
    const uploadHeld = new Promise<void>((r) => (releaseUpload = r));
    let putSeen: Request | undefined;
    await page.route('**/storage/**', async (route: Route) => {
      if (route.request().method() === 'PUT') {
        putSeen = route.request();
        await uploadHeld;
      }
      await route.continue();
    });
    await page.getByRole('button', { name: 'Upload and transcribe' }).click();
    const uploadBar = page.getByRole('progressbar', { name: 'Uploading' });
    await uploadBar.waitFor();
    await waitForText(page.locator('.upload-progress'), (t) => /\d+% uploaded/.test(t) && t.includes('Cancel upload'), 'the upload progress');
    assert.match((await uploadBar.getAttribute('aria-valuetext')) ?? '', /^\d+% uploaded$/);
    releaseUpload();

    // 3. Processing: the address becomes the job's link, the stage and percent show.
    await page.waitForURL(JOB_PATH, { timeout: 30_000 });
    await page.unroute('**/storage/**');
    assert.ok(putSeen, 'the file went to storage with a PUT');
    const jobId = new URL(page.url()).pathname.split('/').at(-1)!;
    await page.getByRole('heading', { level: 1, name: 'Transcribing' }).waitFor({ timeout: 20_000 });
    const jobBar = page.getByRole('progressbar', { name: 'Transcription progress' });
    const seen: number[] = [];
    const captions = page.getByRole('region', { name: 'Captions, in time order' });
    const firstRow = captions.getByRole('listitem').first();
    // Follow the bar until the editor replaces it.
    for (const until = Date.now() + 90_000; ; ) {
      if (await firstRow.isVisible()) break;
      const alert = page.getByRole('alert');
      if (await alert.first().isVisible()) assert.fail(`the page shows an error instead of the transcript: ${await alert.first().innerText()}\n${stack.logs()}`);
      const text = await jobBar.getAttribute('aria-valuetext', { timeout: 500 }).catch(() => null);
      if (text) {
        const m = /^(\d+)% — (.+)$/.exec(text);
        assert.ok(m, `progress reads "<percent>% — <stage>", got ${JSON.stringify(text)}`);
        seen.push(Number(m[1]));
      }
      assert.ok(Date.now() < until, `no transcript within 90 s; progress seen ${JSON.stringify(seen)}\n${stack.logs()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(seen.length > 0, 'the progress bar was shown while the job ran');
    assert.deepEqual(seen, [...seen].sort((a, b) => a - b), `progress never goes backwards: ${JSON.stringify(seen)}`);

    // 4. The transcript: file name as title, rows with times, the video playable.
    await page.getByRole('heading', { level: 1, name: 'jfk-speech.mp4' }).waitFor();
    const rows = await captions.getByRole('listitem').count();
    assert.ok(rows > 0, 'at least one caption');
    await waitForText(page.locator('.editor-title .hint'), (t) => t.startsWith(`${rows} caption`) && t.endsWith('· Original transcript'), 'the caption count');
    // Strings, not functions: they run in the page, and this repo's type check has no DOM library.
    await waitForPage(page, "(document.querySelector('video')?.readyState ?? 0) >= 1", 15_000);
    const videoSeconds = Number(await page.evaluate("document.querySelector('video').duration"));
    assert.ok(Math.abs(videoSeconds - 11) < 0.5, `the uploaded video plays in the editor (duration ${videoSeconds})`);

    // 5. Edit the first caption, see it saved, reload, see it again.
    await captions.getByRole('button', { name: /^Caption 1, / }).click();
    const textbox = page.getByRole('textbox', { name: 'Caption text' });
    await textbox.fill(EDIT);
    await textbox.press('Enter');
    await waitForText(page.getByTestId('save-status'), (t) => t === '✓ Saved', 'the saved state');
    await page.reload();
    await waitForText(firstRow, (t) => t.includes(EDIT), 'the edit after a reload', 30_000);
    await waitForText(page.locator('.editor-title .hint'), (t) => t.endsWith('· Edited'), 'the edited badge');
    const doc = await getJson(`/api/upload-video/result/${jobId}/captions`);
    assert.equal(doc.status, 200);
    const saved = CaptionDocument.parse(doc.body);
    assert.equal(saved.captions[0]?.text, EDIT);
    assert.equal(saved.edited, true);
    assert.ok(saved.version >= 1);

    // 6. Download the SRT; the backend's export gives the same file.
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Download as SRT' }).click();
    const file = await download;
    assert.equal(file.suggestedFilename(), 'jfk-speech.srt');
    const srt = readFileSync(await file.path(), 'utf8');
    assert.match(srt, /^1\r?\n/, 'cues are numbered from 1');
    assert.match(srt, SRT_CUE_TIMING);
    assert.ok(srt.includes(EDIT), `the SRT holds the edit:\n${srt.slice(0, 500)}`);
    assert.equal(srt.split(/\r?\n\r?\n/).filter((b) => b.trim()).length, saved.captions.length, 'one cue per caption');
    const exported = await fetch(`${stack.backendUrl}/api/upload-video/result/${jobId}/export?format=srt`);
    assert.equal(exported.status, 200);
    assert.match(exported.headers.get('content-disposition') ?? '', /^attachment;.*jfk-speech\.srt/);
    assert.equal(await exported.text(), srt, 'the browser download and the backend export are the same file');

    // 7. The result page as a picture: a CI artifact, and the README's when asked.
    await captions.getByRole('button', { name: /^Caption 1, / }).click(); // open the first caption's editing form
    await textbox.waitFor();
    await textbox.blur();
    mkdirSync(RESULTS_DIR, { recursive: true });
    const shot = join(RESULTS_DIR, 'result-page.png');
    await page.screenshot({ path: shot });
    assert.deepEqual([...readFileSync(shot).subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'a PNG was written');
    if (process.env.UPDATE_SCREENSHOTS === '1') {
      mkdirSync(join(README_SCREENSHOT, '..'), { recursive: true });
      copyFileSync(shot, README_SCREENSHOT);
    }
  });
});

test('a file that is not video or audio is refused on the page and never uploaded', async () => {
  await inBrowser('refused-type', async (page) => {
    const uploads: string[] = [];
    page.on('request', (r) => {
      const path = new URL(r.url()).pathname;
      if (/\/(generate-url|request-process)$/.test(path) || path.startsWith('/storage/')) uploads.push(`${r.method()} ${path}`);
    });
    await openStartPage(page);
    for (const file of [
      { name: 'setup.exe', mimeType: 'application/x-msdownload', buffer: Buffer.from('MZ\x90\x00 not a video') },
      { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello, not a video\n') },
    ]) {
      await chooseFile(page, file);
      await waitForText(
        page.getByRole('alert'),
        (t) => t === `“${file.name}” is not a video or audio file we can read (${file.mimeType}).`,
        `the refusal of ${file.name}`,
      );
      assert.equal(await page.getByRole('button', { name: 'Upload and transcribe' }).count(), 0, 'no way to start an upload');
      assert.equal(await page.locator('dl.file-facts').count(), 0, 'the refused file is not shown as chosen');
    }
    assert.deepEqual(uploads, [], 'no upload URL was asked for, nothing was stored, no job was started');
  });
});

const FAILURE_TEXT: Record<string, string> = {
  UNSUPPORTED_MEDIA: 'The file is not a format we can decode.',
  MEDIA_DECODE_ERROR: 'The file seems damaged and could not be decoded.',
};

test('a job the ML service cannot decode ends on the page with the reason and the error code', async () => {
  await inBrowser('failed-job', async (page) => {
    const broken = join(work, 'broken-video.mp4');
    writeFileSync(broken, noiseBytes(200_000));
    await openStartPage(page);
    await chooseFile(page, broken);
    await page.getByRole('button', { name: 'Upload and transcribe' }).click();
    await page.waitForURL(JOB_PATH, { timeout: 30_000 });
    const jobId = new URL(page.url()).pathname.split('/').at(-1)!;

    await page.getByRole('heading', { name: 'Transcription failed' }).waitFor({ timeout: 60_000 });
    const notice = page.getByRole('alert').filter({ hasText: 'Transcription failed' });
    const codeLine = await waitForText(notice.locator('.notice-code'), (t) => t.startsWith('Error code: '), 'the error code');
    const code = codeLine.slice('Error code: '.length);
    assert.ok(code in FAILURE_TEXT, `a decode failure, got ${code}`);
    await waitForText(notice.locator('.notice-what'), (t) => t === FAILURE_TEXT[code], `the explanation of ${code}`);
    assert.equal(await notice.getByRole('link', { name: 'Upload again' }).getAttribute('href'), '/');

    // The page says what the backend recorded.
    const result = await getJson(`/api/upload-video/result/${jobId}`);
    const body = JobResultResponse.parse(result.body);
    assert.equal(body.status, 'failed');
    assert.equal(body.status === 'failed' ? body.error.code : null, code);
  });
});
