/**
 * The queue chart accounts for every agent that kept a queue: past the 8 drawn as their own line,
 * the report's `otherQueues` is the longest of the others' queues at each point, and the chart
 * draws it as one dashed line, saying so.
 */
import { describe, expect, it } from 'vitest';
import { drawCharts, simulate } from '../../src/simulate/index.js';
import type { Collector } from '../../src/simulate/collect.js';
import { queueSeries } from '../../src/simulate/queues.js';
import type { AgentReport } from '../../src/simulate/report.js';
import { largeOrganisation } from '../fixtures/large-organisation.js';

/** A collector holding only what the queue series read: each agent's intervals that saw a change. */
function collectorOf(intervalMs: number, series: ReadonlyMap<string, Map<number, { max: number; end: number }>>): Collector {
  return { intervalMs, agents: new Map([...series].map(([id, changes]) => [id, { series: changes }])) } as unknown as Collector;
}

/** A seeded walk of queue lengths for `agents` agents over `slots` intervals (few of them changing). */
function randomQueues(agents: number, slots: number, seed: number) {
  let state = seed;
  const random = () => ((state = (state * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648);
  const series = new Map<string, Map<number, { max: number; end: number }>>();
  const reports: AgentReport[] = [];
  for (let agent = 0; agent < agents; agent++) {
    const changes = new Map<number, { max: number; end: number }>();
    let length = 0;
    for (let slot = Math.floor(random() * 50); slot < slots; slot += 1 + Math.floor(random() * slots * 0.05)) {
      const max = length + Math.floor(random() * 6);
      length = Math.floor(random() * (max + 1));
      changes.set(slot, { max, end: length });
    }
    series.set(`a${agent}`, changes);
    reports.push({ id: `a${agent}`, maxQueue: 1, meanQueue: agents - agent } as AgentReport);
  }
  return { series, reports };
}

describe("the report's otherQueues", () => {
  for (const [label, intervalMs, end] of [
    ['one interval a point', 1_000, 400_000],
    ['3 intervals a point (past 100,000 of them)', 1, 250_000],
  ] as const) {
    it(`is, at each point, the longest of the queues past the 8 longest (${label})`, () => {
      const { series, reports } = randomQueues(40, Math.floor(end / intervalMs) + 1, 7);
      const collector = collectorOf(intervalMs, series);
      const { queues, otherQueues } = queueSeries(collector, reports, end);
      expect(queues.map((queue) => queue.agent)).toEqual(reports.slice(0, 8).map((agent) => agent.id));
      // Each other agent's own series, as it would be drawn were it among the 8; their largest at each point.
      const own = reports.slice(8).map((agent) => queueSeries(collector, [agent], end).queues[0]!.points);
      const longest = own[0]!.map(([at], point): [number, number] => [at, Math.max(...own.map((points) => points[point]![1]))]);
      expect(otherQueues).toEqual({ agents: 32, intervalMs: queues[0]!.intervalMs, points: longest });
      expect(longest.some(([, length]) => length > 0)).toBe(true);
    });
  }

  it('is absent when 8 agents or fewer kept a queue', () => {
    const { series, reports } = randomQueues(8, 1_000, 3);
    expect(queueSeries(collectorOf(1_000, series), reports, 1_000_000)).not.toHaveProperty('otherQueues');
  });

  it("is drawn as a dashed 'longest of the other N' line, which the chart's subtitle explains (before: the others were not drawn at all)", async () => {
    const options = largeOrganisation(250);
    const report = await simulate(options);
    const queued = report.agents.filter((agent) => agent.maxQueue > 0).length;
    expect(report.otherQueues).toMatchObject({ agents: queued - 8, intervalMs: report.queues[0]!.intervalMs });
    expect(report.otherQueues!.points).toHaveLength(report.queues[0]!.points.length);
    expect(report.otherQueues!.points.some(([, length]) => length > 0)).toBe(true);
    const { queues } = await drawCharts(report, options.organisation.hierarchy);
    expect(queues).toContain(`>longest of the other ${queued - 8}<`);
    // Without otherQueues (a report from before it), no line is dashed.
    const { otherQueues: _, ...before } = report;
    expect((await drawCharts(before, options.organisation.hierarchy)).queues).not.toMatch(/stroke-dasharray/);
    expect(queues).toContain(`the 8 longest mean queues of the ${queued} agents that kept one, and (dashed) the longest of the other ${queued - 8} at each time`);
    expect(queues).toMatch(/stroke-dasharray/);
  });
});
