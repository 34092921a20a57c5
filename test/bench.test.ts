/**
 * The benchmark's smoke test: the bench code and its baselines are correct — every task
 * completes, every system routes each task to the same agent along the same path, the pump
 * keeps its promises, the statistics are right, and the tiny plan runs end to end. Timing is
 * never asserted: figures come from `npm run bench`, not from tests.
 */
import { describe, expect, it } from 'vitest';
import { developmentTeam } from '../src/index.js';
import { LEAF_WORK, chainOrganisation, levelWork, wideOrganisation } from '../bench/hierarchies.js';
import { plan, runJob } from '../bench/jobs.js';
import { buildResults, type Measured } from '../bench/report.js';
import { growthExponent, linearFit, median, percentile, summarize } from '../bench/stats.js';
import { SYSTEMS, type Routed, type System, type SystemKey } from '../bench/systems/index.js';
import { formatResults } from '../bench/table.js';
import { pump, taskMix, taskTypes } from '../bench/workload.js';

const systems = Object.keys(SYSTEMS) as SystemKey[];

async function run(key: SystemKey, count: number, inFlight: number): Promise<readonly Routed[]> {
  const hierarchy = developmentTeam();
  const system = SYSTEMS[key]({ hierarchy, inFlight });
  try {
    const { results, completed } = await pump(system, { count, typeAt: taskMix(hierarchy), inFlight, keep: true });
    expect(completed).toBe(count);
    return results!;
  } finally {
    await system.stop();
  }
}

describe('the systems under benchmark', () => {
  const count = taskTypes(developmentTeam()).length * 3;

  it('cover every capability of the development team in the mix', () => {
    expect(taskTypes(developmentTeam())).toHaveLength(22);
  });

  it.each(systems)('%s completes every task of the mix, routed as echelon routes it', async (key) => {
    const expected = await run('echelon', count, 1);
    const results = await run(key, count, 7);
    expect(results.map(({ executedBy, chain }) => ({ executedBy, chain }))).toEqual(expected.map(({ executedBy, chain }) => ({ executedBy, chain })));
    expect(results.every((routed) => (routed.result as { by: string }).by === routed.executedBy)).toBe(true);
  });

  it('all route by subtree: the deepest capable agent executes', async () => {
    const [python] = await run('raw', 22, 1).then((results) => results.filter((routed) => routed.executedBy === 'backend_dev_1'));
    expect(python!.chain).toEqual(['cto', 'backend_lead', 'api_specialist', 'backend_dev_1']);
    const byType = new Map((await run('plain', 22, 1)).map((routed, index) => [taskMix(developmentTeam())(index), routed.executedBy]));
    expect(byType.get('database')).toBe('db_specialist');
    expect(byType.get('coordination')).toBe('backend_lead');
    expect(byType.get('strategy')).toBe('cto');
  });

  it.each(['plain', 'raw', 'raw-actors', 'raw-chart'] as const)('the %s baseline refuses a task nobody can do', async (key) => {
    const system = SYSTEMS[key]({ hierarchy: developmentTeam(), inFlight: 1 });
    await expect(system.submit('quantum_computing')).rejects.toThrow(/quantum_computing/);
    await system.stop();
  });
});

describe('the pump', () => {
  /** A system whose tasks finish when the test says, counting how many are outstanding. */
  const manual = () => {
    const open: Array<() => void> = [];
    let outstanding = 0;
    let most = 0;
    const system: System = {
      name: 'manual',
      submit: (type) =>
        new Promise<Routed>((resolve) => {
          outstanding += 1;
          most = Math.max(most, outstanding);
          open.push(() => {
            outstanding -= 1;
            resolve({ executedBy: 'x', chain: ['x'], result: type });
          });
        }),
      stop: async () => undefined,
    };
    const finishAll = async () => {
      while (open.length > 0) {
        open.splice(0).forEach((finish) => finish());
        await new Promise((resolve) => setImmediate(resolve));
      }
    };
    return { system, finishAll, most: () => most, outstanding: () => outstanding };
  };

  it('keeps exactly the asked number of tasks in flight and completes them all, in order', async () => {
    const { system, finishAll, most } = manual();
    const running = pump(system, { count: 25, typeAt: (index) => `t${index}`, inFlight: 4, keep: true });
    await finishAll();
    const { completed, results } = await running;
    expect(completed).toBe(25);
    expect(most()).toBe(4);
    expect(results!.map((routed) => routed.result)).toEqual(Array.from({ length: 25 }, (_, index) => `t${index}`));
  });

  it('drains at each checkpoint, so readings are taken with nothing in flight', async () => {
    const { system, finishAll, outstanding } = manual();
    const seen: Array<[number, number]> = [];
    const running = pump(system, { count: 30, typeAt: () => 't', inFlight: 7, checkpoint: { every: 10, at: (completed) => void seen.push([completed, outstanding()]) } });
    await finishAll();
    await running;
    expect(seen).toEqual([
      [10, 0],
      [20, 0],
      [30, 0],
    ]);
  });

  it('fails the run when a task fails', async () => {
    const failing: System = { name: 'failing', submit: () => Promise.reject(new Error('lost')), stop: async () => undefined };
    await expect(pump(failing, { count: 3, typeAt: () => 't', inFlight: 2 })).rejects.toThrow('lost');
  });
});

describe('the organisations the bench builds', () => {
  it('a wide organisation has the asked size, at most 10 reports per manager, and leaves that do the work', () => {
    const hierarchy = wideOrganisation(1_000);
    expect(hierarchy.size).toBe(1_000);
    const managers = hierarchy.nodes().filter((node) => node.childIds.length > 0);
    expect(Math.max(...managers.map((node) => node.childIds.length))).toBe(10);
    expect(hierarchy.nodes().filter((node) => node.childIds.length === 0).every((node) => node.capabilities.includes(LEAF_WORK))).toBe(true);
    expect(Math.max(...hierarchy.nodes().map((node) => node.level))).toBe(3);
  });

  it('a chain puts the agent for level i at depth i', async () => {
    const hierarchy = chainOrganisation(6);
    expect(hierarchy.nodes().map((node) => node.level)).toEqual([0, 1, 2, 3, 4, 5]);
    const system = SYSTEMS.echelon({ hierarchy, inFlight: 1 });
    expect((await system.submit(levelWork(4))).chain).toEqual(['l0', 'l1', 'l2', 'l3', 'l4']);
    await system.stop();
  });
});

describe('the statistics', () => {
  it('medians, nearest-rank percentiles and summaries', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    const hundred = Array.from({ length: 100 }, (_, index) => index + 1);
    expect(percentile(hundred, 50)).toBe(50);
    expect(percentile(hundred, 99)).toBe(99);
    expect(percentile([7], 99)).toBe(7);
    expect(summarize([3, 9, 1])).toEqual({ median: 3, min: 1, max: 9, runs: [3, 9, 1] });
  });

  it('a least-squares line and a log-log growth exponent', () => {
    expect(linearFit([0, 5, 10, 15], [2, 12, 22, 32])).toEqual({ slope: 2, intercept: 2 });
    const sizes = [1_000, 10_000, 100_000];
    expect(growthExponent(sizes, sizes.map((n) => 0.003 * n))).toBeCloseTo(1, 10);
    expect(growthExponent(sizes, sizes.map((n) => 5e-7 * n * n))).toBeCloseTo(2, 10);
    expect(growthExponent(sizes, [4, 4, 4])).toBeCloseTo(0, 10);
  });
});

describe('the smoke plan, end to end in this process', () => {
  it('runs every case and reports every section and target', async () => {
    const measured: Measured[] = [];
    for (const job of plan('smoke')) measured.push({ job, result: await runJob(job) } as Measured);
    const results = buildResults(measured, { plan: 'smoke' });

    expect(Object.keys(results.throughput['1']!)).toEqual(['plain', 'raw', 'raw-actors', 'raw-chart', 'echelon']);
    expect(Object.keys(results.throughput['1000']!)).toEqual(['plain', 'raw', 'raw-actors', 'raw-chart', 'echelon', 'echelon-queued']);
    expect(Object.keys(results.throughput['100']!)).toEqual([
      'plain', 'raw', 'raw-actors', 'raw-chart', 'echelon', 'echelon-inspect', 'echelon-inspect-json', 'echelon-memory-store', 'echelon-sqlite',
    ]);
    expect(Object.keys(results.ratios['100']!)).toEqual(['plain', 'raw', 'raw-actors', 'raw-chart']);
    for (const { result, job } of measured) {
      if (job.case === 'throughput') expect((result as { tasksPerSecond: number[] }).tasksPerSecond).toHaveLength(job.runs);
    }
    expect(Object.keys(results.inspection!.variants)).toEqual(['echelon-inspect', 'echelon-inspect-json']);
    const streaming = results.streaming!;
    expect(Object.keys(streaming.variants)).toEqual(['echelon', 'echelon-progress', 'echelon-progress-watched', 'echelon-stream']);
    expect(streaming.variants.echelon!.cpuRatio).toBe(1);
    expect(streaming.variants['echelon-stream']!.progressPerSecond).toBe(streaming.variants['echelon-stream']!.tasksPerSecond.median * 10);
    for (const row of Object.values(streaming.variants)) expect(row.tasksPerSecond.runs).toHaveLength(2);
    expect(Object.keys(results.latency)).toEqual(['plain', 'raw', 'raw-chart', 'echelon']);
    expect(Object.keys(results.perHop)).toEqual(['plain', 'raw', 'raw-chart', 'echelon']);
    expect(results.scale.echelon.map((row) => [row.agents, row.depth])).toEqual([
      [111, 2],
      [1_111, 3],
    ]);
    expect(results.scale.echelon.every((row) => Number.isFinite(row.actorBytesPerAgent.median) && Number.isFinite(row.startMs.median))).toBe(true);
    // The other shapes beside the 10-per-manager organisation of the same size: all under the root, one chain.
    expect(results.scale.shapes.map((row) => [row.agents, row.shape, row.depth])).toEqual([
      [111, 'wide', 2],
      [111, 'flat', 1],
      [111, 'chain', 110],
      [1_111, 'wide', 3],
      [1_111, 'flat', 1],
      [1_111, 'chain', 1_110],
    ]);
    for (const row of results.scale.shapes.filter((candidate) => candidate.shape !== 'wide')) {
      // Heap readings mean little without --expose-gc (as here): only finite.
      expect(row.vsWide!.startCpu > 0 && row.vsWide!.stopCpu > 0 && Number.isFinite(row.vsWide!.startCpu + row.vsWide!.stopCpu + row.vsWide!.heap)).toBe(true);
    }
    expect(Object.keys(results.scale.shapeExponents)).toEqual(['wide', 'flat', 'chain']);
    expect(Object.keys(results.scale.routeVsRaw)).toEqual(['111', '1111']);
    // The chart's own floor under the route ratio: the raw tree running echelon's chart, at the same sizes.
    expect(results.scale.rawChart.map((row) => row.agents)).toEqual([111, 1111]);
    expect(Object.keys(results.scale.chartRouteVsRaw)).toEqual(['111', '1111']);
    expect(results.memory!.readings.map((reading) => reading.tasks)).toEqual([100, 200, 400]);
    expect(Object.keys(results.persistence!.variants)).toEqual(['echelon-memory-store', 'echelon-sqlite']);
    expect(results.persistence!.inFlight).toBe(100);
    for (const { ratio } of Object.values(results.persistence!.variants)) expect(Number.isFinite(ratio) && ratio > 0).toBe(true);
    expect(results.targets.map((target) => target.name)).toEqual([
      'throughput at 100 in flight vs raw XState',
      'throughput at 100 in flight vs raw XState + task actors',
      'cost per delegation hop vs raw XState',
      'start 1,111 agents',
      'heap per agent, 1,111 agents (actors + hierarchy)',
      'root → leaf vs the raw XState tree, 10 per manager',
      '1,111-report manager: start and stop vs 10 per manager',
      '1,111-deep chain: start and stop vs 10 per manager',
      'heap after 400 tasks vs 200',
      'simulate 1 h of the development team',
      'simulate 111 agents, 200 tasks',
    ]);
    // The simulations ran to the end: every task settled, a whole day simulated; the small wide run is not judged.
    expect(results.simulation!.devDay!.completed).toBe(results.simulation!.devDay!.tasks);
    expect(results.simulation!.devDay!.simulatedMs).toBeGreaterThanOrEqual(3_600_000);
    expect([results.simulation!.wide!.agents, results.simulation!.wide!.tasks, results.simulation!.wide!.completed]).toEqual([111, 200, 200]);
    expect(results.targets.slice(-2).map((target) => target.met)).toEqual([undefined, undefined]);
    // The floor under the wide simulation: the raw tree took its slice of the tasks through the same organisation.
    expect([results.simulation!.floor!.agents, results.simulation!.floor!.tasks, results.simulation!.floor!.completed]).toEqual([111, 20, 20]);
    expect(results.targets.at(-1)!.measured).toMatch(/the raw XState tree alone: \d+ µs CPU per task/);
    const table = formatResults(results);
    for (const section of ['1–2. Throughput', '3. Latency', '4. Scale', '4b. Shapes', '5. Memory', '6. Inspection', '7. Persistence', '8. Simulation', '9. Streaming cost', 'progress events/s', 'Targets', 'the chart alone ÷ raw XState', 'the raw XState tree, same organisation']) expect(table).toContain(section);
  }, 120_000); // every job of the plan in this process: ~20 s alone, more on a shared machine
});
