/**
 * @module
 * Stores: the `Store` contract an organisation is kept in, the in-memory store, one writer per
 * store (`storeHolder`, `storeLocked`), and tools that work on any store (`forkStore`,
 * `keepHistory`). The SQLite store is `echelon/sqlite`; the conformance suite a store must pass
 * is `echelon/store/testing`. Nothing here knows the runtime or the statecharts: a store keeps
 * data, the durability engine (`src/runtime/durability/`) decides what to write and when.
 */
export { memoryStore } from './memory.js';
export { forwardStore } from './forward.js';
export { forkStore, type ForkOptions, type ForkPoint } from './fork.js';
export { keepHistory, readHistory, type KeptBatch } from './history.js';
export { storeHolder, storeLocked, type StoreHolder } from './lock.js';
export type {
  Store,
  StoreBatch,
  StoreHeader,
  StoredAgentLink,
  StoredOrganisation,
  StoredTask,
  StoredEscalation,
  StoredApproval,
  TaskBook,
  ResourceState,
  PersistedSnapshot,
  SnapshotPart,
  StoredSnapshot,
  JournalEntry,
  JournalEntryType,
  JournalQuery,
  JournalRecord,
  ForgetQuery,
  Forgotten,
} from './types.js';
