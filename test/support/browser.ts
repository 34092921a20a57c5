/**
 * The live view's browser tests' browser: Debian's Chromium driven by playwright-core (`.ci/run`
 * installs it when missing), one persistent profile per test file, and tabs that note what the
 * page asked of anywhere but the live view (it must work offline) and the errors it threw.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll } from 'vitest';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Where screenshots go. */
export const ARTIFACTS = 'test-results';
/** How long to wait for the page to show something (the browser's pace, not the organisation's). */
export const SHOWS = { timeout: 10_000 };

/** Starts the browser in a fresh profile; `close` ends it and deletes the profile. */
async function launchBrowser(): Promise<{ readonly browser: BrowserContext; readonly close: () => Promise<void> }> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`The live view's browser test needs Chromium at ${CHROMIUM}: install Debian's chromium (apt-get install chromium), or set CHROMIUM_PATH.`);
  }
  mkdirSync(ARTIFACTS, { recursive: true });
  const profile = mkdtempSync(join(tmpdir(), 'echelon-chromium-'));
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 820 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  return {
    browser,
    close: async () => {
      await browser.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * Registers, in the test file that calls it, a browser for its tests (started before them, ended
 * after) and tabs closed after each test, with `cleanup` run after each test too, newest first.
 */
export function useBrowser() {
  let browser: BrowserContext | undefined;
  let close: (() => Promise<void>) | undefined;
  const tabs: Page[] = [];
  const cleanup: Array<() => Promise<unknown>> = [];
  beforeAll(async () => {
    ({ browser, close } = await launchBrowser());
  }, 60_000);
  afterAll(async () => {
    await close?.();
  });
  afterEach(async () => {
    for (const tab of tabs.splice(0)) await tab.close();
    for (const step of cleanup.splice(0).reverse()) await step();
  });
  /** A fresh tab, closed after the test. */
  const newPage = async (): Promise<Page> => {
    const page = await browser!.newPage();
    tabs.push(page);
    return page;
  };
  /** Opens `url` in a fresh tab, noting any request that goes anywhere but its origin (the page must work offline), and the page's errors. */
  const open = async (url: string): Promise<{ readonly page: Page; readonly outside: string[]; readonly errors: string[] }> => {
    const page = await newPage();
    const outside: string[] = [];
    const origin = new URL(url).origin;
    page.on('request', (request) => {
      if (!request.url().startsWith(origin)) outside.push(request.url());
    });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(url);
    return { page, outside, errors };
  };
  return { cleanup, newPage, open };
}
