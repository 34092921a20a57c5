/**
 * Scale: build and start an organisation of `size` agents (10 reports per manager), then time
 * routing tasks from the root to a leaf, then stopping it. Heap figures are taken after full
 * garbage collections, so run in a fresh process with --expose-gc (the runner does).
 */
import { LEAF_WORK, wideOrganisation } from '../hierarchies.js';
import { median } from '../stats.js';
import { SYSTEMS } from '../systems/index.js';
import { heapUsed } from './heap.js';

export interface ScaleJob {
  readonly system: 'echelon' | 'raw';
  readonly size: number;
  /** Tasks routed root → leaf, one at a time; the first is reported apart (it warms the path). */
  readonly routes: number;
}

export interface ScaleResult {
  readonly size: number;
  /** Levels below the root on the way to the leaf. */
  readonly depth: number;
  readonly buildMs: number;
  readonly startMs: number;
  /** Heap of the built hierarchy (agents' specs and lookups), in bytes per agent. */
  readonly hierarchyBytesPerAgent: number;
  /** Heap of the running organisation (actors) besides the hierarchy, in bytes per agent. */
  readonly actorBytesPerAgent: number;
  readonly firstRouteMs: number;
  /** Median root → leaf time of the routes after the first. */
  readonly routeMs: number;
  readonly stopMs: number;
}

export async function measureScale(job: ScaleJob): Promise<ScaleResult> {
  const before = heapUsed();
  let started = performance.now();
  const hierarchy = wideOrganisation(job.size);
  const buildMs = performance.now() - started;
  const built = heapUsed();

  started = performance.now();
  const system = SYSTEMS[job.system]({ hierarchy, inFlight: 1 });
  const startMs = performance.now() - started;
  const running = heapUsed();

  const times: number[] = [];
  let depth = 0;
  for (let i = 0; i < job.routes; i++) {
    started = performance.now();
    const routed = await system.submit(LEAF_WORK);
    times.push(performance.now() - started);
    depth = routed.chain.length - 1;
  }

  started = performance.now();
  await system.stop();
  const stopMs = performance.now() - started;
  return {
    size: job.size,
    depth,
    buildMs,
    startMs,
    hierarchyBytesPerAgent: (built - before) / job.size,
    actorBytesPerAgent: (running - built) / job.size,
    firstRouteMs: times[0]!,
    routeMs: median(times.slice(1)),
    stopMs,
  };
}
