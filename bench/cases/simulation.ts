/**
 * Simulation at scale: `simulate` running an organisation on the simulated clock, timed in wall
 * and CPU time. Two jobs: a day of simulated time for the development team (target: under 5 s of
 * wall time), and a wide organisation of 100,000 agents taking 1,000,000 tasks (target: under 60 s).
 * Both report the organisation's own routing cost against the simulation's book-keeping: the same
 * run with statecharts tracked or not, and the number of timer firings per task. A third job is the
 * floor under the second: the raw XState tree of the bench's baselines (routing and nothing else, no
 * simulated clock) taking a slice of the same tasks through the same 100,000 agents, so the report
 * can say what 1,000,000 tasks cost an actor tree of that shape before echelon does anything.
 */
import { developmentTeam, loadBalancing } from '../../src/index.js';
import { latency, simulate, type SimulationOptions } from '../../src/simulate/index.js';
import { LEAF_WORK, wideOrganisation } from '../hierarchies.js';
import { cpuMs } from '../stats.js';
import { SYSTEMS } from '../systems/index.js';
import { pump } from '../workload.js';

export interface SimulationJob {
  readonly system: 'dev-day' | 'wide' | 'wide-floor';
  /** Agents of the wide organisation. */
  readonly agents?: number;
  /** Tasks the wide organisation takes. */
  readonly tasks?: number;
  /** Simulated hours of the development team's day (default 24; the smoke plan runs one). */
  readonly hours?: number;
}

export interface SimulationResult {
  readonly system: SimulationJob['system'];
  readonly agents: number;
  readonly tasks: number;
  readonly completed: number;
  readonly simulatedMs: number;
  /** The development team's workload, in hours (arrivals stop then; the run goes on until every task settles). */
  readonly hours?: number;
  readonly buildMs: number;
  readonly wallMs: number;
  readonly cpuMs: number;
  /** Submitted tasks per second of wall time. */
  readonly tasksPerSecond: number;
  readonly heapMB: number;
}

/** The development team's day: every capability's work arriving at random, people answering approvals. */
function devDay(hours: number): SimulationOptions {
  const hierarchy = developmentTeam();
  const types = [...new Set(hierarchy.nodes().flatMap((node) => node.capabilities))];
  return {
    organisation: { hierarchy, execution: { timeoutMs: 3_600_000 } },
    agents: { byRole: { worker: { latency: latency.lognormal(300_000, 0.5), cost: 2_000 } }, default: { latency: latency.lognormal(120_000, 0.5), cost: 800 } },
    people: { approvals: { responseMs: latency.exponential(600_000) } },
    workload: {
      arrivals: [...types.map((task) => ({ task, perSecond: 1 / 3_600 })), { task: { type: 'python', context: { requiresApproval: true } }, perSecond: 1 / 7_200 }],
      durationMs: hours * 3_600_000,
    },
    seed: 1,
  };
}

/**
 * 100,000 agents (10 per manager, 90,000 leaves) taking `tasks` tasks: arrivals fast enough to
 * keep a thousand in flight (executions of a fixed second), spread by load balancing over the leaves.
 */
function wide(agents: number, tasks: number): SimulationOptions {
  return {
    organisation: { hierarchy: wideOrganisation(agents, 10), strategy: loadBalancing() },
    agents: { default: { latency: latency.fixed(1_000) } },
    workload: { arrivals: [{ task: LEAF_WORK, everyMs: 1 }], maxTasks: tasks, durationMs: Infinity },
    trackStates: false,
    seed: 1,
  };
}

export async function measureSimulation(job: SimulationJob): Promise<SimulationResult> {
  if (job.system === 'wide-floor') return measureFloor(job.agents ?? 100_000, job.tasks ?? 100_000);
  let started = performance.now();
  const options = job.system === 'dev-day' ? devDay(job.hours ?? 24) : wide(job.agents ?? 100_000, job.tasks ?? 1_000_000);
  const buildMs = performance.now() - started;
  started = performance.now();
  const cpu = cpuMs();
  const report = await simulate(options);
  const wallMs = performance.now() - started;
  return {
    system: job.system,
    agents: options.organisation.hierarchy.size,
    tasks: report.tasks.submitted,
    completed: report.tasks.completed,
    simulatedMs: report.simulatedMs,
    ...(job.system === 'dev-day' ? { hours: job.hours ?? 24 } : {}),
    buildMs,
    wallMs,
    cpuMs: cpuMs() - cpu,
    tasksPerSecond: report.tasks.submitted / (wallMs / 1000),
    heapMB: process.memoryUsage().heapUsed / 1024 / 1024,
  };
}

/** The raw XState tree taking `tasks` leaf tasks through the wide organisation, a thousand in flight (as the simulation keeps). */
async function measureFloor(agents: number, tasks: number): Promise<SimulationResult> {
  let started = performance.now();
  const hierarchy = wideOrganisation(agents, 10);
  const system = SYSTEMS.raw({ hierarchy, inFlight: 1_000 });
  const buildMs = performance.now() - started;
  try {
    // Warm the path first, as the throughput cases do.
    await pump(system, { count: Math.min(2_000, tasks), typeAt: () => LEAF_WORK, inFlight: 1_000 });
    started = performance.now();
    const cpu = cpuMs();
    const run = await pump(system, { count: tasks, typeAt: () => LEAF_WORK, inFlight: 1_000 });
    const wallMs = performance.now() - started;
    return {
      system: 'wide-floor',
      agents: hierarchy.size,
      tasks,
      completed: run.completed,
      simulatedMs: 0,
      buildMs,
      wallMs,
      cpuMs: cpuMs() - cpu,
      tasksPerSecond: tasks / (wallMs / 1000),
      heapMB: process.memoryUsage().heapUsed / 1024 / 1024,
    };
  } finally {
    await system.stop();
  }
}
