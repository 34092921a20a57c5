/**
 * Scale: build and start an organisation of `size` agents, then time routing tasks from the root
 * to a leaf, then stopping it. Three shapes of the same size: 10 reports per manager (`wide`),
 * every agent reporting to the root (`flat`), and one chain (`chain`, as deep as it is big). Heap
 * figures are taken after full garbage collections, so run in a fresh process with --expose-gc
 * (the runner does). Start and stop are timed in wall time and in the process's CPU time (steadier
 * on a shared machine).
 */
import { LEAF_WORK, wideOrganisation } from '../hierarchies.js';
import { cpuMs, median } from '../stats.js';
import { SYSTEMS } from '../systems/index.js';
import { heapUsed } from './heap.js';

/** How the organisation is laid out: its span of control. */
export type ScaleShape = 'wide' | 'flat' | 'chain';

/** Reports per manager for each shape. */
const SPAN: Readonly<Record<ScaleShape, (size: number) => number>> = { wide: () => 10, flat: (size) => Math.max(1, size - 1), chain: () => 1 };

export interface ScaleJob {
  readonly system: 'echelon' | 'raw' | 'raw-chart';
  readonly size: number;
  /** `wide` when absent. */
  readonly shape?: ScaleShape;
  /** Tasks routed root → leaf, one at a time, and timed; the median is the figure. */
  readonly routes: number;
  /**
   * Routes run before the timed ones, untimed (default none), after the first (which is reported
   * apart): they let the JIT compile the path, so the figure is the steady cost of a route and not
   * how soon a system's code warms up — echelon's path runs far more code than the raw tree's.
   */
  readonly warmRoutes?: number;
}

export interface ScaleResult {
  readonly size: number;
  readonly shape: ScaleShape;
  /** Levels below the root on the way to the leaf. */
  readonly depth: number;
  readonly buildMs: number;
  readonly startMs: number;
  readonly startCpuMs: number;
  /** Heap of the built hierarchy (agents' specs and lookups), in bytes per agent. */
  readonly hierarchyBytesPerAgent: number;
  /** Heap of the running organisation (actors) besides the hierarchy, in bytes per agent. */
  readonly actorBytesPerAgent: number;
  readonly firstRouteMs: number;
  /** Median root → leaf time of the timed routes (after the first and the warm ones). */
  readonly routeMs: number;
  readonly stopMs: number;
  readonly stopCpuMs: number;
}

export async function measureScale(job: ScaleJob): Promise<ScaleResult> {
  const shape = job.shape ?? 'wide';
  const before = heapUsed();
  let started = performance.now();
  const hierarchy = wideOrganisation(job.size, SPAN[shape](job.size));
  const buildMs = performance.now() - started;
  const built = heapUsed();

  started = performance.now();
  let cpu = cpuMs();
  // A chain is deeper than echelon's default delegation limit (64 levels).
  const system = SYSTEMS[job.system]({ hierarchy, inFlight: 1, ...(shape === 'chain' ? { maxDepth: job.size } : {}) });
  const startMs = performance.now() - started;
  const startCpuMs = cpuMs() - cpu;
  const running = heapUsed();

  started = performance.now();
  const first = await system.submit(LEAF_WORK);
  const firstRouteMs = performance.now() - started;
  const depth = first.chain.length - 1;
  for (let i = 0; i < (job.warmRoutes ?? 0); i++) await system.submit(LEAF_WORK);
  const times: number[] = [];
  for (let i = 0; i < job.routes; i++) {
    started = performance.now();
    await system.submit(LEAF_WORK);
    times.push(performance.now() - started);
  }

  started = performance.now();
  cpu = cpuMs();
  await system.stop();
  const stopMs = performance.now() - started;
  const stopCpuMs = cpuMs() - cpu;
  return {
    size: job.size,
    shape,
    depth,
    buildMs,
    startMs,
    startCpuMs,
    hierarchyBytesPerAgent: (built - before) / job.size,
    actorBytesPerAgent: (running - built) / job.size,
    firstRouteMs,
    routeMs: median(times),
    stopMs,
    stopCpuMs,
  };
}
