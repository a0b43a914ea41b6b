/**
 * The editor's caption rules through a real browser: a caption that reads
 * too fast shows its warning in its row and in the QC list, the list jumps
 * to it; re-flowing under another profile changes the layout as one step
 * that Ctrl+Z takes back; a Shift+Enter line break survives a reload and
 * reaches the SRT download. Shot changes and shot thumbnails are drawn
 * over the waveform.
 *
 * The job is real (uploaded through the page, stored, served by the real
 * backend) but its transcript is not whisper's: the random-weight test model
 * writes gibberish, and this test needs known words at known speeds. So the
 * backend is started with an ML URL nothing listens on (the job stays
 * queued) and the test delivers the result itself through the signed
 * callback, exactly as the ML service would. No mocks in the browser.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { TranscriptResult, TranscriptSegment } from '@ecg/contracts';
import { deliverSignedResult } from '../helpers/stack.js';
import { waitForPage, waitForText } from '../helpers/browser.js';
import { captionsOnServer, RESULTS_DIR, savedOnServer, deliveredResultSuite } from '../helpers/delivered-result-session.js';

const run = promisify(execFile);
const CALLBACK_SECRET = 'caption-qc-browser-test-secret';
const JOB_PATH = /\/jobs\/[0-9a-f-]{36}$/;
/** Three shots of four seconds each: red, blue, green. */
const SHOTS = [0, 4, 8];
const FPS = 25;

let videoPath: string;
let spriteBase64: string;

/** A 12 s, 25 fps video of three coloured shots over a quiet tone, and one 160x90 thumbnail per shot tiled 3x1. */
async function makeMedia(dir: string): Promise<void> {
  videoPath = join(dir, 'three-shots.mp4');
  const sprite = join(dir, 'sprite.jpg');
  const shot = (c: string) => ['-f', 'lavfi', '-i', `color=c=${c}:s=320x180:r=${FPS}:d=4`];
  // prettier-ignore
  await run('ffmpeg', [
    '-hide_banner', '-loglevel', 'error', '-y',
    ...shot('red'), ...shot('blue'), ...shot('green'),
    '-f', 'lavfi', '-i', 'sine=frequency=220:duration=12:sample_rate=16000',
    '-filter_complex', '[0:v][1:v][2:v]concat=n=3:v=1:a=0[v]',
    '-map', '[v]', '-map', '3:a',
    '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-b:a', '64k', '-movflags', '+faststart',
    videoPath,
  ]);
  // prettier-ignore
  await run('ffmpeg', [
    '-hide_banner', '-loglevel', 'error', '-y', '-i', videoPath,
    '-vf', `select='eq(n\\,5)+eq(n\\,105)+eq(n\\,205)',scale=160:90,tile=3x1`,
    '-frames:v', '1', '-q:v', '5', sprite,
  ]);
  spriteBase64 = readFileSync(sprite).toString('base64');
}

/** A segment whose words share its span evenly, as a transcript's would (the layout engine re-cuts them). */
function segment(id: number, start: number, end: number, text: string): TranscriptSegment {
  const tokens = text.split(' ');
  const step = (end - start) / tokens.length;
  const round = (t: number) => Math.round(t * 1000) / 1000;
  return {
    id,
    start,
    end,
    text: ` ${text}`,
    words: tokens.map((w, i) => ({ word: ` ${w}`, start: round(start + i * step), end: round(start + (i + 1) * step), probability: 0.9 })),
  };
}

/** 66 characters in 1.2 s: 55 a second, where English allows 20. */
const FAST = 'Then everything happened at once, faster than anyone could follow.';

const RESULT: TranscriptResult = {
  text: '',
  language: 'en',
  duration: 12,
  segments: [
    segment(0, 0.5, 3.2, 'Good evening, and welcome to the show.'),
    segment(1, 4.3, 5.5, FAST),
    segment(2, 8.4, 11.4, 'And then it was quiet again, for a while.'),
  ],
  video: { fps: FPS, width: 320, height: 180, shot_changes: SHOTS.slice(1) },
};






const collapse = (t: string) => t.replace(/\s+/g, ' ').trim();

const { inBrowser } = deliveredResultSuite('ecg-caption-qc-', CALLBACK_SECRET, makeMedia);

test('a too-fast caption is flagged and found from the QC list; a re-flow is one undoable step; a line break survives reload and export', async () => {
  await inBrowser('caption-qc', async (page, s) => {
    // 1. Upload through the page, choosing the caption style; the job waits for its result.
    await page.goto(`${s.backendUrl}/`);
    const chooser = page.waitForEvent('filechooser');
    await page.getByRole('button', { name: 'Choose a file' }).click();
    await (await chooser).setFiles(videoPath);
    await page.getByLabel('Spoken language').selectOption('en');
    await page.getByLabel('Caption style').selectOption({ label: 'English (Netflix, 42 per line)' });
    assert.equal(await page.getByLabel('Vertical video (9:16)').isChecked(), false);
    await page.getByRole('button', { name: 'Upload and transcribe' }).click();
    await page.waitForURL(JOB_PATH, { timeout: 30_000 });
    const jobId = new URL(page.url()).pathname.split('/').at(-1)!;
    await page.getByRole('heading', { level: 1, name: 'Transcribing' }).waitFor({ timeout: 20_000 });
    await deliverSignedResult(s.backendUrl, CALLBACK_SECRET, {
      job_id: jobId,
      result: RESULT,
      thumbnails: { width: 160, height: 90, columns: 3, times: SHOTS, jpeg_base64: spriteBase64 },
    });

    // 2. The editor, laid out by the profile the upload form asked for.
    const list = page.getByRole('region', { name: 'Captions, in time order' });
    const rows = list.getByRole('listitem');
    await rows.first().waitFor({ timeout: 30_000 });
    const first = await captionsOnServer(s, jobId);
    assert.deepEqual(first.layout, { profile: 'en' }, 'request-process got the picked profile');
    assert.equal(first.profile?.max_chars_per_line, 42);
    await waitForPage(page, "(document.querySelector('video')?.readyState ?? 0) >= 1", 15_000);

    // 3. The fast caption shows its figures and its warning, in words and with the sign.
    const fastRow = rows.filter({ hasText: 'Then everything' }).first();
    const warning = await waitForText(fastRow.getByTestId('caption-warnings'), (t) => t.includes('Reads too fast'), 'the too-fast warning in its row');
    assert.match(warning, /Warning: Reads too fast: \d+ characters a second \(limit 20\)/);
    assert.equal(await fastRow.locator('.cap-warning .warn-icon').count() > 0, true, 'an icon beside the text');
    const measure = fastRow.getByTestId('caption-measure');
    await waitForText(measure.locator('[aria-hidden="true"]').last(), (t) => /^\d+\/20 cps · line \d+(\.\d)?\/42$/.test(t), 'the row’s figures');
    await waitForText(measure.locator('.sr-only'), (t) => /^Reading speed \d+ characters a second, limit 20; longest line \d+ characters, limit 42$/.test(t), 'the figures in words');
    const slowRow = rows.filter({ hasText: 'quiet again' }).first();
    assert.equal(await slowRow.getByTestId('caption-warnings').count(), 0, 'a caption within the rules has no warning');
    const fastId = (await fastRow.getAttribute('data-caption-id'))!;
    const rowIds = await Promise.all((await rows.all()).map((r) => r.getAttribute('data-caption-id')));
    const fastNumber = rowIds.indexOf(fastId) + 1;

    // 4. The QC list has it; choosing the entry plays the caption and focuses its text.
    const qc = page.getByTestId('qc-panel');
    await waitForText(qc.getByRole('status'), (t) => /^\d+ warnings?$/.test(t), 'the warning count');
    const entry = qc.getByRole('button', { name: new RegExp(`^Caption ${fastNumber} .*Reads too fast`) }).first();
    await entry.click();
    const startOnServer = first.captions.find((c) => c.id === fastId)!.start;
    await waitForPage(
      page,
      `(() => { const a = document.activeElement; return a?.tagName === 'TEXTAREA' && a.closest('li')?.dataset.captionId === ${JSON.stringify(fastId)}; })()`,
      5000,
    );
    const playhead = Number(await page.evaluate("document.querySelector('video').currentTime"));
    assert.ok(Math.abs(playhead - startOnServer) < 0.05, `the video went to the caption (${playhead} vs ${startOnServer})`);

    // 5. Shot changes and thumbnails over the waveform.
    await waitForText(page.getByTestId('shot-legend'), (t) => t === 'Shot changes (2)', 'the shot-change legend');
    assert.equal(await page.getByTestId('thumbnail-strip').locator('.thumb').count(), 3, 'one thumbnail per shot in view');
    // The editor with its warnings as a picture: a CI artifact to look at.
    mkdirSync(RESULTS_DIR, { recursive: true });
    await page.screenshot({ path: join(RESULTS_DIR, 'caption-qc.png'), fullPage: true });

    // 6. Re-flow for vertical video: the layout changes, as one saved step.
    await fastRow.getByRole('button', { name: /^Caption \d+, / }).click(); // close the form
    const texts = async () => (await list.locator('li .cap-text').allInnerTexts()).map(collapse);
    const before = await texts();
    assert.deepEqual(before, first.captions.map((c) => collapse(c.text)));
    await qc.getByLabel('Vertical video (9:16)').check();
    await waitForText(qc.locator('.reflow .hint'), (t) => t.startsWith('18 characters a line'), 'the vertical figures');
    await qc.getByRole('button', { name: 'Re-flow captions' }).click();
    await waitForText(qc, (t) => t.includes('Measured against English (Netflix, 42 per line), vertical video'), 'the new profile');
    const reflowed = await captionsOnServer(s, jobId);
    assert.equal(reflowed.version, first.version + 1, 'the re-flow is saved as a new version');
    assert.deepEqual(reflowed.layout, { profile: 'en', vertical: true });
    const after = await texts();
    assert.notDeepEqual(after, before, 'the layout changed');
    assert.deepEqual(after, reflowed.captions.map((c) => collapse(c.text)));
    assert.ok(reflowed.captions.every((c) => c.text.split('\n').every((line) => line.length <= 18 || !line.includes(' '))), 'vertical lines');

    // 7. Ctrl+Z brings the previous layout back, and autosave keeps it.
    await page.locator('h1').click(); // focus out of any field: there Ctrl+Z would undo typing
    await page.keyboard.press('Control+z');
    for (const until = Date.now() + 5000; JSON.stringify(await texts()) !== JSON.stringify(before); ) {
      assert.ok(Date.now() < until, `undo brought the previous layout back: ${JSON.stringify(await texts())}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const undone = await savedOnServer(s, jobId, (d) => d.version > reflowed.version, 'the undone layout');
    assert.equal(undone.version, reflowed.version + 1, 'autosave saved the undo as the next version');
    assert.deepEqual(undone.captions.map((c) => collapse(c.text)), before);
    assert.deepEqual(undone.layout, first.layout ?? {}, 'the profile went back with the captions');
    await waitForText(qc, (t) => t.includes('Measured against English (Netflix, 42 per line)') && !t.includes('vertical video'), 'the previous profile');
    await waitForText(page.getByTestId('save-status'), (t) => t === '✓ Saved', 'the undo saved');

    // 8. Shift+Enter breaks a line; it survives a reload and reaches the SRT.
    await rows.first().getByRole('button', { name: /^Caption 1, / }).click();
    const textbox = page.getByRole('textbox', { name: 'Caption text' });
    await textbox.fill('Good evening,');
    await textbox.press('End');
    await textbox.press('Shift+Enter');
    await textbox.pressSequentially('and welcome to the show.');
    assert.equal(await textbox.inputValue(), 'Good evening,\nand welcome to the show.', 'Shift+Enter inserted a line break, Enter was not pressed');
    await textbox.press('Enter');
    await savedOnServer(s, jobId, (d) => d.captions[0]?.text === 'Good evening,\nand welcome to the show.', 'the line break');
    await waitForText(page.getByTestId('save-status'), (t) => t === '✓ Saved', 'the line break saved');
    await page.reload();
    const firstLines = list.getByRole('listitem').first().locator('.cap-line');
    await firstLines.first().waitFor({ timeout: 30_000 });
    assert.deepEqual((await firstLines.allInnerTexts()).map(collapse), ['Good evening,', 'and welcome to the show.']);
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Download as SRT' }).click();
    const srt = readFileSync(await (await download).path(), 'utf8');
    assert.match(srt, /^1\r?\n[\d:,]+ --> [\d:,]+\r?\nGood evening,\r?\nand welcome to the show\.\r?\n/, `the SRT keeps the line break:\n${srt.slice(0, 300)}`);
  });
});
