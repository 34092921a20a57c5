/** Small helpers the suites share: orchestrators cleaned up after each test, error capture, deferred promises, flushing, a seeded random. */
import { afterEach } from 'vitest';
import { SimulatedClock } from 'xstate';
import { createOrchestrator, EchelonError, type DelegationContext, type Hierarchy, type Orchestrator, type OrchestratorOptions, type Task } from '../../src/index.js';

/** A promise with its resolve/reject exposed, to finish an executor exactly when a test says. */
export function deferred<T = unknown>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets every pending promise callback and actor message run. */
export async function flush(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** A deterministic random in [0, 1): the simulator's mulberry32. */
export { mulberry32 as seeded } from '../../src/simulate/random.js';

/** A simulated clock starting at 0. */
export function simulatedClock(): SimulatedClock {
  return new SimulatedClock();
}

/** Resolves after `ms` of the given clock (simulated or real), or rejects when `signal` aborts. */
export function sleep(clock: { setTimeout(fn: () => void, ms: number): unknown; clearTimeout(id: unknown): void }, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const id = clock.setTimeout(() => resolve(), ms);
    signal?.addEventListener('abort', () => {
      clock.clearTimeout(id);
      reject(signal.reason);
    });
  });
}

/**
 * Orchestrators for one test file: `start(options)` creates one (options merged over
 * `defaults`), and every one started is stopped after each test.
 */
export function orchestrators(defaults: Partial<OrchestratorOptions> = {}): (options?: Partial<OrchestratorOptions>) => Orchestrator {
  const started: Orchestrator[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((org) => org.stop()));
  });
  return (options = {}) => {
    const org = createOrchestrator({ ...defaults, ...options } as OrchestratorOptions);
    started.push(org);
    return org;
  };
}

/** The EchelonError `fn` throws (fails the test when it throws nothing or something else). */
export function errorOf(fn: () => unknown): EchelonError {
  try {
    fn();
  } catch (error) {
    if (error instanceof EchelonError) return error;
    throw error;
  }
  throw new Error('expected an EchelonError');
}

/** The EchelonError `promise` rejects with. */
export async function rejectionOf(promise: Promise<unknown>): Promise<EchelonError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof EchelonError) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

/** A task as agents pass it around, with everything defaulted. */
export function makeTask(fields: Partial<Task> & { id: string; type: string }): Task {
  return {
    payload: undefined,
    context: {},
    resources: [],
    requiredSkills: [],
    rootId: fields.id,
    origin: { kind: 'submitter' },
    chain: [],
    escalations: [],
    excluded: [],
    approvedBy: [],
    submittedAt: 0,
    depth: 0,
    ...fields,
  };
}

/** A delegation context as the runtime builds one, for calling a strategy directly. */
export function delegationContext(hierarchy: Hierarchy, agentId = hierarchy.root.id, reportCost: (amount: number) => void = () => undefined): DelegationContext {
  return { agent: hierarchy.get(agentId), hierarchy, signal: new AbortController().signal, reportCost };
}

/** The code of the EchelonError `fn` throws, or `'accepted'` when it throws nothing. */
export function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof EchelonError) return error.code;
    throw error;
  }
  return 'accepted';
}

/** The leak warnings Node emitted (`MaxListenersExceededWarning`) while `run` ran, and on the turn after, when Node emits them. */
export async function leakWarningsDuring(run: () => Promise<void>): Promise<Error[]> {
  const warnings: Error[] = [];
  const warned = (warning: Error) => {
    if (warning.name === 'MaxListenersExceededWarning') warnings.push(warning);
  };
  process.on('warning', warned);
  try {
    await run();
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    process.off('warning', warned);
  }
  return warnings;
}
