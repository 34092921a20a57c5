/**
 * Latency at low load: each task's submit → outcome time with one task in flight, through the
 * development team (p50, p99), and the cost of one more level of delegation — the slope of
 * median latency against depth in a chain of managers (one message down, one back up, and the
 * agent's decision in between).
 */
import { developmentTeam } from '../../src/index.js';
import { chainOrganisation, levelWork } from '../hierarchies.js';
import { linearFit, median, percentile } from '../stats.js';
import { SYSTEMS, type SystemKey } from '../systems/index.js';
import { pump, taskMix } from '../workload.js';
import { collectGarbage } from './heap.js';

export interface LatencyJob {
  readonly system: SystemKey;
  /** Tasks per run (sequential, one in flight). */
  readonly count: number;
  readonly warmup: number;
  readonly runs: number;
}

export interface LatencyResult {
  /** Per run, in ms. */
  readonly p50: readonly number[];
  readonly p99: readonly number[];
}

export async function measureLatency(job: LatencyJob): Promise<LatencyResult> {
  const hierarchy = developmentTeam();
  const system = SYSTEMS[job.system]({ hierarchy, inFlight: 1 });
  const typeAt = taskMix(hierarchy);
  try {
    await pump(system, { count: job.warmup, typeAt, inFlight: 1 });
    const p50: number[] = [];
    const p99: number[] = [];
    for (let run = 0; run < job.runs; run++) {
      collectGarbage();
      const latencies = new Float64Array(job.count);
      await pump(system, { count: job.count, typeAt, inFlight: 1, latencies });
      p50.push(percentile([...latencies], 50));
      p99.push(percentile([...latencies], 99));
    }
    return { p50, p99 };
  } finally {
    await system.stop();
  }
}

export interface HopJob {
  readonly system: SystemKey;
  /** Agents in the chain. */
  readonly depth: number;
  /** Levels whose tasks are timed (0 = the root executes). */
  readonly levels: readonly number[];
  /** Tasks per level per run. */
  readonly perLevel: number;
  readonly runs: number;
}

export interface HopResult {
  /** The fitted cost of one more level, in ms, per run. */
  readonly perHop: readonly number[];
  /** Median latency (ms) per timed level, from the last run. */
  readonly byLevel: Readonly<Record<number, number>>;
}

export async function measurePerHop(job: HopJob): Promise<HopResult> {
  const hierarchy = chainOrganisation(job.depth);
  const system = SYSTEMS[job.system]({ hierarchy, inFlight: 1 });
  try {
    for (const level of job.levels) await pump(system, { count: job.perLevel, typeAt: () => levelWork(level), inFlight: 1 });
    const perHop: number[] = [];
    let byLevel: Record<number, number> = {};
    for (let run = 0; run < job.runs; run++) {
      byLevel = {};
      for (const level of job.levels) {
        collectGarbage();
        const latencies = new Float64Array(job.perLevel);
        await pump(system, { count: job.perLevel, typeAt: () => levelWork(level), inFlight: 1, latencies });
        byLevel[level] = median([...latencies]);
      }
      perHop.push(linearFit(job.levels, job.levels.map((level) => byLevel[level]!)).slope);
    }
    return { perHop, byLevel };
  } finally {
    await system.stop();
  }
}
