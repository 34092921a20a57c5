/**
 * The organisation on a real Restate server: throughput (tasks/s with a fixed number in flight)
 * and latency (one in flight, p50/p99) through the development team served by 1, 2 or 3 service
 * processes (everything in one; the executive with the backend and the frontend apart; each of
 * the three apart), and the CPU time each process spent per task — where the time goes. Skipped,
 * with the reason, when @restatedev/restate-server is not installed.
 */
import { join } from 'node:path';
import { developmentTeam, type Orchestrator } from '../../src/index.js';
import { restateServerBinary } from '../../src/restate/server.js';
import { startRestateCluster, type ServiceProcessSpec } from '../../test/support/restate-cluster.js';
import { processCpuMs as cpuMs } from '../restate-process.js';
import { percentile } from '../stats.js';
import type { System } from '../systems/types.js';
import { pump, taskMix } from '../workload.js';

export interface RestateJob {
  readonly processes: 1 | 2 | 3;
  readonly count: number;
  readonly warmup: number;
  readonly inFlight: number;
  /** Tasks timed one at a time for latency. */
  readonly latencyTasks: number;
}

export interface RestateResult {
  /** Why nothing was measured (the server package is missing). */
  readonly skipped?: string;
  readonly tasksPerSecond: readonly number[];
  readonly p50Ms?: number;
  readonly p99Ms?: number;
  /** CPU ms per task during the throughput run, by process (restate-server, and each service process). */
  readonly cpuMsPerTask?: Readonly<Record<string, number>>;
}

/** How the development team's units are spread over the processes. */
export const PLACEMENTS: Readonly<Record<RestateJob['processes'], readonly ServiceProcessSpec[]>> = {
  1: [{ name: 'all', hosts: ['cto', 'backend_lead', 'frontend_lead'] }],
  2: [{ name: 'executive+backend', hosts: ['cto', 'backend_lead'] }, { name: 'frontend', hosts: ['frontend_lead'] }],
  3: [{ name: 'executive', hosts: ['cto'] }, { name: 'backend', hosts: ['backend_lead'] }, { name: 'frontend', hosts: ['frontend_lead'] }],
};

/** A client of the organisation on Restate as a bench system: a task that does not complete fails the run. */
export function orchestratorSystem(name: string, client: Pick<Orchestrator, 'submit'>): System {
  return {
    name,
    submit: async (type: string) => {
      const outcome = await client.submit({ type });
      if (outcome.status !== 'completed') throw new Error(`a ${type} task ended ${outcome.status}: ${outcome.error?.message}`);
      return { executedBy: outcome.executedBy!, chain: outcome.delegationChain, result: outcome.result };
    },
    stop: async () => {},
  };
}

export async function measureRestate(job: RestateJob): Promise<RestateResult> {
  try {
    restateServerBinary();
  } catch (error) {
    return { skipped: (error as Error).message, tasksPerSecond: [] };
  }
  // Compiled into .bench-build/bench/cases/: the organisation module sits beside this file's folder.
  const organisationModule = join(import.meta.dirname, '..', 'restate-org.js');
  const { default: organisation } = (await import('../restate-org.js')) as { default: () => import('../../src/restate/index.js').RestateOrganisationOptions };
  const { restateOrchestrator } = await import('../../src/restate/index.js');
  const cluster = await startRestateCluster({ organisation: organisationModule, processes: PLACEMENTS[job.processes] });
  const client = restateOrchestrator({ ...organisation(), ingressUrl: cluster.server.ingressUrl, adminUrl: cluster.server.adminUrl });
  const hierarchy = developmentTeam();
  const typeAt = taskMix(hierarchy);
  const system = orchestratorSystem(`restate-${job.processes}`, client);
  try {
    await pump(system, { count: job.warmup, typeAt, inFlight: job.inFlight });
    const pids = { 'restate-server': cluster.server.pid, ...Object.fromEntries(PLACEMENTS[job.processes].map((spec) => [spec.name, cluster.process(spec.name).pid])) };
    const before = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, cpuMs(pid)]));
    const { ms, completed } = await pump(system, { count: job.count, typeAt, inFlight: job.inFlight });
    const cpuMsPerTask = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, (cpuMs(pid) - before[name]!) / completed]));
    const latencies = new Float64Array(job.latencyTasks);
    await pump(system, { count: job.latencyTasks, typeAt, inFlight: 1, latencies });
    return { tasksPerSecond: [(completed / ms) * 1000], p50Ms: percentile([...latencies], 50), p99Ms: percentile([...latencies], 99), cpuMsPerTask };
  } finally {
    await client.stop();
    await cluster.stop();
  }
}
