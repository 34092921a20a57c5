/**
 * The Restate floor's bookkeeping (bench/cases/restate-floor.ts, bench/restate-floor-report.ts),
 * without a server: how deep each task type routes (the floor's designed invocation count), how
 * the server's counters are read, and how per-round readings become the section's figures. The
 * figures themselves come from `npm run bench -- --only=restate-floor`, never from a test.
 */
import { describe, expect, it } from 'vitest';
import { developmentTeam } from '../src/index.js';
import { routeDepths, type FloorPhase, type FloorPhaseRun, type RestateFloorJob } from '../bench/cases/restate-floor.js';
import { floorMeasured, floorSection, formatFloor } from '../bench/restate-floor-report.js';
import { metricSum } from '../bench/restate-process.js';
import { routingTree } from '../bench/systems/routing.js';
import { formatResults } from '../bench/table.js';
import { buildResults, type Measured } from '../bench/report.js';

const job: RestateFloorJob = { count: 10, warmup: 0, inFlight: 5, rounds: 3, probeCalls: 100, probeInFlight: 5, chainHops: 5 };

/** A phase reading: `units` done in `ms`, the server spending `server` ms over `invocations` invocations. */
const run = (units: number, ms: number, server: number, invocations: number, service: Partial<Record<'floor' | 'echelon', number>> = {}): FloorPhaseRun => ({
  units,
  ms,
  cpuMs: { 'restate-server': server, floor: service.floor ?? 0, echelon: service.echelon ?? 0, client: units },
  counters: { invocations, logRecords: invocations * 4, keysWritten: invocations * 20 },
  scheduled: 0,
});

/** Three rounds; the floor's and echelon's figures differ by round so the median is the middle one. */
function rounds(): Array<Record<FloorPhase, FloorPhaseRun>> {
  return [1, 2, 3].map((scale) => ({
    floor: { ...run(10, 500 * scale, 300, 50, { floor: 100 }), plannedInvocations: 50 },
    echelon: { ...run(10, 1_500 * scale, 1_000, 160, { echelon: 500 }), scheduled: 10 },
    noop: run(100, 400, 250 + scale, 100, { floor: 100 }),
    clock: run(100, 500, 300, 100, { floor: 150 }),
    write: run(100, 450, 280, 100, { floor: 120 }),
    'one-key': run(100, 1_000 * scale, 300, 100, { floor: 120 }),
    'chain-short': run(100, 800, 500, 200, { floor: 200 }),
    'chain-long': run(100, 2_000, 500 + 100 * 4 * 3 * scale, 600, { floor: 600 }),
    idle: run(0, 2_000, 100 * scale, 0),
  }));
}

describe('the Restate floor', () => {
  it('routes each type as deep as its deepest capable agent: the root 1, a lead 2, a specialist 3, a developer 4', () => {
    const depthOf = routeDepths(routingTree(developmentTeam()).root);
    expect(['strategy', 'coordination', 'database', 'python'].map(depthOf)).toEqual([1, 2, 3, 4]);
    expect(() => depthOf('quantum_computing')).toThrow(/quantum_computing/);
  });

  it('sums a counter over its labels, ignoring other metrics that share its prefix', () => {
    const text = ['# TYPE x counter', 'restate_x{partition="0"} 3', 'restate_x{partition="1"} 4.5', 'restate_x_total 100', 'restate_x 1'].join('\n');
    expect(metricSum(text, 'restate_x')).toBe(8.5);
    expect(metricSum(text, 'restate_y')).toBe(0);
  });

  it('turns rounds into medians per task, per invocation and per hop, with echelon ÷ floor and the ceilings', () => {
    const section = floorSection(job, { rounds: rounds() }, 2);
    expect(floorMeasured(section)).toBe(true);
    if (!floorMeasured(section)) return;
    const { floor, echelon } = section.systems;
    expect([floor.tasksPerSecond, floor.invocationsPerTask, floor.serverMsPerTask, floor.serverMsPerInvocation, floor.serviceMsPerTask]).toEqual([10, 5, 30, 6, 10]);
    expect([echelon.invocationsPerTask, echelon.delayedPerTask, echelon.serverMsPerTask, echelon.serviceMsPerTask]).toEqual([16, 1, 100, 50]);
    expect(floor.delayedPerTask).toBe(0);
    expect(section.ratios.tasksPerSecond).toBeCloseTo(1 / 3, 10);
    expect(section.ratios.invocationsPerTask).toBeCloseTo(3.2, 10);
    expect(section.floorPlannedInvocationsPerTask).toBe(5);
    expect(section.probes.noop.serverMs).toBeCloseTo(2.52, 10);
    expect(section.probes.oneKey.callsPerSecond).toBe(50);
    // Each extra hop of the long chain over the short one: the median round spends 2,400 ms more over 100 calls × 4 extra hops.
    expect(section.probes.hop.serverMs).toBeCloseTo(6, 10);
    expect(section.probes.hop.serviceMs).toBeCloseTo(1, 10);
    expect(section.serverIdleMsPerSecond).toBe(100);
    expect(section.ceilings.floorServerOnly).toBeCloseTo(2000 / 30, 10);
    // Server 30, service 10, client 1 ms per task (the client's CPU is one ms per unit here).
    expect(section.ceilings.floorAllProcesses).toBeCloseTo(2000 / 41, 10);
    expect(section.ceilings.echelonAllProcesses).toBeCloseTo(2000 / 151, 10);
    expect(section.ceilings.invocationsAt200Trivial).toBeCloseTo(10 / 2.52, 10);
    expect(section.ceilings.invocationsAt200Floor).toBeCloseTo(10 / 6, 10);
    expect(formatFloor(section, () => 'grid').join('\n')).toMatch(/3\.97 invocations at the trivial handler's server cost, 1\.67 at the floor's \(its tasks make 5\.00\)/);
  });

  it('reports a skipped job with its reason, in the section and the printed table', () => {
    const skipped = { job: { case: 'restate-floor', ...job }, result: { skipped: 'missing_dependency: npm install @restatedev/restate-server', rounds: [] } } as unknown as Measured;
    const results = buildResults([skipped], { plan: 'test' });
    expect(floorMeasured(results.restate?.floor)).toBe(false);
    expect(formatResults(results)).toContain('8b. Restate floor: skipped — missing_dependency');
  });
});
