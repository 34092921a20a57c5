/**
 * The simulation report in a real browser (Debian's Chromium through playwright-core, as the live
 * view's test): the page opens from a file, asks for nothing over the network, and every chart
 * rendered — the org chart heat map, queue lengths, latency and where the time went.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderReportHtml, simulate } from '../../src/simulate/index.js';
import { design } from '../../examples/bottleneck.js';
import { design as balanced } from '../../examples/bottleneck-balanced.js';
import { largeOrganisation } from '../fixtures/large-organisation.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = 'test-results';

let profile: string | undefined;
let browser: BrowserContext;
let directory: string;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`The report's browser test needs Chromium at ${CHROMIUM}: apt-get install chromium, or set CHROMIUM_PATH.`);
  mkdirSync(ARTIFACTS, { recursive: true });
  directory = mkdtempSync(join(tmpdir(), 'echelon-report-'));
  profile = mkdtempSync(join(tmpdir(), 'echelon-chromium-'));
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  // Nothing to remove when the set-up refused (no Chromium): its own error is the one to read.
  if (profile !== undefined) rmSync(profile, { recursive: true, force: true });
  if (directory !== undefined) rmSync(directory, { recursive: true, force: true });
});

describe('the simulation report in a browser', () => {
  it('renders every chart offline, and names the bottleneck', async () => {
    const report = await simulate({ ...design.simulation!, organisation: design.organisation });
    const file = join(directory, 'report.html');
    writeFileSync(file, await renderReportHtml([{ name: 'bottleneck.ts', report, hierarchy: design.organisation.hierarchy }]));
    const page = await browser.newPage();
    const requests: string[] = [];
    page.on('request', (request) => {
      if (!request.url().startsWith('file:')) requests.push(request.url());
    });
    await page.goto(pathToFileURL(file).href);
    for (const chart of ['org', 'queues', 'latency', 'spent']) {
      const svg = page.locator(`[data-chart="${chart}"] svg`);
      await expect(svg.count()).resolves.toBe(1);
      const box = await svg.boundingBox();
      expect(box!.width).toBeGreaterThan(300);
      expect(box!.height).toBeGreaterThan(200);
      // Drawn, not empty: shapes with geometry.
      expect(await page.locator(`[data-chart="${chart}"] svg path`).count()).toBeGreaterThan(5);
    }
    // One line per agent with a queue in the queue chart, and the heat map's worst agent in dark red.
    expect(await page.locator('[data-chart="queues"] svg').textContent()).toContain('fe_dev_1');
    expect(await page.locator('[data-chart="org"] svg').textContent()).toContain('fe_dev_1');
    await expect(page.locator('.bottleneck').first().textContent()).resolves.toMatch(/^fe_dev_1: busy \d+ %/);
    expect(requests).toEqual([]);
    await page.screenshot({ path: `${ARTIFACTS}/simulation-report.png`, fullPage: false });
    await page.close();
  });

  it("draws a 250-agent organisation's org chart with no label over another, and its names (markup, quotes, accents) as text", async () => {
    const options = largeOrganisation(250);
    const report = await simulate(options);
    const file = join(directory, 'large.html');
    writeFileSync(file, await renderReportHtml([{ name: 'large <i>"org"</i>', report, hierarchy: options.organisation.hierarchy }]));
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('console', (message) => void (message.type() === 'error' && problems.push(message.text())));
    page.on('pageerror', (error) => problems.push(String(error)));
    await page.goto(pathToFileURL(file).href);
    const org = page.locator('[data-chart="org"] svg');
    const labels = await org.locator('text').evaluateAll((texts) => texts.map((text) => ({ text: text.textContent ?? '', ...JSON.parse(JSON.stringify(text.getBoundingClientRect())) as { left: number; right: number; top: number; bottom: number } })));
    expect(labels.length).toBeGreaterThan(30);
    // Before: 200 workers' labels side by side in 900 px, each over its neighbours.
    const overlapping = labels.flatMap((a, i) => labels.slice(i + 1).filter((b) => a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1).map((b) => `${a.text} / ${b.text}`));
    expect(overlapping).toEqual([]);
    expect(await org.textContent()).toContain('lead_<b>"0"_é');
    expect(await page.locator('section b, svg b, i').count()).toBe(0);
    expect(await page.locator('h1').textContent()).toBe('echelon simulation: large <i>"org"</i>');
    expect(problems).toEqual([]);
    await org.screenshot({ path: `${ARTIFACTS}/simulation-large-org.png` });
    // The queue chart draws the agents past its 8 lines as one dashed line across the plot, named in the legend.
    const queues = page.locator('[data-chart="queues"] svg');
    expect(await queues.textContent()).toContain(`longest of the other ${report.otherQueues!.agents}`);
    const dashed = await queues.locator('path[stroke-dasharray]').evaluateAll((paths) => paths.map((path) => path.getBoundingClientRect().width));
    expect(Math.max(...dashed)).toBeGreaterThan(300);
    await queues.screenshot({ path: `${ARTIFACTS}/simulation-large-queues.png` });
    // Side by side (620 px columns), every label of both org charts is inside its chart: before, the subtitle was cut at both ends.
    const compare = join(directory, 'large-compare.html');
    writeFileSync(compare, await renderReportHtml(['one', 'two'].map((name) => ({ name, report, hierarchy: options.organisation.hierarchy }))));
    await page.goto(pathToFileURL(compare).href);
    const outside = await page.locator('[data-chart="org"] svg').evaluateAll((svgs) =>
      svgs.flatMap((svg) => {
        const box = svg.getBoundingClientRect();
        return [...svg.querySelectorAll('text')].filter((text) => {
          const label = text.getBoundingClientRect();
          return label.left < box.left - 1 || label.right > box.right + 1;
        }).map((text) => text.textContent);
      }),
    );
    expect(outside).toEqual([]);
    await page.close();
  });

  it('shows two designs side by side on the same workload', async () => {
    const reports = await Promise.all([design, balanced].map((one) => simulate({ ...design.simulation!, agents: one.simulation!.agents, organisation: one.organisation })));
    const file = join(directory, 'compare.html');
    writeFileSync(file, await renderReportHtml([{ name: 'bottleneck.ts', report: reports[0]!, hierarchy: design.organisation.hierarchy }, { name: 'bottleneck-balanced.ts', report: reports[1]!, hierarchy: balanced.organisation.hierarchy }]));
    const page = await browser.newPage();
    await page.goto(pathToFileURL(file).href);
    await expect(page.locator('section[data-design]').count()).resolves.toBe(2);
    const columns = await page.locator('section[data-design]').evaluateAll((sections) => sections.map((section) => section.getBoundingClientRect().left));
    expect(columns[1]!).toBeGreaterThan(columns[0]! + 300);
    expect(await page.locator('section[data-design] svg').count()).toBe(8);
    await page.screenshot({ path: `${ARTIFACTS}/simulation-compare.png`, fullPage: false });
    await page.close();
  });
});
