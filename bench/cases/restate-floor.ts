/**
 * echelon on Restate against the floor under it (issue 14), on one restate-server: the development
 * team through echelon's Restate host (every unit in one service process) and through the floor — the
 * same hierarchy mapped onto Restate by hand with the SDK alone (bench/systems/restate-floor-service.ts:
 * agents as virtual objects, a workflow per task, one-way sends down and results passed up every
 * manager) — alternated round by round with the same tasks and the same number in flight; and
 * single-invocation probes (an object handler doing nothing, reading the clock once, writing one
 * state key — on an object per caller, and on one object for all of them; a chain of one-way sends between objects, short and long, whose difference is the cost
 * of a hop). Each phase reads the CPU time of restate-server, of each service process and of this
 * (client) process from `/proc`, and the server's own counters (invocations started, log records,
 * keys written). Skipped, with the reason, when @restatedev/restate-server is not installed.
 */
import { join } from 'node:path';
import { developmentTeam } from '../../src/index.js';
import { freePorts, spawnGuarded } from '../../src/guarded-process.js';
import { adminQuery } from '../../src/restate/admin-query.js';
import { restateServerBinary, startRestateServer, type RestateServer } from '../../src/restate/server.js';
import { startRestateCluster } from '../../test/support/restate-cluster.js';
import { processCpuMs, serverCounters, type ServerCounters } from '../restate-process.js';
import { chainCall, floorSystem, probeCall, type FloorProbe } from '../systems/restate-floor.js';
import { nextHop, routingTree, type RouteNode } from '../systems/routing.js';
import type { Routed, System } from '../systems/types.js';
import { pump, taskMix } from '../workload.js';
import { orchestratorSystem, PLACEMENTS } from './restate.js';

export interface RestateFloorJob {
  /** Tasks per round, for echelon and for the floor alike. */
  readonly count: number;
  readonly warmup: number;
  readonly inFlight: number;
  readonly rounds: number;
  /** Calls per probe per round, `probeInFlight` of them at once. */
  readonly probeCalls: number;
  readonly probeInFlight: number;
  /** Hops of the long chain (the short one has 1). */
  readonly chainHops: number;
}

/** The processes whose CPU each phase reads. */
export type FloorProcess = 'restate-server' | 'floor' | 'echelon' | 'client';

/** What one phase of one round measured. */
export interface FloorPhaseRun {
  /** Tasks (echelon, floor) or calls (probes) done; wall time for idle. */
  readonly units: number;
  /** The invocations the floor's design makes for them (not known for echelon: read `counters.invocations`). */
  readonly plannedInvocations?: number;
  readonly ms: number;
  /** CPU ms spent during the phase, by process. */
  readonly cpuMs: Readonly<Record<FloorProcess, number>>;
  /** restate-server's counters over the phase. */
  readonly counters: ServerCounters;
  /**
   * Invocations the phase scheduled for later (delayed sends — echelon arms a timer per attempt, 5
   * minutes by default), which run after the phase, so neither its CPU nor `counters` include them.
   */
  readonly scheduled: number;
}

export const FLOOR_PHASES = ['floor', 'echelon', 'noop', 'clock', 'write', 'one-key', 'chain-short', 'chain-long', 'idle'] as const;
export type FloorPhase = (typeof FLOOR_PHASES)[number];

export interface RestateFloorResult {
  readonly skipped?: string;
  readonly rounds: ReadonlyArray<Readonly<Record<FloorPhase, FloorPhaseRun>>>;
}

/** How deep each task type executes in the hierarchy (the root is 1): the floor makes 2 invocations per level. */
export function routeDepths(root: RouteNode): (type: string) => number {
  const depths = new Map<string, number>();
  return (type) => {
    let depth = depths.get(type);
    if (depth !== undefined) return depth;
    depth = 1;
    for (let hop = nextHop(root, type); hop.kind !== 'execute'; hop = nextHop(hop.child, type), depth++) {
      if (hop.kind === 'none') throw new Error(`no agent can do "${type}"`);
    }
    depths.set(type, depth);
    return depth;
  };
}

/** Starts the floor's service process and registers it; `stop()` ends it. */
export async function startFloorProcess(server: RestateServer, agentsJson: string) {
  const compiled = import.meta.url.endsWith('.js');
  const entry = join(import.meta.dirname, '..', 'systems', compiled ? 'restate-floor-service.js' : 'restate-floor-service.ts');
  let listening!: (url: string) => void;
  const heard = new Promise<string>((resolve) => (listening = resolve));
  const lines: string[] = [];
  const child = spawnGuarded(process.execPath, [...(compiled ? [] : ['--import', 'tsx']), entry, agentsJson, '0'], {
    onLine: (line) => (line.startsWith('LISTENING ') ? listening(line.slice('LISTENING '.length)) : lines.push(line)),
  });
  const url = await Promise.race([heard, child.exited.then((exit): never => { throw new Error(`the floor's service process exited (${exit.signal ?? `code ${exit.code}`}) before it listened:\n${lines.join('\n')}`); })]);
  await server.register(url, { force: true });
  return { pid: child.pid, stop: () => child.end('SIGTERM', 5_000) };
}

/** `calls` calls of `call(worker, index)`, `inFlight` workers each making its calls one after another. */
async function lanes(calls: number, inFlight: number, call: (worker: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(inFlight, calls) }, async (_, worker) => {
    while (next < calls) {
      next += 1;
      await call(worker);
    }
  }));
}

/** The same `count` tasks of the mix through both systems, asserting they route alike. */
async function sameRoutes(floor: System, echelon: System, count: number, inFlight: number, typeAt: (index: number) => string): Promise<void> {
  const pick = (routed: readonly Routed[]) => routed.map(({ executedBy, chain }) => `${executedBy}:${chain.join('>')}`);
  const [a, b] = [await pump(floor, { count, typeAt, inFlight, keep: true }), await pump(echelon, { count, typeAt, inFlight, keep: true })];
  const [fromFloor, fromEchelon] = [pick(a.results!), pick(b.results!)];
  const differs = fromFloor.findIndex((route, index) => route !== fromEchelon[index]);
  if (differs >= 0) throw new Error(`the floor routed task ${differs} (${typeAt(differs)}) as ${fromFloor[differs]}, echelon as ${fromEchelon[differs]}`);
}

export async function measureRestateFloor(job: RestateFloorJob): Promise<RestateFloorResult> {
  try {
    restateServerBinary();
  } catch (error) {
    return { skipped: (error as Error).message, rounds: [] };
  }
  const [nodePort] = await freePorts(1);
  const server = await startRestateServer({ nodePort: nodePort! });
  const metricsUrl = `http://127.0.0.1:${nodePort}/metrics`;
  const stops: Array<() => Promise<unknown>> = [];
  try {
    const hierarchy = developmentTeam();
    const typeAt = taskMix(hierarchy);
    const depthOf = routeDepths(routingTree(hierarchy).root);
    const agentsJson = JSON.stringify(hierarchy.nodes().map(({ id, parentId, capabilities }) => ({ id, parentId, capabilities })));
    const floorProcess = await startFloorProcess(server, agentsJson);
    stops.push(floorProcess.stop);
    const { default: organisation } = (await import('../restate-org.js')) as { default: () => import('../../src/restate/index.js').RestateOrganisationOptions };
    const { restateOrchestrator } = await import('../../src/restate/index.js');
    const cluster = await startRestateCluster({ organisation: join(import.meta.dirname, '..', 'restate-org.js'), processes: PLACEMENTS[1], server });
    stops.push(() => cluster.stop());
    const client = restateOrchestrator({ ...organisation(), ingressUrl: server.ingressUrl, adminUrl: server.adminUrl });
    stops.push(() => client.stop());
    const ingress = server.ingressUrl;
    const pids: Record<Exclude<FloorProcess, 'client'>, number | undefined> = { 'restate-server': server.pid, floor: floorProcess.pid, echelon: cluster.process(PLACEMENTS[1][0]!.name).pid };
    const floor = floorSystem(ingress, `floor-${process.pid}-`);
    const echelon = orchestratorSystem('restate-echelon', client);
    let lane = 0;
    // Each caller on its own object; `oneKey`: every caller on the same one (a hot spot: the root, the resources object).
    const calls = (probe: FloorProbe, oneKey = false) => () =>
      lanes(job.probeCalls, job.probeInFlight, (worker) => probeCall(ingress, probe, oneKey ? 'hot' : `w${worker}`)).then(() => ({ units: job.probeCalls, plannedInvocations: job.probeCalls }));
    const chains = (hops: number) => () => {
      const base = lane++;
      return lanes(job.probeCalls, job.probeInFlight, (worker) => chainCall(ingress, `l${base}.${worker}`, hops)).then(() => ({ units: job.probeCalls, plannedInvocations: job.probeCalls * (1 + hops) }));
    };
    const tasks = (system: System) => async () => {
      const { completed } = await pump(system, { count: job.count, typeAt, inFlight: job.inFlight });
      let planned = 0;
      for (let index = 0; index < completed; index++) planned += 2 * depthOf(typeAt(index));
      return { units: completed, ...(system === floor ? { plannedInvocations: planned } : {}) };
    };
    const phases: Record<FloorPhase, () => Promise<{ units: number; plannedInvocations?: number }>> = {
      floor: tasks(floor),
      echelon: tasks(echelon),
      noop: calls('noop'),
      clock: calls('clock'),
      write: calls('write'),
      'one-key': calls('write', true),
      'chain-short': chains(1),
      'chain-long': chains(job.chainHops),
      idle: () => new Promise((resolve) => setTimeout(() => resolve({ units: 0 }), 2_000)),
    };
    const measure = async (phase: FloorPhase): Promise<FloorPhaseRun> => {
      const cpu = () => ({ ...Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, processCpuMs(pid)])), client: processCpuMs(process.pid) }) as Record<FloorProcess, number>;
      const scheduled = async () => Number((await adminQuery(server.adminUrl, "SELECT COUNT(*) AS n FROM sys_invocation WHERE status = 'scheduled'"))[0]?.n ?? 0);
      const [scheduledBefore, countersBefore] = [await scheduled(), await serverCounters(metricsUrl)];
      const [cpuBefore, started] = [cpu(), performance.now()];
      const done = await phases[phase]();
      const ms = performance.now() - started;
      const cpuAfter = cpu();
      const [countersAfter, scheduledAfter] = [await serverCounters(metricsUrl), await scheduled()];
      const delta = <K extends string>(after: Record<K, number>, before: Record<K, number>) => Object.fromEntries(Object.keys(after).map((key) => [key, after[key as K] - before[key as K]])) as Record<K, number>;
      return { ...done, ms, cpuMs: delta(cpuAfter, cpuBefore), counters: delta(countersAfter, countersBefore), scheduled: scheduledAfter - scheduledBefore };
    };

    // Warm-up, which also checks that the floor does what echelon does: the same agent at the end of the same chain, task by task.
    await sameRoutes(floor, echelon, job.warmup, job.inFlight, typeAt);
    for (const phase of FLOOR_PHASES) if (phase !== 'floor' && phase !== 'echelon' && phase !== 'idle') await phases[phase]();
    const rounds: Array<Record<FloorPhase, FloorPhaseRun>> = [];
    for (let round = 0; round < job.rounds; round++) {
      // Alternate the order too, so neither system always runs right after the other's load.
      const order = round % 2 === 0 ? FLOOR_PHASES : [...FLOOR_PHASES].reverse();
      const runs: Partial<Record<FloorPhase, FloorPhaseRun>> = {};
      for (const phase of order) runs[phase] = await measure(phase);
      rounds.push(runs as Record<FloorPhase, FloorPhaseRun>);
    }
    return { rounds };
  } finally {
    for (const stop of stops.reverse()) await stop();
    await server.stop();
  }
}
