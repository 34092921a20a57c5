/**
 * The simulation section of the benchmark: a day of the development team and the wide
 * organisation's million tasks, their wall and CPU time, and the two targets.
 */
import type { SimulationResult } from './cases/simulation.js';
import type { Target } from './report.js';

/** What the benchmark reports of the simulation jobs (one run each). */
export interface SimulationResults {
  readonly devDay?: SimulationResult;
  readonly wide?: SimulationResult;
  /** The raw XState tree taking a slice of the wide organisation's tasks: the floor under it. */
  readonly floor?: SimulationResult;
}

/** CPU time per task, in µs. */
const cpuPerTask = (result: SimulationResult) => (result.cpuMs * 1000) / result.tasks;

export function simulationResults(results: readonly SimulationResult[]): SimulationResults | undefined {
  const devDay = results.find((result) => result.system === 'dev-day');
  const wide = results.find((result) => result.system === 'wide');
  const floor = results.find((result) => result.system === 'wide-floor');
  if (devDay === undefined && wide === undefined && floor === undefined) return undefined;
  return { ...(devDay === undefined ? {} : { devDay }), ...(wide === undefined ? {} : { wide }), ...(floor === undefined ? {} : { floor }) };
}

export function simulationTargets(results: SimulationResults | undefined): Target[] {
  const { devDay, wide, floor } = results ?? {};
  // What the raw tree's CPU per task comes to over the full million: the least any actor tree of this shape needs.
  const floorNote = floor === undefined ? '' : `; the raw XState tree alone: ${cpuPerTask(floor).toFixed(0)} µs CPU per task, ${((cpuPerTask(floor) * 1_000_000) / 1e6).toFixed(0)} s for 1,000,000`;
  const full = wide !== undefined && wide.agents >= 100_000 && wide.tasks >= 1_000_000;
  return [
    {
      name: devDay === undefined || (devDay.hours ?? 24) >= 24 ? 'simulate a day of the development team' : `simulate ${devDay.hours} h of the development team`,
      goal: '< 5 s wall',
      measured: devDay === undefined ? 'not measured' : `${(devDay.wallMs / 1000).toFixed(2)} s (${devDay.tasks} tasks)`,
      // Judged only on a whole day (the smoke plan simulates an hour).
      met: devDay === undefined || (devDay.hours ?? 24) < 24 ? undefined : devDay.wallMs < 5_000,
    },
    {
      name: wide === undefined ? 'simulate 100,000 agents, 1,000,000 tasks' : `simulate ${wide.agents.toLocaleString('en-US')} agents, ${wide.tasks.toLocaleString('en-US')} tasks`,
      goal: '< 60 s wall at 100,000 agents and 1,000,000 tasks',
      measured: wide === undefined ? 'not measured' : `${(wide.wallMs / 1000).toFixed(1)} s (${Math.round(wide.tasksPerSecond).toLocaleString('en-US')} tasks/s)${floorNote}`,
      // Judged only at the full size; a smaller run (the quick plan) says what it measured and no more.
      met: wide === undefined || !full ? undefined : wide.wallMs < 60_000,
    },
  ];
}

export function simulationLines(results: SimulationResults | undefined, grid: (header: readonly string[], rows: readonly (readonly string[])[]) => string): string[] {
  if (results === undefined) return [];
  const names = { 'dev-day': 'development team', wide: 'wide, 10 per manager, load balancing', 'wide-floor': 'the raw XState tree, same organisation (no simulator)' } as const;
  const rows = [results.devDay, results.wide, results.floor].filter((result): result is SimulationResult => result !== undefined).map((result) => [
    names[result.system],
    result.agents.toLocaleString('en-US'),
    result.tasks.toLocaleString('en-US'),
    result.system === 'wide-floor' ? '—' : `${(result.simulatedMs / 3_600_000).toFixed(1)} h`,
    (result.buildMs / 1000).toFixed(2),
    (result.wallMs / 1000).toFixed(2),
    (result.cpuMs / 1000).toFixed(2),
    cpuPerTask(result).toFixed(0),
    Math.round(result.tasksPerSecond).toLocaleString('en-US'),
    result.heapMB.toFixed(0),
  ]);
  return ['', '8. Simulation (echelon/simulate): the real organisation on a simulated clock, one run each', grid(['organisation', 'agents', 'tasks', 'simulated', 'build s', 'wall s', 'cpu s', 'cpu µs/task', 'tasks/s (wall)', 'heap MB'], rows)];
}
