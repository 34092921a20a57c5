/**
 * The report's charts for a large organisation stay legible: the org chart shows the busiest
 * agents (and the chains above them), folds the rest into one "others" node per manager, and says
 * so; the queue chart says whose queues it draws. A small organisation's charts are drawn whole.
 */
import { describe, expect, it } from 'vitest';
import { developmentTeam } from '../../src/index.js';
import { drawCharts, simulate } from '../../src/simulate/index.js';
import { largeOrganisation } from '../fixtures/large-organisation.js';

/** The text an SVG chart shows, tags removed (ECharts writes each label as <text>). */
const texts = (svg: string) => [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((match) => match[1]!);

describe('the charts of a large organisation', () => {
  it('draw the busiest agents and fold the others, saying so, where every agent was a label before', async () => {
    const options = largeOrganisation(250);
    const { hierarchy } = options.organisation;
    const report = await simulate(options);
    const charts = await drawCharts(report, hierarchy);
    const shown = new Set(texts(charts.orgChart).join('\n').match(/worker_\d+/g));
    // Before: the 200 busiest workers, one label each, side by side in 760 px: a grey band.
    expect(shown.size).toBeLessThanOrEqual(24);
    const busiest = [...report.agents].sort((a, b) => b.utilisation - a.utilisation)[0]!;
    expect(shown).toContain(busiest.id);
    expect(charts.orgChart).toMatch(/the 24 busiest of 250 agents/);
    // A folded node says how many it holds and their mean utilisation.
    expect(texts(charts.orgChart).join('\n')).toMatch(/\+\d+ others\s+\d+ % mean/);
    // The queue chart says it draws some of the agents that kept a queue, and its legend shows them all (no page arrows, which need a script).
    const queued = report.agents.filter((agent) => agent.maxQueue > 0).length;
    expect(queued).toBeGreaterThan(report.queues.length);
    expect(charts.queues).toContain(`the ${report.queues.length} longest mean queues of the ${queued} agents that kept one`);
    expect(charts.queues).not.toMatch(/>1\/2</);
  });

  it('name only agents that worked as the busiest: idle ones are folded with the rest', async () => {
    const options = { ...largeOrganisation(250), workload: { arrivals: [{ task: 'build', everyMs: 1_000 }], durationMs: 1_000 } };
    const report = await simulate(options);
    const worked = report.agents.filter((agent) => agent.utilisation > 0).map((agent) => agent.id);
    expect(worked).toHaveLength(1);
    const { orgChart } = await drawCharts(report, options.organisation.hierarchy);
    // Before this check: 23 idle agents named as "busiest" beside the one that worked.
    expect(orgChart).toContain('the 1 that worked of 250 agents');
    expect(new Set(texts(orgChart).join('\n').match(/worker_\d+/g))).toEqual(new Set(worked));
  });

  it('draw a small organisation whole, as before: every agent in the org chart, no note', async () => {
    const hierarchy = developmentTeam();
    const report = await simulate({ organisation: { hierarchy }, workload: { arrivals: [{ task: 'python', everyMs: 1_000 }], durationMs: 20_000 } });
    const charts = await drawCharts(report, hierarchy);
    const labels = texts(charts.orgChart).join('\n');
    for (const node of hierarchy.nodes()) expect(labels).toContain(node.id);
    expect(labels).not.toMatch(/others|busiest/);
    expect(charts.queues).not.toMatch(/longest mean queues/);
  });
});
