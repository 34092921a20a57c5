/**
 * Stores for tests: factories for the conformance suite, and wrappers that make a store fail
 * the way a crashing process or a careless store would.
 */
import type { Store, StoreBatch } from '../../src/index.js';

/** How a conformance suite gets stores: a fresh one, and the same one as a new process would open it. */
export interface StoreFactory {
  readonly name: string;
  create(): Store;
  /** The same store, reopened (SQLite: the file opened again; memory: the same maps). */
  reopen(store: Store): Store;
  /**
   * The same store as another process would open it while `store` is still open (SQLite: a
   * second connection to the file; memory: the same maps). May throw `store_locked` at once.
   */
  alongside(store: Store): Store;
}

/** Forwards everything to `store`, with `write` replaced. */
function wrap(store: Store, write: (batch: StoreBatch) => void): Store {
  return {
    name: store.name,
    header: () => store.header(),
    lock: (holder) => store.lock(holder),
    unlock: (holder) => store.unlock(holder),
    load: () => store.load(),
    write,
    outcome: (id) => store.outcome(id),
    escalation: (id) => store.escalation(id),
    approval: (id) => store.approval(id),
    journal: (query) => store.journal(query),
    close: () => store.close(),
  };
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
