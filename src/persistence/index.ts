/** Persistence: the store contract, the in-memory store, and the journal's shapes (the SQLite store is `echelon/sqlite`). */
export { memoryStore } from './memory.js';
export { forkStore, type ForkOptions, type ForkPoint } from './fork.js';
export { keepHistory, readHistory, type KeptBatch } from './history.js';
export { SNAPSHOT_FORMAT } from './snapshots.js';
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
} from './types.js';
