/**
 * Speakers through a real browser (issue 10): the upload form asks for a
 * number of speakers; the editor shows each caption's speakers as chips
 * named Speaker 1…3; renaming one (to Korean letters) renames every caption
 * of theirs at once; a caption is given to another speaker, and the words
 * from the cursor on in another to a new speaker; undo and redo take the
 * last step back and forth; the filter shows one speaker's captions; all of
 * it is saved, survives a reload, and reaches every export. Last, one speaker
 * is merged into another from the speakers panel (the filter on it follows
 * to the target), undone, redone, saved and reloaded. The panel gives each
 * speaker's talk time, and Alt+digit gives the open caption to a speaker.
 *
 * UPDATE_SCREENSHOTS=1 also copies the editor's screenshot to
 * docs/screenshots/speakers.png (the README's).
 *
 * As in caption-qc-browser.test.ts the job is real but its result is not
 * the test model's: the backend's ML URL leads nowhere and the test
 * delivers a transcript with known words, speakers and diarization through
 * the signed callback, exactly as the ML service would. No mocks in the
 * browser.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Locator } from 'playwright-core';
import type { Caption, TranscriptResult, TranscriptSegment } from '@ecg/contracts';
import { deliverSignedResult, REPO_ROOT, type Stack } from '../helpers/stack.js';
import { waitForPage, waitForText } from '../helpers/browser.js';
import { captionsOnServer, RESULTS_DIR, savedOnServer, deliveredResultSuite } from '../helpers/delivered-result-session.js';

const run = promisify(execFile);
const CALLBACK_SECRET = 'speakers-browser-test-secret';
const JOB_PATH = /\/jobs\/[0-9a-f-]{36}$/;

const A = 'SPEAKER_00';
const B = 'SPEAKER_01';
const C = 'SPEAKER_02';
/** The speaker the test makes from the cursor: the fourth id. */
const D = 'SPEAKER_03';
const RENAMED = '김민수';
const README_SCREENSHOT = join(REPO_ROOT, 'docs', 'screenshots', 'speakers.png');

let videoPath: string;

/** 12 s of a grey picture over a quiet tone: the player needs media, the test's words come from the transcript. */
async function makeMedia(dir: string): Promise<void> {
  videoPath = join(dir, 'interview.mp4');
  // prettier-ignore
  await run('ffmpeg', [
    '-hide_banner', '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', 'color=c=gray:s=320x180:r=25:d=12',
    '-f', 'lavfi', '-i', 'sine=frequency=220:duration=12:sample_rate=16000',
    '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-b:a', '64k', '-movflags', '+faststart', '-shortest',
    videoPath,
  ]);
}

/**
 * A segment whose words share its span evenly, each spoken by `who[k]` (the
 * last one given for the rest), the segment by its first word's speaker.
 */
function segment(id: number, start: number, end: number, text: string, who: readonly string[]): TranscriptSegment {
  const tokens = text.split(' ');
  const step = (end - start) / tokens.length;
  const round = (t: number) => Math.round(t * 1000) / 1000;
  return {
    id,
    start,
    end,
    text: ` ${text}`,
    speaker: who[0]!,
    words: tokens.map((w, i) => ({
      word: ` ${w}`,
      start: round(start + i * step),
      end: round(start + (i + 1) * step),
      probability: 0.9,
      speaker: who[Math.min(i, who.length - 1)]!,
    })),
  };
}

/** Three speakers; the second segment changes speaker midway (B says four words, then C answers), as Whisper does not cut at a new voice. */
const RESULT: TranscriptResult = {
  text: '',
  language: 'en',
  duration: 12,
  segments: [
    segment(0, 0.5, 3.0, 'Good evening and welcome to the show.', [A]),
    segment(1, 3.6, 6.0, 'Glad to be here. Me too, thanks.', [B, B, B, B, C]),
    segment(2, 7.0, 8.8, 'So tell us about the new film.', [C]),
    segment(3, 9.3, 11.5, 'It opens next week in cinemas everywhere.', [A]),
  ],
  diarization: {
    speakers: [
      { id: A, seconds: 4.7 },
      { id: B, seconds: 1.5 },
      { id: C, seconds: 2.7 },
    ],
    turns: [
      { start: 0.5, end: 3.0, speaker: A },
      { start: 3.6, end: 5.1, speaker: B },
      { start: 5.1, end: 6.0, speaker: C },
      { start: 7.0, end: 8.8, speaker: C },
      { start: 9.3, end: 11.5, speaker: A },
    ],
    method: 'hand-written for this test',
  },
};






async function exported(s: Stack, jobId: string, query: string): Promise<string> {
  const res = await fetch(`${s.backendUrl}/api/upload-video/result/${jobId}/export?${query}`);
  assert.equal(res.status, 200, `export ${query}`);
  return res.text();
}

/** Every speaker a caption mentions, opener first (as the chip lists them). */
function speakersOf(c: Caption): string[] {
  return [...new Set([c.speaker, ...c.words.map((w) => w.speaker ?? c.speaker)].filter((s): s is string => s !== undefined))];
}

/** The names a row's speaker chip gives, read from its accessible name ("Speaker of caption 3: Ana, Ben. Change the speaker"). */
async function chipNames(row: Locator): Promise<string[]> {
  const label = (await row.getByTestId('speaker-chip').getAttribute('aria-label', { timeout: 2000 })) ?? '';
  const m = /^Speaker of caption \d+: (.*)\. Change the speaker$/.exec(label);
  assert.ok(m, `a speaker chip label: ${JSON.stringify(label)}`);
  return m[1]!.split(', ');
}

async function waitForChip(row: Locator, expected: readonly string[], what: string): Promise<void> {
  const until = Date.now() + 10_000;
  let last: string[] = [];
  for (;;) {
    last = await chipNames(row).catch(() => last);
    if (JSON.stringify(last) === JSON.stringify(expected)) return;
    assert.ok(Date.now() < until, `${what}: the chip names ${JSON.stringify(last)}, not ${JSON.stringify(expected)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const NAMES: Record<string, string> = { [A]: 'Speaker 1', [B]: 'Speaker 2', [C]: 'Speaker 3', [D]: 'Speaker 4' };

const { inBrowser } = deliveredResultSuite('ecg-speakers-', CALLBACK_SECRET, makeMedia);

test('speakers: chips, a rename everywhere, reassigning a caption and the words from the cursor on, undo/redo, the filter, reload, exports and a merge', async () => {
  await inBrowser('speakers', async (page, s) => {
    // 1. Upload through the page, saying three people speak.
    await page.goto(`${s.backendUrl}/`);
    const chooser = page.waitForEvent('filechooser');
    await page.getByRole('button', { name: 'Choose a file' }).click();
    await (await chooser).setFiles(videoPath);
    await page.getByLabel('Spoken language').selectOption('en');
    assert.equal(await page.getByLabel('Number of speakers').inputValue(), 'auto', 'auto by default');
    await page.getByLabel('Number of speakers').selectOption('3');
    const requested = page.waitForRequest((r) => r.url().endsWith('/api/upload-video/request-process') && r.method() === 'POST');
    await page.getByRole('button', { name: 'Upload and transcribe' }).click();
    assert.equal((await requested).postDataJSON().num_speakers, 3, 'request-process got the number of speakers');
    await page.waitForURL(JOB_PATH, { timeout: 30_000 });
    const jobId = new URL(page.url()).pathname.split('/').at(-1)!;
    await page.getByRole('heading', { level: 1, name: 'Transcribing' }).waitFor({ timeout: 20_000 });
    await deliverSignedResult(s.backendUrl, CALLBACK_SECRET, { job_id: jobId, result: RESULT });

    // 2. The editor: every caption's chip names its speakers Speaker 1…3, in order of first speech.
    const list = page.getByRole('region', { name: 'Captions, in time order' });
    const rows = list.getByRole('listitem');
    await rows.first().waitFor({ timeout: 30_000 });
    const first = await captionsOnServer(s, jobId);
    assert.deepEqual(first.speakers, [
      { id: A, name: 'Speaker 1' },
      { id: B, name: 'Speaker 2' },
      { id: C, name: 'Speaker 3' },
    ]);
    const rowOf = (id: string) => list.locator(`li[data-caption-id="${id}"]`);
    for (const c of first.captions) {
      await waitForChip(rowOf(c.id), speakersOf(c).map((id) => NAMES[id]!), `caption ${c.id} at first`);
    }
    const mentioned = new Set(first.captions.flatMap(speakersOf));
    assert.deepEqual([...mentioned].sort(), [A, B, C], 'all three speakers are on captions');
    // The segment that changes speaker midway is not one speaker's caption any more.
    const midway = first.captions.filter((c) => c.text.includes('Glad') || c.text.includes('Me too'));
    assert.ok(midway.some((c) => speakersOf(c).includes(B)) && midway.some((c) => speakersOf(c).includes(C)), 'the mid-segment change of speaker is kept');
    const panel = page.getByTestId('speakers-panel');
    await waitForText(panel.locator('li').first(), (t) => t.includes('captions') || t.includes('caption'), 'a caption count in the speakers panel');
    // Talk time, the sum of each speaker's word durations: A 2.5 + 2.2 s, B four of seven words in 2.4 s, C three of them and 1.8 s.
    const talk = (id: string) => panel.locator(`li[data-speaker-id="${id}"]`).getByTestId('speaker-count');
    for (const [id, time] of [[A, '5 sec'], [B, '1 sec'], [C, '3 sec']] as const) {
      await waitForText(talk(id), (t) => new RegExp(`^\\d+ captions? · ${time} spoken$`).test(t), `${NAMES[id]}'s talk time`);
    }

    // 3. Rename Speaker 1 to Korean letters: every caption of theirs shows the name at once.
    const nameField = panel.getByLabel('Name of speaker 1');
    assert.equal(await nameField.inputValue(), 'Speaker 1');
    await nameField.fill(RENAMED);
    await nameField.press('Enter');
    const ofA = first.captions.filter((c) => speakersOf(c).includes(A));
    assert.ok(ofA.length >= 2, 'Speaker 1 has more than one caption');
    for (const c of ofA) await waitForChip(rowOf(c.id), speakersOf(c).map((id) => (id === A ? RENAMED : NAMES[id]!)), `caption ${c.id} after the rename`);
    assert.equal(await list.getByText('Speaker 1', { exact: false }).count(), 0, 'no caption names Speaker 1 any more');

    // 4. Give Speaker 3's own caption to Speaker 2 through its chip's menu, with the keyboard.
    const reassigned = first.captions.find((c) => c.text.includes('tell us'))!;
    assert.deepEqual(speakersOf(reassigned), [C]);
    const chip = rowOf(reassigned.id).getByTestId('speaker-chip');
    await chip.focus();
    await page.keyboard.press('Enter');
    const menu = page.getByRole('menu');
    await menu.waitFor();
    assert.equal(await chip.getAttribute('aria-expanded'), 'true');
    const toB = menu.getByRole('menuitem', { name: 'Caption to Speaker 2' });
    for (let i = 0; i < 8 && !(await toB.evaluate((el) => el === el.ownerDocument.activeElement)); i++) await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await waitForChip(rowOf(reassigned.id), ['Speaker 2'], 'the reassigned caption');
    assert.equal(await page.getByRole('menu').count(), 0, 'the menu closed');
    assert.equal(await chip.evaluate((el) => el === el.ownerDocument.activeElement), true, 'focus went back to the chip');

    // 5. In Speaker 1's last caption, give the words from the cursor on to a new speaker.
    const split = [...ofA].reverse().find((c) => c.text.includes('next week'))!;
    assert.ok(split && !split.text.includes('\n'), `a one-line caption to reassign from the cursor: ${JSON.stringify(split)}`);
    const at = split.text.indexOf('next');
    await rowOf(split.id).getByRole('button', { name: /^Caption \d+, / }).click();
    const textbox = rowOf(split.id).getByRole('textbox', { name: 'Caption text' });
    await textbox.press('Control+Home');
    for (let i = 0; i < at; i++) await textbox.press('ArrowRight');
    assert.equal(await textbox.evaluate((el) => (el as unknown as { selectionStart: number }).selectionStart), at, 'the cursor before "next"');
    await rowOf(split.id).getByTestId('speaker-chip').click();
    await page.getByRole('menuitem', { name: 'From the cursor on to New speaker (Speaker 4)' }).click();
    await waitForChip(rowOf(split.id), [RENAMED, 'Speaker 4'], 'the caption reassigned from the cursor');
    await rowOf(split.id).getByRole('button', { name: /^Caption \d+, / }).click(); // close the form
    const lineSpeakers = () => rowOf(split.id).locator('.cap-line-speaker').allInnerTexts();
    const lines = () => rowOf(split.id).locator('.cap-line').allInnerTexts();
    await waitForText(rowOf(split.id).locator('.cap-text'), (t) => t.includes('Speaker 4:'), 'each line names its speaker');
    assert.deepEqual((await lineSpeakers()).map((t) => t.trim()), [`${RENAMED}:`, 'Speaker 4:']);
    assert.deepEqual((await lines()).map((t) => t.replace(/\s+/g, ' ').trim()), [`${RENAMED}: ${split.text.slice(0, at).trim()}`, `Speaker 4: ${split.text.slice(at)}`]);
    await waitForText(panel, (t) => t.includes('Speaker 4'), 'the new speaker in the panel');

    // 6. Undo takes the last step back, redo brings it again.
    await page.locator('h1').click(); // out of any field: there Ctrl+Z undoes typing
    await page.keyboard.press('Control+z');
    await waitForChip(rowOf(split.id), [RENAMED], 'undone');
    assert.equal(await rowOf(split.id).locator('.cap-line-speaker').count(), 0, 'one speaker again: no line names');
    await waitForChip(rowOf(reassigned.id), ['Speaker 2'], 'the step before stays');
    await page.keyboard.press('Control+Shift+z');
    await waitForChip(rowOf(split.id), [RENAMED, 'Speaker 4'], 'redone');

    // 7. The filter shows only Speaker 2's captions: hidden, not deleted.
    const total = await rows.count();
    await panel.getByLabel('Show captions of').selectOption({ label: 'Speaker 2' });
    await waitForText(panel.getByRole('status'), (t) => /^Showing \d+ of \d+ captions\.$/.test(t), 'how many are shown');
    const shownIds = await Promise.all((await rows.all()).map((r) => r.getAttribute('data-caption-id')));
    for (const row of await rows.all()) assert.ok((await chipNames(row)).includes('Speaker 2'), 'a shown caption is Speaker 2’s');
    assert.ok(shownIds.includes(reassigned.id), 'the caption given to Speaker 2 shows under Speaker 2');
    assert.ok(shownIds.length < total, 'the others are hidden');
    assert.equal(await list.locator('li[data-caption-id]').count(), total, 'the hidden ones are still in the list');
    assert.equal(await panel.getByRole('button', { name: 'Only Speaker 2' }).getAttribute('aria-pressed'), 'true');
    await panel.getByLabel('Show captions of').selectOption({ label: 'All speakers' });
    await waitForPage(page, `document.querySelectorAll('li[data-caption-id]:not([hidden])').length === ${total}`, 5000);

    // 8. The preview colours the playing caption by speaker (three speakers, so colours).
    await waitForPage(page, "(document.querySelector('video')?.readyState ?? 0) >= 1", 15_000);
    await rowOf(reassigned.id).getByRole('button', { name: /^Caption \d+, / }).click();
    const overlay = page.getByTestId('expressive-overlay');
    await waitForText(overlay, (t) => t.startsWith(reassigned.text.split(/\s+/).slice(0, 3).join(' ')), 'the reassigned caption over the video');
    assert.equal(await overlay.locator('.xw.has-speaker').count(), reassigned.words.length, 'every word takes its speaker’s colour');
    const tint = await page.evaluate("getComputedStyle(document.querySelector('[data-testid=\"expressive-overlay\"] .xw')).getPropertyValue('--speaker').trim()");
    assert.equal(tint, '#4696c3', 'Speaker 2’s colour (the second in the list)');

    // 8b. Alt+digit gives the open caption to a speaker (Alt+3: Speaker 3), also from its text field; Alt+2 gives it back.
    assert.match(await page.getByTestId('shortcuts').innerText(), /Alt\+1…9 give it to speaker 1…9, Alt\+0 to a new speaker/);
    const announcer = page.getByTestId('announcer');
    await page.keyboard.press('Alt+3');
    await waitForChip(rowOf(reassigned.id), ['Speaker 3'], 'the caption given to Speaker 3 with Alt+3');
    await waitForText(announcer, (t) => /^Caption \d+ is now spoken by Speaker 3\.$/.test(t), 'the reassignment announced');
    await waitForText(talk(C), (t) => t.endsWith('· 3 sec spoken'), 'Speaker 3 talks for as long as before: the caption was theirs at first');
    await rowOf(reassigned.id).getByRole('textbox', { name: 'Caption text' }).focus();
    await page.keyboard.press('Alt+2');
    await waitForChip(rowOf(reassigned.id), ['Speaker 2'], 'given back to Speaker 2 with Alt+2, from the text field');
    assert.equal(await rowOf(reassigned.id).getByRole('textbox', { name: 'Caption text' }).inputValue(), reassigned.text, 'Alt+2 typed nothing');
    await page.keyboard.press('Alt+7');
    await waitForText(announcer, (t) => t.startsWith('There is no speaker 7.'), 'a digit past the list is refused aloud');
    await waitForChip(rowOf(reassigned.id), ['Speaker 2'], 'Alt+7 changed nothing');

    // The README's picture: chips, the speakers panel with talk times, the open caption and the coloured preview.
    mkdirSync(RESULTS_DIR, { recursive: true });
    const shot = join(RESULTS_DIR, 'speakers.png');
    await page.screenshot({ path: shot, fullPage: true });
    if (process.env.UPDATE_SCREENSHOTS === '1') {
      mkdirSync(join(README_SCREENSHOT, '..'), { recursive: true });
      copyFileSync(shot, README_SCREENSHOT);
    }
    await rowOf(reassigned.id).getByRole('button', { name: /^Caption \d+, / }).click(); // close the form

    // 9. Saved: the names and the assignments are on the server, and survive a reload.
    const saved = await savedOnServer(
      s,
      jobId,
      (d) =>
        d.speakers?.find((x) => x.id === A)?.name === RENAMED &&
        d.speakers.some((x) => x.id === D) &&
        d.captions.find((c) => c.id === reassigned.id)?.speaker === B &&
        d.captions.some((c) => c.words.some((w) => w.speaker === D)),
      'the rename and both reassignments',
    );
    assert.deepEqual(saved.speakers, [
      { id: A, name: RENAMED },
      { id: B, name: 'Speaker 2' },
      { id: C, name: 'Speaker 3' },
      { id: D, name: 'Speaker 4' },
    ]);
    const splitSaved = saved.captions.find((c) => c.id === split.id)!;
    assert.equal(splitSaved.text, `${split.text.slice(0, at).trim()}\n${split.text.slice(at)}`, 'a line break before the new speaker’s words');
    assert.deepEqual(splitSaved.words.map((w) => w.speaker), splitSaved.words.map((_, k) => (k < 2 ? A : D)));
    await waitForText(page.getByTestId('save-status'), (t) => t === '✓ Saved', 'the edits saved');
    await page.reload();
    await rows.first().waitFor({ timeout: 30_000 });
    for (const c of saved.captions) {
      await waitForChip(rowOf(c.id), speakersOf(c).map((id) => (id === A ? RENAMED : NAMES[id]!)), `caption ${c.id} after reload`);
    }
    assert.equal(await page.getByTestId('speakers-panel').getByLabel('Name of speaker 1').inputValue(), RENAMED);

    // 10. Every export writes the edited names and assignments.
    const srt = await exported(s, jobId, 'format=srt');
    // English: the Netflix English guide's hyphen without a space.
    assert.match(srt, /\n-It opens\r?\n-next week in cinemas everywhere\.\r?\n/, `the two-speaker caption takes dashes in SRT:\n${srt}`);
    assert.doesNotMatch(srt, /김민수:/, 'no names in SRT unless asked');
    const vtt = await exported(s, jobId, 'format=vtt');
    assert.match(vtt, /<v 김민수>Good evening/, `voice spans carry the new name:\n${vtt}`);
    assert.match(vtt, /-<v Speaker 4>next week in cinemas everywhere\.<\/v>/);
    assert.ok(vtt.includes(`<v Speaker 2>${reassigned.text.split('\n')[0]}`), 'the reassigned caption is Speaker 2’s');
    const txt = await exported(s, jobId, 'format=txt&speaker_names=true');
    assert.match(txt, /^김민수: Good evening/m, `TXT names the speakers when asked:\n${txt}`);
    assert.match(txt, /^-김민수: It opens\n-Speaker 4: next week/m);
    const json = JSON.parse(await exported(s, jobId, 'format=json')) as { speakers: unknown; segments: Array<{ caption_id: string; speaker?: string; words: Array<{ speaker?: string }> }> };
    assert.deepEqual(json.speakers, saved.speakers, 'JSON lists the speakers by their names');
    const seg = json.segments.find((x) => x.caption_id === reassigned.id)!;
    assert.equal(seg.speaker, B);
    assert.ok(seg.words.every((w) => w.speaker === B));
    const ass = await exported(s, jobId, 'format=ass');
    assert.match(ass, /^Style: 김민수,/m, `an ASS style named after the speaker:\n${ass.slice(0, 1500)}`);
    assert.match(ass, /^Style: Speaker 4,/m);

    // 11. Merge Speaker 3 into Speaker 2 from the panel, with the keyboard, while the filter shows Speaker 3.
    const ofC = saved.captions.filter((c) => speakersOf(c).includes(C));
    assert.ok(ofC.length >= 1, 'Speaker 3 still has a caption to merge');
    const afterMerge = (c: Caption) => [...new Set(speakersOf(c).map((id) => (id === C ? B : id)))].map((id) => (id === A ? RENAMED : NAMES[id]!));
    const beforeMerge = (c: Caption) => speakersOf(c).map((id) => (id === A ? RENAMED : NAMES[id]!));
    const filterSelect = panel.getByLabel('Show captions of');
    await filterSelect.selectOption({ label: 'Speaker 3' });
    await waitForText(panel.getByRole('status'), (t) => /^Showing \d+ of \d+ captions\.$/.test(t), 'the filter on Speaker 3');
    const rowOfC = panel.locator(`li[data-speaker-id="${C}"]`);
    const mergeButton = panel.getByRole('button', { name: 'Merge Speaker 3 into another speaker' });
    await mergeButton.focus();
    await page.keyboard.press('Enter');
    const mergeMenu = panel.getByRole('menu', { name: 'Merge Speaker 3 into' });
    await mergeMenu.waitFor();
    assert.deepEqual(await mergeMenu.getByRole('menuitem').allInnerTexts(), [RENAMED, 'Speaker 2', 'Speaker 4'], 'every other speaker, in list order');
    const intoB = mergeMenu.getByRole('menuitem', { name: 'Merge Speaker 3 into Speaker 2' });
    for (let i = 0; i < 4 && !(await intoB.evaluate((el) => el === el.ownerDocument.activeElement)); i++) await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await rowOfC.waitFor({ state: 'detached', timeout: 5000 });
    assert.deepEqual(await panel.locator('li[data-speaker-id]').evaluateAll((els) => els.map((el) => el.getAttribute('data-speaker-id'))), [A, B, D]);
    assert.equal(await filterSelect.inputValue(), B, 'the filter followed Speaker 3’s captions to Speaker 2');
    for (const c of ofC) {
      await waitForChip(rowOf(c.id), afterMerge(c), `caption ${c.id} after the merge`);
      assert.equal(await rowOf(c.id).isVisible(), true, 'the merged captions show under the filter on Speaker 2');
    }
    assert.equal(await list.getByText('Speaker 3', { exact: false }).count(), 0, 'no caption names Speaker 3 any more');
    const mergeB = panel.getByRole('button', { name: 'Merge Speaker 2 into another speaker' });
    assert.equal(await mergeB.evaluate((el) => el === el.ownerDocument.activeElement), true, 'focus went to the row Speaker 3 joined');
    await filterSelect.selectOption({ label: 'All speakers' });

    // 12. Undo brings Speaker 3 back, on the panel and on its captions; redo merges again.
    await page.locator('h1').click();
    await page.keyboard.press('Control+z');
    await rowOfC.waitFor({ timeout: 5000 });
    assert.equal(await panel.getByLabel('Name of speaker 3').inputValue(), 'Speaker 3');
    for (const c of ofC) await waitForChip(rowOf(c.id), beforeMerge(c), `caption ${c.id} after undoing the merge`);
    await page.keyboard.press('Control+Shift+z');
    await rowOfC.waitFor({ state: 'detached', timeout: 5000 });
    for (const c of ofC) await waitForChip(rowOf(c.id), afterMerge(c), `caption ${c.id} after redoing the merge`);

    // 13. The merge is saved and survives a reload.
    const merged = await savedOnServer(
      s,
      jobId,
      (d) => !d.speakers?.some((x) => x.id === C) && !d.captions.some((c) => speakersOf(c).includes(C)),
      'the merge',
    );
    assert.deepEqual(merged.speakers, [
      { id: A, name: RENAMED },
      { id: B, name: 'Speaker 2' },
      { id: D, name: 'Speaker 4' },
    ]);
    assert.equal(merged.captions.length, saved.captions.length, 'captions are not joined by a merge');
    for (const c of ofC) assert.deepEqual(speakersOf(merged.captions.find((m) => m.id === c.id)!), [...new Set(speakersOf(c).map((id) => (id === C ? B : id)))]);
    await waitForText(page.getByTestId('save-status'), (t) => t === '✓ Saved', 'the merge saved');
    await page.reload();
    await rows.first().waitFor({ timeout: 30_000 });
    for (const c of merged.captions) {
      await waitForChip(rowOf(c.id), speakersOf(c).map((id) => (id === A ? RENAMED : NAMES[id]!)), `caption ${c.id} after the merge and a reload`);
    }
    assert.equal(await rowOfC.count(), 0, 'Speaker 3 is not back after the reload');
    assert.equal(await panel.getByLabel('Name of speaker 3').inputValue(), 'Speaker 4', 'the list is 김민수, Speaker 2, Speaker 4');
    const mergedJson = JSON.parse(await exported(s, jobId, 'format=json')) as { speakers: unknown };
    assert.deepEqual(mergedJson.speakers, merged.speakers, 'the export lists the speakers after the merge');
  });
});
