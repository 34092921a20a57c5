/** A store that forwards every call to another, but for the ones given: the shape of every store wrapper. */
import type { Store } from './types.js';

/**
 * `store`, with some of its methods replaced (each replacement can still call `store`'s own).
 *
 * @example
 * ```ts
 * const counted = forwardStore(store, { write: (batch) => (writes++, store.write(batch)) });
 * ```
 */
export function forwardStore(store: Store, overrides: Partial<Store> = {}): Store {
  return {
    name: store.name,
    header: () => store.header(),
    lock: (holder) => store.lock(holder),
    unlock: (holder) => store.unlock(holder),
    load: () => store.load(),
    write: (batch) => store.write(batch),
    outcome: (id) => store.outcome(id),
    escalation: (id) => store.escalation(id),
    approval: (id) => store.approval(id),
    journal: (query) => store.journal(query),
    ...(store.reading === undefined ? {} : { reading: <T>(read: () => T): T => store.reading!(read) }),
    ...(store.forget === undefined ? {} : { forget: (query) => store.forget!(query) }),
    close: () => store.close(),
    ...overrides,
  };
}
