/**
 * pagedJournal, which walks a long run's journal a page at a time (`echelon replay`, `forkStore`):
 * a store whose journal does not move on from `after` (one written by hand that ignores it) is
 * refused as damaged instead of read again and again for ever.
 */
import { describe, expect, it } from 'vitest';
import { forkStore, memoryStore, type JournalEntry, type Store } from '../../src/index.js';
import { JOURNAL_PAGE, pagedJournal } from '../../src/store/paged.js';

const entries = (count: number): JournalEntry[] =>
  Array.from({ length: count }, (_, i) => ({ seq: i + 1, session: 1, at: i, type: 'task.submitted', actor: 'submitter', taskId: `t${i}` }) as JournalEntry);

/** At most `limit` entries of the walk, or the error it ends with. */
function walk(store: Pick<Store, 'name' | 'journal'>, limit: number): JournalEntry[] | unknown {
  const seen: JournalEntry[] = [];
  try {
    for (const entry of pagedJournal(store as Store)) {
      seen.push(entry);
      if (seen.length === limit) break;
    }
  } catch (error) {
    return error;
  }
  return seen;
}

describe('pagedJournal', () => {
  it('reads every entry once, a page at a time, from a store that keeps to journal({ after, limit })', () => {
    const all = entries(JOURNAL_PAGE * 2 + 7);
    const store = { name: 'kept', journal: ({ after = 0, limit = Infinity } = {}) => all.filter((entry) => entry.seq > after).slice(0, limit) };
    expect(walk(store, Infinity)).toEqual(all);
  });

  const ignoring = [
    { what: 'ignores after (gives its journal from the start each time)', journal: () => entries(JOURNAL_PAGE + 1) },
    { what: 'ignores after and limit, one page long', journal: () => entries(JOURNAL_PAGE) },
    { what: 'gives a page out of order', journal: () => entries(JOURNAL_PAGE).reverse() },
  ];
  for (const { what, journal } of ignoring) {
    it(`refuses a store whose journal ${what} (store_corrupt), instead of reading it for ever`, () => {
      expect(walk({ name: 'hand-made', journal }, JOURNAL_PAGE * 5)).toMatchObject({ code: 'store_corrupt', message: expect.stringContaining('hand-made') });
    });
  }

  it('forkStore of such a store stops with store_corrupt, writing nothing', () => {
    const source = memoryStore();
    source.write({ session: 1, header: { agents: [{ id: 'cto', capabilities: [] }] as never, snapshotFormat: 1 }, snapshots: [], tasks: [], removedTasks: [], outcomes: [], escalations: [], approvals: [], journal: entries(JOURNAL_PAGE + 1).map(({ seq: _s, session: _n, ...entry }) => entry) });
    const stuck: Store = { ...source, name: 'stuck', journal: () => source.journal() };
    const target = memoryStore();
    expect(() => forkStore(stuck, target)).toThrow(expect.objectContaining({ code: 'store_corrupt' }));
    expect(target.header()).toBeUndefined();
  });
});
