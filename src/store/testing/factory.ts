/** What the store conformance suite is given: a way to get stores, and the test functions to register its cases with. */
import type { Store } from '../types.js';

/** How the suite gets stores. */
export interface StoreFactory {
  /** A new, empty store (each case takes its own). */
  create(): Store;
  /**
   * The same store as a new process opens it: close `store` and open it again (a file, a
   * database). Defaults to `store` itself, right only for a store that lives in one process's memory.
   */
  reopen?(store: Store): Store;
  /**
   * The same store opened by another process while `store` stays open (a second connection).
   * Its `lock` may throw `store_locked` at once. Defaults to `store` itself.
   */
  alongside?(store: Store): Store;
}

/** The test functions the suite registers its cases with: `describe` and `it` from vitest, jest, mocha or `node:test`. */
export interface TestRunner {
  describe(name: string, body: () => void): unknown;
  it(name: string, body: () => void): unknown;
}

/** A case, given a store factory that closes whatever it opened when the case ends. */
export type Case = (stores: Required<StoreFactory>) => void;
