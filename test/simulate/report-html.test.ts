/**
 * The report's page is a function of its reports: the same simulations give the same bytes,
 * however many pages the process drew before, and each chart's ids are its own on the page.
 */
import { describe, expect, it } from 'vitest';
import { renderReportHtml, simulate } from '../../src/simulate/index.js';
import { design } from '../../examples/bottleneck.js';
import { design as balanced } from '../../examples/bottleneck-balanced.js';

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
});
