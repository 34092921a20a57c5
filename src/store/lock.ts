/**
 * One writer per store: who holds a store, and the error everyone else gets. Two live
 * orchestrators on one store would each run the work the other recorded (an approved task run
 * twice, two outcomes for one task), so a store is claimed for as long as an orchestrator runs
 * on it — and, because a process can die without saying so, a claim must end with its process.
 */
import { hostname } from 'node:os';
import { nanoid } from 'nanoid';
import { EchelonError } from '../errors.js';

/** Who holds a store: the orchestrator (a fresh id per `createOrchestrator`), its process and host, and since when. */
export interface StoreHolder {
  readonly id: string;
  readonly pid: number;
  readonly host: string;
  /** When the claim was made (ISO 8601, wall clock). */
  readonly since: string;
}

/**
 * A holder for this process, with a new id: what an orchestrator claims its store as.
 *
 * @example
 * ```ts
 * const holder = storeHolder(); // { id: 'V1StGXR8_Z', pid: 4242, host: 'build-1', since: '2026-12-01T09:52:14.000Z' }
 * store.lock(holder);
 * ```
 */
export function storeHolder(): StoreHolder {
  return { id: nanoid(10), pid: process.pid, host: hostname(), since: new Date().toISOString() };
}

/**
 * The refusal a store throws from `lock` while another holder has it. `holder` is who holds it,
 * when the store can tell.
 *
 * @example
 * ```ts
 * if (current !== undefined && current.id !== holder.id) throw storeLocked('memory', current);
 * ```
 */
export function storeLocked(store: string, holder: StoreHolder | undefined): EchelonError {
  const who = holder === undefined ? 'another orchestrator (which one, the store cannot tell)' : `orchestrator ${holder.id} (pid ${holder.pid} on ${holder.host}, since ${holder.since})`;
  return new EchelonError(
    'store_locked',
    `${store} is in use by ${who}. One store serves one live orchestrator at a time: stop that one (org.stop()) and resume with resume: true, or use another store.`,
    { details: { store, ...(holder === undefined ? {} : { holder }) } },
  );
}
