/**
 * Stores for tests: factories for the suites run against every store, and wrappers that make a store fail
 * the way a crashing process or a careless store would.
 */
import type { Store, StoreBatch } from '../../src/index.js';
import { forwardStore } from '../../src/store/index.js';
import type { StoreFactory as ConformanceFactory } from '../../src/store/testing/index.js';

/**
 * How our suites get stores: the conformance suite's factory, with a name, and `reopen` and
 * `alongside` spelled out (SQLite: the file opened again, a second connection; memory: the same maps).
 */
export interface StoreFactory extends Required<ConformanceFactory> {
  readonly name: string;
}

/** Forwards everything to `store`, with `write` replaced. */
function wrap(store: Store, write: (batch: StoreBatch) => void): Store {
  return forwardStore(store, { write });
}

/**
 * A store whose process "dies" on `crash()`: nothing is written after it, so the store holds
 * exactly what was written before — what a new process finds after SIGKILL.
 */
export function crashable(store: Store): { store: Store; crash(): void; writes(): number } {
  let dead = false;
  let writes = 0;
  return {
    store: wrap(store, (batch) => {
      if (dead) return;
      writes += 1;
      store.write(batch);
    }),
    crash: () => {
      dead = true;
    },
    writes: () => writes,
  };
}

/**
 * A store that tears batches once `tear()` is called: the snapshots of the agents `drop` names
 * are not written, everything else is — the inconsistency a store without transactions could
 * leave, which a resume must reconcile.
 */
export function tearing(store: Store, drop: (agentId: string) => boolean): { store: Store; tear(): void } {
  let torn = false;
  return {
    store: wrap(store, (batch) => store.write(torn ? { ...batch, snapshots: batch.snapshots.filter(({ id }) => !drop(id)) } : batch)),
    tear: () => {
      torn = true;
    },
  };
}
