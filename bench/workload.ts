/**
 * The benchmark workload: which tasks go in, the trivial executor that does them, and the
 * pump that keeps a fixed number of tasks in flight until all are done. Shared by echelon and
 * the baselines, so all of them see exactly the same tasks in the same order.
 */
import type { Hierarchy } from '../src/index.js';
import type { Routed, System } from './systems/types.js';

/** The trivial async work every executing agent does: one resolved promise, one small object. */
export async function work(type: string, agentId: string): Promise<{ readonly done: string; readonly by: string }> {
  return { done: type, by: agentId };
}

/** Every capability in the hierarchy once, in hierarchy order: the task types of the mix. */
export function taskTypes(hierarchy: Hierarchy): string[] {
  return [...new Set(hierarchy.nodes().flatMap((node) => node.capabilities))];
}

/** The mixed workload: task `i` has the `i`-th type, cycling through every capability in the hierarchy. */
export function taskMix(hierarchy: Hierarchy): (index: number) => string {
  const types = taskTypes(hierarchy);
  return (index) => types[index % types.length]!;
}

/** What to pump through a system. */
export interface PumpOptions {
  readonly count: number;
  readonly typeAt: (index: number) => string;
  readonly inFlight: number;
  /** Keep every result, in submission order (the smoke test compares them across systems). */
  readonly keep?: boolean;
  /** Record each task's submit → result time here, in ms, by index. */
  readonly latencies?: Float64Array;
  /** Called after every `every` completed tasks (the memory case takes heap readings there). */
  readonly checkpoint?: { readonly every: number; readonly at: (completed: number) => void | Promise<void> };
}

/** What one pass of the pump measured. */
export interface PumpRun {
  readonly ms: number;
  readonly completed: number;
  readonly results?: readonly Routed[];
}

/**
 * Submits `count` tasks through `system`, keeping `inFlight` of them outstanding (a new one goes
 * in as each finishes), and resolves when all are done. Any failed task fails the run: a
 * benchmark that loses tasks measures nothing. At a checkpoint, submitting pauses until the
 * checkpoint's callback is done and the tasks in flight have drained.
 */
export function pump(system: System, options: PumpOptions): Promise<PumpRun> {
  const { count, typeAt, inFlight, latencies, checkpoint } = options;
  const results: Routed[] | undefined = options.keep ? new Array<Routed>(count) : undefined;
  const started = performance.now();
  let next = 0;
  let completed = 0;
  let running = 0;
  return new Promise((resolve, reject) => {
    const done = () => resolve({ ms: performance.now() - started, completed, ...(results === undefined ? {} : { results }) });
    const fill = (): void => {
      const limit = checkpoint === undefined ? count : Math.min(count, (Math.floor(completed / checkpoint.every) + 1) * checkpoint.every);
      while (running < inFlight && next < limit) launch();
    };
    const launch = (): void => {
      const index = next++;
      running += 1;
      const submittedAt = latencies === undefined ? 0 : performance.now();
      system.submit(typeAt(index)).then((routed) => {
        if (latencies !== undefined) latencies[index] = performance.now() - submittedAt;
        if (results !== undefined) results[index] = routed;
        completed += 1;
        running -= 1;
        if (completed === count) return checkpoint !== undefined && completed % checkpoint.every === 0 ? Promise.resolve(checkpoint.at(completed)).then(done, reject) : done();
        if (checkpoint !== undefined && completed % checkpoint.every === 0) return Promise.resolve(checkpoint.at(completed)).then(fill, reject);
        fill();
      }, reject);
    };
    if (count === 0) done();
    else fill();
  });
}
