/**
 * The report's page is a function of its reports: the same simulations give the same bytes,
 * however many pages the process drew before, and each chart's ids are its own on the page.
 */
import { describe, expect, it } from 'vitest';
import { renderReportHtml, simulate } from '../../src/simulate/index.js';
import { design } from '../../examples/bottleneck.js';
import { design as balanced } from '../../examples/bottleneck-balanced.js';
import { largeOrganisation } from '../fixtures/large-organisation.js';
import { design as hostile } from '../fixtures/hostile-design.js';
import { HOSTILE_ID } from '../fixtures/hostile-text.js';

const page = async (seed: number) => {
  const designs = await Promise.all([design, balanced].map(async (one, index) => ({ name: `design ${index}`, hierarchy: one.organisation.hierarchy, report: await simulate({ ...design.simulation!, agents: one.simulation!.agents, organisation: one.organisation, seed }) })));
  return renderReportHtml(designs);
};

describe('the report page', () => {
  it('is the same, to the byte, for the same seed in one process, and another for another seed', async () => {
    const first = await page(7);
    // Before: ECharts numbers its drawings per process (zr0-…, zr8-…), so a second page of the same run differed in every id.
    expect(await page(7)).toBe(first);
    expect(first).not.toMatch(/(?:"|#|\.)zr\d+-/);
    expect(await page(8)).not.toBe(first);
    const ids = [...first.matchAll(/ id="([^"]+)"/g)].map((match) => match[1]!);
    expect(ids.length).toBeGreaterThan(0);
    expect(new Set(ids).size).toBe(ids.length);
    // Every reference is to an id on the page.
    for (const [, id] of first.matchAll(/url\(#([^)]+)\)/g)) expect(ids).toContain(id);
  });

  it("lists the 500 busiest agents of a larger organisation, busiest first, and says so (before: its first 500 in the hierarchy's order, the rest dropped without a word)", async () => {
    const options = largeOrganisation(600);
    const report = await simulate(options);
    const html = await renderReportHtml([{ name: 'large', report, hierarchy: options.organisation.hierarchy }]);
    const table = html.slice(html.indexOf('<h3>Agents</h3>'));
    expect(table).toContain('<p>The 500 busiest of 600 agents.</p>');
    const rows = [...table.matchAll(/<tr><td>([^<]+)<\/td>/g)].map((match) => match[1]!);
    expect(rows).toHaveLength(500);
    const busiest = [...report.agents].sort((a, b) => b.utilisation - a.utilisation);
    expect(rows[0]).toBe(busiest[0]!.id);
    expect(rows).not.toContain(busiest.at(-1)!.id);
  });

  it('shows hostile ids, types and messages as text: no markup from data, and a bidi override as its \\u202e escape in the tables and the SVG charts', async () => {
    const report = await simulate({ ...hostile.simulation!, organisation: hostile.organisation });
    const html = await renderReportHtml([{ name: `design ${HOSTILE_ID}`, report, hierarchy: hostile.organisation.hierarchy }]);
    // Before: U+202E went into the page and its charts as it was, and the rest of each line or label read backwards.
    expect(html).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
    expect(html).not.toContain('<img');
    expect(html).toContain('lead&#60;img src=x onerror=&#34;window.__pwned=3&#34;&#62;&#34;]--&#62;%%\\u202e</td>'); // the agents' table
    expect(html).toMatch(/<text[^>]*>[^<]*lead&lt;img src=x onerror=&quot;window.__pwned=3&quot;&gt;&quot;\]--&gt;%%\\u202e/); // a chart's label
    expect(html).toContain('boom &#60;/script&#62;'); // the strategy's error
  });
});
