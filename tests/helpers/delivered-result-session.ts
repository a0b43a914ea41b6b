/**
 * What the browser tests that complete their job with a hand-written result
 * share: a stack whose backend never reaches an ML service (the test
 * delivers the signed result itself), Chromium, a fresh window per step that
 * prints what the page and the services said when it fails, and waiting for
 * the server to hold a save.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { CaptionDocument } from '@ecg/contracts';
import { testModelPath } from '../../apps/ml/test/helpers/test-model.js';
import { ensureWebBuild, inWindow, launchChromium, requireChromium, RESULTS_DIR } from './browser.js';
import { freePort, startStack, type Stack } from './stack.js';

export { RESULTS_DIR };

export interface DeliveredResultSession {
  stack: Stack;
  browser: Browser;
  /** Runs `fn` in a new window; on failure saves `test-results/<name>-failure.png` and prints the page's console and the services' logs. */
  inBrowser(name: string, fn: (page: Page, stack: Stack) => Promise<void>): Promise<void>;
  close(): Promise<void>;
}

/** Starts the stack (ML healthy but never given the job) and Chromium; `prepare` runs alongside the web build. */
export async function startDeliveredResultSession(callbackSecret: string, prepare: Promise<unknown> = Promise.resolve()): Promise<DeliveredResultSession> {
  requireChromium();
  const [webDist, model] = await Promise.all([ensureWebBuild(), testModelPath('micro'), prepare]);
  const stack = await startStack({
    WEB_DIST_DIR: webDist,
    // The ML service must be healthy for the stack to start, though it never gets this job.
    WHISPER_MODEL: model,
    CALLBACK_SECRET: callbackSecret,
    // Nothing listens there: the backend keeps the job queued and the test delivers its result.
    ML_URL: `http://127.0.0.1:${await freePort()}`,
  });
  let browser: Browser;
  try {
    browser = await launchChromium();
  } catch (err) {
    await stack.stop();
    throw err;
  }

  const inBrowser = (name: string, fn: (page: Page, stack: Stack) => Promise<void>) => inWindow(browser, name, stack.logs, (page) => fn(page, stack));

  return {
    stack,
    browser,
    inBrowser,
    close: async () => {
      await browser.close().catch(() => undefined);
      await stack.stop();
    },
  };
}

/**
 * A browser test file's whole set-up: before its tests, a temp folder for
 * `prepare` (the media it uploads) and the session; after them, both gone.
 * Call at the top level of the test file.
 */
export function deliveredResultSuite(
  tempPrefix: string,
  callbackSecret: string,
  prepare: (work: string) => Promise<unknown>,
): { inBrowser: DeliveredResultSession['inBrowser'] } {
  let work: string | undefined;
  let session: DeliveredResultSession | undefined;
  before(async () => {
    work = mkdtempSync(join(tmpdir(), tempPrefix));
    session = await startDeliveredResultSession(callbackSecret, prepare(work));
  });
  after(async () => {
    await session?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });
  return {
    inBrowser: (name, fn) => {
      assert.ok(session, 'the stack and browser start in before()');
      return session.inBrowser(name, fn);
    },
  };
}

export async function captionsOnServer(s: Stack, jobId: string): Promise<CaptionDocument> {
  const res = await fetch(`${s.backendUrl}/api/upload-video/result/${jobId}/captions`);
  assert.equal(res.status, 200);
  return CaptionDocument.parse(await res.json());
}

/**
 * Waits until the saved captions satisfy `check`. The save status alone
 * cannot say an edit was saved: it still reads "Saved" from the step
 * before until autosave has noticed the edit. `describe` says what the
 * server held when it times out.
 */
export async function savedOnServer(
  s: Stack,
  jobId: string,
  check: (doc: CaptionDocument) => boolean,
  what: string,
  describe: (doc: CaptionDocument) => unknown = (doc) => doc.captions.map((c) => c.text),
): Promise<CaptionDocument> {
  const until = Date.now() + 10_000;
  for (;;) {
    const doc = await captionsOnServer(s, jobId);
    if (check(doc)) return doc;
    assert.ok(Date.now() < until, `timed out waiting for the server to hold ${what}; version ${doc.version}: ${JSON.stringify(describe(doc))}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
