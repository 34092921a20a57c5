/**
 * @module
 * Durability, as the orchestrator uses it: open a store for an organisation (claim it, refuse
 * one of another shape), restore the books and the agents' statecharts, reconcile, re-arm, and
 * write every burst of work as one batch. Internal: users see the `Store` contract (`src/store/`)
 * and `resume: true`. It reads the runtime's books through its own ports (`books.ts`) and never
 * imports the runtime.
 */
export { openDurable, type Durable, type DurableHost, type DurableOptions } from './durable.js';
export { SNAPSHOT_FORMAT } from './snapshots.js';
export type { ActiveTask, ResourceBooks, TaskBooks } from './books.js';
