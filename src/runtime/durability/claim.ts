/**
 * An orchestrator's claim on its store, from the moment it opens it. Given back when the
 * orchestrator stops or its store fails — and when it never starts: `createOrchestrator` is
 * synchronous and marks its claim started last, so a claim not started by the next microtask, or
 * by the next claim made in this process, was left by a construction that threw (a refused
 * option, say). A refused orchestrator never keeps its store.
 */
import { storeHolder } from '../../store/lock.js';
import type { Store } from '../../store/types.js';

export interface StoreClaim {
  /** The orchestrator runs: the claim is held until `release`. */
  started(): void;
  /** Gives the store back (once; later calls do nothing). */
  release(): void;
}

const unstarted = new Set<StoreClaim>();

/**
 * Locks `store` for a new orchestrator (throws `store_locked` while another holds it).
 *
 * @example
 * ```ts
 * const claim = claimStore(store);
 * // … build the organisation …
 * claim.started();
 * // … on stop:
 * claim.release();
 * ```
 */
export function claimStore(store: Store): StoreClaim {
  for (const abandoned of [...unstarted]) abandoned.release();
  const holder = storeHolder();
  store.lock(holder);
  let held = true;
  const claim: StoreClaim = {
    started: () => void unstarted.delete(claim),
    release() {
      unstarted.delete(claim);
      if (held) store.unlock(holder);
      held = false;
    },
  };
  unstarted.add(claim);
  queueMicrotask(() => unstarted.has(claim) && claim.release());
  return claim;
}
