/**
 * The benchmark's jobs: what each measurement runs, and the plans — the full benchmark
 * (`npm run bench`), a quick one for development (`npm run bench -- --quick`) and the tiny one
 * the smoke test runs in-process.
 */
import { measureLatency, measurePerHop, type HopJob, type LatencyJob } from './cases/latency.js';
import { measureMemory, type MemoryJob } from './cases/memory.js';
import { measureRestate, type RestateJob } from './cases/restate.js';
import { measureRestateFloor, type RestateFloorJob } from './cases/restate-floor.js';
import { measureRestore, type RestoreJob } from './cases/restore.js';
import { measureScale, type ScaleJob, type ScaleShape } from './cases/scale.js';
import { measureSimulation, type SimulationJob } from './cases/simulation.js';
import { measureStreaming, type StreamingJob } from './cases/streaming.js';
import { measureThroughput, type ThroughputJob } from './cases/throughput.js';
import type { SystemKey } from './systems/index.js';

export type Job =
  | ({ readonly case: 'throughput' } & ThroughputJob)
  | ({ readonly case: 'latency' } & LatencyJob)
  | ({ readonly case: 'hop' } & HopJob)
  | ({ readonly case: 'scale' } & ScaleJob)
  | ({ readonly case: 'memory' } & MemoryJob)
  | ({ readonly case: 'simulation' } & SimulationJob)
  | ({ readonly case: 'streaming' } & StreamingJob)
  | ({ readonly case: 'restate' } & RestateJob)
  | ({ readonly case: 'restate-floor' } & RestateFloorJob)
  | ({ readonly case: 'restore' } & RestoreJob);

export type JobResult = Awaited<ReturnType<typeof runJob>>;

/** Runs one job in this process. */
export function runJob(job: Job) {
  switch (job.case) {
    case 'throughput':
      return measureThroughput(job);
    case 'latency':
      return measureLatency(job);
    case 'hop':
      return measurePerHop(job);
    case 'scale':
      return measureScale(job);
    case 'memory':
      return measureMemory(job);
    case 'simulation':
      return measureSimulation(job);
    case 'streaming':
      return measureStreaming(job);
    case 'restate':
      return measureRestate(job);
    case 'restate-floor':
      return measureRestateFloor(job);
    case 'restore':
      return measureRestore(job);
  }
}

/** How a worker marks its result line on stdout. */
export const RESULT_MARK = '@@bench-result ';

export type PlanName = 'full' | 'quick' | 'smoke';

/** The systems in the throughput table, in order. */
const THROUGHPUT_SYSTEMS = ['plain', 'raw', 'raw-actors', 'raw-chart', 'echelon'] as const satisfies readonly SystemKey[];
const LATENCY_SYSTEMS = ['plain', 'raw', 'raw-chart', 'echelon'] as const satisfies readonly SystemKey[];

/** The shapes of organisation the scale case compares at the sizes in `shapes`: 10 reports per manager, all under the root, one chain. */
const SHAPES = ['wide', 'flat', 'chain'] as const satisfies readonly ScaleShape[];
/** Root → leaf through a 10,000-deep chain is 20,000 messages: fewer routes (the first, then the median of 3, none untimed). */
const CHAIN_ROUTES = { routes: 3 } as const;

/**
 * Sizes of each plan. The full plan is the one the targets are judged on; it keeps to about ten
 * minutes on a 2-core machine by running echelon's configurations 3 times (the baselines, which
 * take a second, 5 times), the 100,000-agent organisation twice and the million tasks once.
 */
const SIZES = {
  full: { routes: { routes: 100, warmRoutes: 400 }, tasks: 20_000, warmup: 5_000, runs: 5, echelonRuns: 3, latencyTasks: 2_000, hopTasks: 300, scale: [1_000, 10_000, 100_000], scaleRuns: [3, 3, 2], shapes: [1_000, 10_000], memory: [10_000, 100_000, 1_000_000], simulation: { agents: 100_000, tasks: 1_000_000 }, day: 24, restate: 200, restore: 500, floor: { count: 200, rounds: 3, probeCalls: 400 } },
  quick: { routes: { routes: 100, warmRoutes: 200 }, tasks: 4_000, warmup: 1_000, runs: 3, echelonRuns: 3, latencyTasks: 500, hopTasks: 100, scale: [1_000, 10_000, 100_000], scaleRuns: [1, 1, 1], shapes: [1_000, 10_000], memory: [10_000, 50_000, 100_000], simulation: { agents: 100_000, tasks: 50_000 }, day: 24, restate: 100, restore: 200, floor: { count: 80, rounds: 3, probeCalls: 200 } },
  smoke: { routes: { routes: 10, warmRoutes: 10 }, tasks: 200, warmup: 50, runs: 2, echelonRuns: 2, latencyTasks: 50, hopTasks: 10, scale: [111, 1_111], scaleRuns: [1, 1], shapes: [111, 1_111], memory: [100, 200, 400], simulation: { agents: 111, tasks: 200 }, day: 1, restate: 0, restore: 20, floor: { count: 0, rounds: 0, probeCalls: 0 } },
} as const;

/** Every job of a plan, in the order they run. */
export function plan(name: PlanName): Job[] {
  const size = SIZES[name];
  const jobs: Job[] = [];
  const throughput = (system: SystemKey, inFlight: number): Job => ({
    case: 'throughput',
    system,
    inFlight,
    count: size.tasks,
    warmup: size.warmup,
    runs: system.startsWith('echelon') ? size.echelonRuns : size.runs,
  });
  for (const inFlight of [1, 100, 1000]) for (const system of THROUGHPUT_SYSTEMS) jobs.push(throughput(system, inFlight));
  // echelon's default (one task at a time per agent, the rest queued), where queueing matters.
  jobs.push(throughput('echelon-queued', 1000));
  for (const system of ['echelon-inspect', 'echelon-inspect-json'] as const) jobs.push(throughput(system, 100));
  // The cost of durability: the same throughput on the in-memory store and on a SQLite file.
  for (const system of ['echelon-memory-store', 'echelon-sqlite'] as const) jobs.push(throughput(system, 100));
  // The cost of streaming: progress nobody hears, one listener hears, every task followed by its own stream — alternated in one process.
  jobs.push({ case: 'streaming', inFlight: 100, count: size.tasks, warmup: size.warmup, runs: size.runs });
  for (const system of LATENCY_SYSTEMS) {
    jobs.push({ case: 'latency', system, count: size.latencyTasks, warmup: size.latencyTasks, runs: 3 });
    jobs.push({ case: 'hop', system, depth: 16, levels: [0, 5, 10, 15], perLevel: size.hopTasks, runs: 3 });
  }
  size.scale.forEach((agents, index) => {
    // The other shapes of the same size alternate with the 10-per-manager organisation they are compared with.
    const shapes = size.shapes.includes(agents as never) ? SHAPES : (['wide'] as const);
    for (let run = 0; run < size.scaleRuns[index]!; run++) {
      for (const shape of shapes) jobs.push({ case: 'scale', system: 'echelon', size: agents, ...(shape === 'wide' ? {} : { shape }), ...(shape === 'chain' ? CHAIN_ROUTES : size.routes) });
      // The raw tree, and the raw tree running echelon's chart (what the five states alone cost a route),
      // as many times as echelon and alternating with it: a route's time swings 2× between runs here.
      for (const system of ['raw', 'raw-chart'] as const) jobs.push({ case: 'scale', system, size: agents, ...size.routes });
    }
  });
  jobs.push({ case: 'memory', system: 'echelon', checkpoints: size.memory, every: size.memory[0]!, inFlight: 100 });
  jobs.push({ case: 'simulation', system: 'dev-day', hours: size.day });
  jobs.push({ case: 'simulation', system: 'wide', ...size.simulation });
  // The floor under it: the raw XState tree taking a tenth of those tasks through the same organisation.
  jobs.push({ case: 'simulation', system: 'wide-floor', agents: size.simulation.agents, tasks: Math.ceil(size.simulation.tasks / 10) });
  // On a real Restate server: a few hundred tasks per placement at most (each runs at tens of tasks/s, not thousands).
  if (size.restate > 0) for (const processes of [1, 2, 3] as const) jobs.push({ case: 'restate', processes, count: size.restate, warmup: Math.ceil(size.restate / 4), inFlight: 50, latencyTasks: 20 });
  // echelon on Restate beside the floor under it (the same hierarchy on Restate with the SDK alone), alternated on one server;
  // the warm-up is the mix twice (22 types), every task checked to route as echelon routes it.
  if (size.floor.count > 0) jobs.push({ case: 'restate-floor', count: size.floor.count, warmup: 44, inFlight: 50, rounds: size.floor.rounds, probeCalls: size.floor.probeCalls, probeInFlight: 50, chainHops: 5 });
  jobs.push({ case: 'restore', parked: 50, iterations: size.restore, runs: 3 });
  return jobs;
}
