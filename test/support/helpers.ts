/** Small helpers the suites share: deferred promises, flushing, a seeded random. */
import { SimulatedClock } from 'xstate';

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

/** A deterministic random in [0, 1) (mulberry32). */
export function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

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
