/**
 * A store's journal read a page at a time: what walks a long run's journal (`echelon replay`,
 * `forkStore`) holds a page of it, not the run (some 0.7 KB an entry).
 */
import { EchelonError } from '../errors.js';
import type { JournalEntry, Store } from './types.js';

/** Entries read per page. */
export const JOURNAL_PAGE = 2_000;

/**
 * The journal of `store` (all of it, or one task's as `journal({ taskId })` has it), oldest first, read a
 * page at a time. A page whose entries do not follow `after` in order is refused with `store_corrupt`: a
 * store whose `journal()` ignores `after` was otherwise read from its start again, for ever.
 */
export function* pagedJournal(store: Store, taskId?: string): Generator<JournalEntry> {
  for (let after = 0; ; ) {
    const page = store.journal({ ...(taskId === undefined ? {} : { taskId }), after, limit: JOURNAL_PAGE });
    let last = after;
    for (const entry of page) {
      if (!(entry.seq > last)) {
        throw new EchelonError('store_corrupt', `${store.name}'s journal({ after: ${after} }) gave entry ${String(entry.seq)}, ${last === after ? `not one after ${after}` : `after entry ${last}`}: a journal gives the entries after \`after\` only, in order; the store is damaged, or its journal() ignores \`after\`.`, {
          details: { store: store.name, after, seq: entry.seq },
        });
      }
      last = entry.seq;
      yield entry;
    }
    if (page.length < JOURNAL_PAGE) return;
    after = last;
  }
}
