/**
 * A store's journal read a page at a time: what walks a long run's journal (`echelon replay`,
 * `forkStore`) holds a page of it, not the run (some 0.7 KB an entry).
 */
import type { JournalEntry, Store } from './types.js';

/** Entries read per page. */
export const JOURNAL_PAGE = 2_000;

/** The journal of `store` (all of it, or one task's as `journal({ taskId })` has it), oldest first, read a page at a time. */
export function* pagedJournal(store: Store, taskId?: string): Generator<JournalEntry> {
  for (let after = 0; ; ) {
    const page = store.journal({ ...(taskId === undefined ? {} : { taskId }), after, limit: JOURNAL_PAGE });
    yield* page;
    if (page.length < JOURNAL_PAGE) return;
    after = page.at(-1)!.seq;
  }
}
