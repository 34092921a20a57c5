/**
 * The live view in a real browser: Debian's Chromium driven by playwright-core (`.ci/run` installs
 * it when missing). Screenshots go to test-results/.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createOrchestrator, createStepper, developmentTeam, type LiveView, type Orchestrator, type Stepper } from '../src/index.js';
import { serveLiveView } from '../src/inspect/index.js';
import needsApproval from './fixtures/needs-approval.js';
import { flush } from './support/helpers.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = 'test-results';
/** How long to wait for the page to show something (the browser's pace, not the organisation's). */
const SHOWS = { timeout: 10_000 };

let profile: string;
let browser: BrowserContext;
let page: Page;
const cleanup: Array<() => Promise<unknown>> = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`The live view's browser test needs Chromium at ${CHROMIUM}: install Debian's chromium (apt-get install chromium), or set CHROMIUM_PATH.`);
  }
  mkdirSync(ARTIFACTS, { recursive: true });
  profile = mkdtempSync(join(tmpdir(), 'echelon-chromium-'));
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 820 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  rmSync(profile, { recursive: true, force: true });
});
afterEach(async () => {
  await page?.close();
  for (const close of cleanup.splice(0).reverse()) await close();
});

/** Opens the page in a fresh tab, noting any request that goes anywhere but the live view (it must work offline). */
const openPage = async (url: string) => {
  page = await browser.newPage();
  const outside: string[] = [];
  const origin = new URL(url).origin;
  page.on('request', (request) => {
    if (!request.url().startsWith(origin)) outside.push(request.url());
  });
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(url);
  return { outside, errors };
};

const agentIn = (agent: string, state: string) => `[data-agent="${agent}"][data-state="${state}"]`;

describe('the live view in a browser', () => {
  it('shows a running scenario live; Approve, as the identity chosen on the page, lets the task complete', async () => {
    const lines: string[] = [];
    let view!: LiveView;
    const stepper: Stepper = await createStepper(needsApproval, {
      log: (line) => lines.push(line),
      waitForPeople: true,
      prepare: async (org) => (view = await serveLiveView(org)),
    });
    cleanup.push(() => stepper.close());
    const { outside, errors } = await openPage(view.url);

    // Before anything moves: the org chart, every agent idle, the stream connected, the first hops listed.
    await page.waitForSelector('#connection.live', SHOWS);
    for (const node of developmentTeam().nodes()) await page.waitForSelector(agentIn(node.id, 'receiving'), SHOWS);
    expect(await page.locator('#events li[data-type="task.submitted"]').count()).toBe(2);

    // Let the scenario run: the page sees the python task park at backend_dev_1.
    const driving = (async () => {
      while ((await stepper.step()) !== undefined);
    })();
    await page.waitForSelector(agentIn('backend_dev_1', 'awaitingApproval'), SHOWS);
    const row = page.locator('#approvals tr[data-approval]');
    await row.waitFor(SHOWS);
    expect(await row.locator('.task').innerText()).toContain('python');
    expect(await page.locator('[data-agent="cto"] .numbers').innerText()).toContain('load 1');
    await page.waitForSelector('#events li[data-type="approval.requested"]', SHOWS);
    await page.screenshot({ path: `${ARTIFACTS}/live-view.png` });

    // Someone without the authority is refused, and nothing changes.
    await row.locator('select.by').selectOption('frontend_lead');
    await row.locator('button.approve').click();
    await row.locator('.error', { hasText: 'cannot decide' }).waitFor(SHOWS);
    expect(stepper.org.approvals.pending()).toHaveLength(1);

    // The approver asked for approves: the task runs and completes.
    await row.locator('select.by').selectOption('api_specialist');
    await row.locator('input.note').fill('approved in the browser');
    await row.locator('button.approve').click();
    await page.waitForSelector('#events li[data-type="task.completed"][data-task="risky"]', SHOWS);
    await page.waitForSelector(agentIn('backend_dev_1', 'receiving'), SHOWS);
    await page.waitForSelector('#no-approvals:visible', SHOWS);
    await driving;
    expect(lines).toEqual(['risky: completed by backend_dev_1', 'safe: completed by react_specialist']);
    expect(stepper.org.escalations.resolved()).toEqual([]);
    await page.screenshot({ path: `${ARTIFACTS}/live-view-done.png` });
    expect(outside).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('with a token, the page without it refuses to show or act; with it, it works', async () => {
    const token = 'browser-test-token-0123456789';
    const org: Orchestrator = createOrchestrator({ hierarchy: developmentTeam(), executors: async () => 'done' });
    cleanup.push(() => org.stop());
    const view = await serveLiveView(org, { token });
    const outcome = org.submit({ type: 'python', context: { requiresApproval: true } });
    await flush();

    await openPage(view.url.replace(/#.*$/, ''));
    await page.locator('#banner', { hasText: 'needs its token' }).waitFor(SHOWS);
    expect(await page.locator('[data-agent]').count()).toBe(0);
    await page.close();

    await openPage(view.url);
    await page.waitForSelector(agentIn('backend_dev_1', 'awaitingApproval'), SHOWS);
    await page.locator('#approvals tr[data-approval] button.approve').click();
    expect((await outcome).status).toBe('completed');
  });
});
