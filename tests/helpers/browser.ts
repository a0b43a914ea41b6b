/**
 * A real browser for end-to-end tests: Debian's Chromium driven by
 * playwright-core, and the web app built so the backend can serve it.
 * A missing Chromium fails the test with the reason; it is never skipped.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { REPO_ROOT } from './stack.js';

export const WEB_DIR = join(REPO_ROOT, 'apps', 'web');
export const WEB_DIST_DIR = join(WEB_DIR, 'dist');

/** Where the browser is; CHROMIUM_PATH overrides Debian's path (the package `chromium`). */
export function chromiumPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.CHROMIUM_PATH?.trim() || '/usr/bin/chromium';
}

export function requireChromium(env: NodeJS.ProcessEnv = process.env): string {
  const path = chromiumPath(env);
  if (!existsSync(path)) {
    throw new Error(
      `Chromium is required for the browser tests but ${path} does not exist. ` +
        'Install it (Debian/Ubuntu: apt-get install -y chromium) or set CHROMIUM_PATH to a Chromium/Chrome binary.',
    );
  }
  return path;
}

const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  // Nothing but the page under test may talk to the network, and nothing may update itself mid-test.
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** Launches Chromium with a fresh temporary profile (playwright creates and deletes it). */
export async function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: requireChromium(), headless: true, args: CHROMIUM_ARGS });
}

/** An English, desktop-sized context that accepts downloads, as a person's fresh browser window. */
export async function newPersonContext(browser: Browser): Promise<BrowserContext> {
  return browser.newContext({
    locale: 'en-US',
    viewport: { width: 1280, height: 860 },
    deviceScaleFactor: 1,
    acceptDownloads: true,
    colorScheme: 'light',
  });
}

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const name of readdirSync(path)) {
    if (name === 'node_modules' || name === 'dist') continue;
    newest = Math.max(newest, newestMtime(join(path, name)));
  }
  return newest;
}

/** Everything the web bundle is built from: its own sources and the workspace packages it bundles. */
const WEB_SOURCES = [
  join(WEB_DIR, 'src'),
  join(WEB_DIR, 'index.html'),
  join(WEB_DIR, 'vite.config.ts'),
  join(REPO_ROOT, 'packages', 'contracts', 'src'),
  join(REPO_ROOT, 'packages', 'captions', 'src'),
];

export function webBuildIsStale(): boolean {
  const index = join(WEB_DIST_DIR, 'index.html');
  if (!existsSync(index)) return true;
  const built = statSync(index).mtimeMs;
  return WEB_SOURCES.some((p) => newestMtime(p) > built);
}

/** Held while one test process builds the web app; another waits, then finds the build fresh. */
const BUILD_LOCK = join(WEB_DIR, '.test-build-lock');
// A lock older than this was left by a test process that died mid-build (a build takes well under a minute).
const STALE_LOCK_MS = 5 * 60_000;

function takeBuildLock(): boolean {
  try {
    mkdirSync(BUILD_LOCK); // atomic: exactly one process creates it
    return true;
  } catch {
    const age = Date.now() - (statSync(BUILD_LOCK, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
    if (age > STALE_LOCK_MS) rmSync(BUILD_LOCK, { recursive: true, force: true });
    return false;
  }
}

/**
 * Builds apps/web/dist when it is missing or older than its sources, so the
 * browser tests pass on a clean clone without a separate build step. The
 * test runner runs files in parallel, and vite empties dist before writing:
 * two browser tests building at once would serve each other half a build, so
 * one builds under a lock and the other waits for it.
 */
export async function ensureWebBuild(): Promise<string> {
  for (;;) {
    if (!webBuildIsStale()) return WEB_DIST_DIR;
    if (takeBuildLock()) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  try {
    if (!webBuildIsStale()) return WEB_DIST_DIR; // built by the process that held the lock before
    const vite = join(REPO_ROOT, 'node_modules', '.bin', 'vite');
    let output = '';
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(vite, ['build', '--logLevel', 'warn'], { cwd: WEB_DIR, stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout.on('data', (c: Buffer) => (output += c.toString()));
      child.stderr.on('data', (c: Buffer) => (output += c.toString()));
      child.once('error', reject);
      child.once('exit', resolve);
    });
    if (code !== 0 || !existsSync(join(WEB_DIST_DIR, 'index.html'))) {
      throw new Error(`building the web app failed (vite build exited ${code}):\n${output.slice(-4000)}`);
    }
    return WEB_DIST_DIR;
  } finally {
    rmSync(BUILD_LOCK, { recursive: true, force: true });
  }
}

/**
 * Waits until the locator's visible text, whitespace collapsed, satisfies
 * `check`; on timeout the error shows the last text seen. playwright-core has
 * no `expect`, and `waitFor` alone cannot wait for text to change.
 */
export async function waitForText(
  locator: Locator,
  check: (text: string) => boolean,
  what: string,
  timeoutMs = 15_000,
): Promise<string> {
  const until = Date.now() + timeoutMs;
  let last = '(element not found)';
  for (;;) {
    try {
      last = (await locator.innerText({ timeout: 1000 })).replace(/\s+/g, ' ').trim();
      if (check(last)) return last;
    } catch {
      // not attached yet, or re-rendering: try again
    }
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}; last text: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Waits until `expression` is true in the page. Not page.waitForFunction:
 * that evals a string predicate inside the page, which the app's CSP
 * (no 'unsafe-eval') refuses; page.evaluate goes through DevTools instead.
 */
export async function waitForPage(page: Page, expression: string, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await page.evaluate(expression))) {
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${expression}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Where browser tests leave screenshots of failures (and the README's refreshed ones). */
export const RESULTS_DIR = join(REPO_ROOT, 'test-results');

/**
 * Runs `fn` in a fresh window (a person of its own: new context). On failure
 * it saves `test-results/<name>-failure.png` and prints the page's console,
 * its errors and failed requests, and `serviceLogs()`, then rethrows.
 */
export async function inWindow(browser: Browser, name: string, serviceLogs: () => string, fn: (page: Page) => Promise<void>): Promise<void> {
  const context = await newPersonContext(browser);
  const page = await context.newPage();
  const said: string[] = [];
  page.on('console', (m) => said.push(`[console.${m.type()}] ${m.text()}`));
  page.on('pageerror', (e) => said.push(`[pageerror] ${e.message}`));
  page.on('requestfailed', (r) => said.push(`[requestfailed] ${r.method()} ${r.url()} ${r.failure()?.errorText ?? ''}`));
  try {
    await fn(page);
  } catch (err) {
    mkdirSync(RESULTS_DIR, { recursive: true });
    const shot = join(RESULTS_DIR, `${name}-failure.png`);
    await page.screenshot({ path: shot, fullPage: true }).catch(() => undefined);
    console.error(`--- ${name} failed at ${page.url()} (screenshot ${shot})\n--- browser:\n${said.slice(-60).join('\n')}\n--- services:\n${serviceLogs()}`);
    throw err;
  } finally {
    await context.close();
  }
}
