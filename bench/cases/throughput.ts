/**
 * Throughput: tasks per second through the development team, with a fixed number of tasks in
 * flight, after a warm-up pass, `runs` times over the same system (a steady state).
 */
import { developmentTeam } from '../../src/index.js';
import { SYSTEMS, type SystemKey } from '../systems/index.js';
import { pump, taskMix } from '../workload.js';
import { collectGarbage } from './heap.js';

export interface ThroughputJob {
  readonly system: SystemKey;
  readonly inFlight: number;
  readonly count: number;
  readonly warmup: number;
  readonly runs: number;
}

export interface ThroughputResult {
  /** Tasks per second, one figure per run. */
  readonly tasksPerSecond: readonly number[];
}

export async function measureThroughput(job: ThroughputJob): Promise<ThroughputResult> {
  const hierarchy = developmentTeam();
  const system = SYSTEMS[job.system]({ hierarchy, inFlight: job.inFlight });
  const typeAt = taskMix(hierarchy);
  try {
    await pump(system, { count: job.warmup, typeAt, inFlight: job.inFlight });
    const tasksPerSecond: number[] = [];
    for (let run = 0; run < job.runs; run++) {
      collectGarbage();
      const { ms, completed } = await pump(system, { count: job.count, typeAt, inFlight: job.inFlight });
      tasksPerSecond.push((completed / ms) * 1000);
    }
    return { tasksPerSecond };
  } finally {
    await system.stop();
  }
}
