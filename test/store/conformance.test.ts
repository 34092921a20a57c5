/**
 * The published conformance suite (`echelon/store/testing`) itself: it runs under any runner
 * that offers `describe` and `it`, a correct store passes every case, and stores broken in the
 * ways a new store is likely to be — writes that are not all-or-nothing, a lock that locks
 * nothing, a journal that ignores its query, reads that hand out the stored objects — fail the
 * cases that say so.
 */
import { describe, expect, it } from 'vitest';
import { memoryStore, type Escalation, type JournalQuery, type Store, type StoreBatch, type StoredOrganisation } from '../../src/index.js';
import { storeConformance, type StoreFactory } from '../../src/store/testing/index.js';
import { forwardStore } from '../../src/store/index.js';

/** Runs the suite with a runner of our own, outside vitest: each case's title and whether it passed. */
function verdicts(factory: StoreFactory): Record<string, 'passed' | 'failed'> {
  const cases: Array<[string, () => void]> = [];
  const suites: string[] = [];
  storeConformance('candidate', factory, {
    describe: (name, body) => (suites.push(name), body()),
    it: (name, body) => void cases.push([name, body]),
  });
  expect(suites).toEqual(['candidate store: the data contract']);
  const result: Record<string, 'passed' | 'failed'> = {};
  for (const [name, body] of cases) {
    try {
      body();
      result[name] = 'passed';
    } catch {
      result[name] = 'failed';
    }
  }
  return result;
}

const failed = (factory: StoreFactory) => Object.entries(verdicts(factory)).flatMap(([name, verdict]) => (verdict === 'failed' ? [name] : []));

/** `memoryStore()` with some of its methods replaced. */
const broken = (change: (store: Store) => Partial<Store>): StoreFactory => ({
  create: () => {
    const store = memoryStore();
    return { ...bound(store), ...change(store) };
  },
});
const bound = (store: Store): Store => forwardStore(store);

const forgetsWhat = "forgets the finished tasks settled before a time — outcome, derived rows, escalations, approvals, journal lines — and keeps active work and the organisation's lines";

describe('the store conformance suite', () => {
  it('passes a correct store on every case, with any runner', () => {
    const result = verdicts({ create: memoryStore });
    expect(Object.keys(result)).toHaveLength(12);
    expect(Object.values(result).every((verdict) => verdict === 'passed')).toBe(true);
  });

  it('refuses, when it registers, a factory without create() or a runner without describe and it (invalid_option)', () => {
    const runner = { describe: (_name: string, body: () => void) => body(), it: () => undefined };
    // Before: each case failed with "factory.create is not a function", or registering threw a TypeError.
    expect(() => storeConformance('x', {} as never, runner)).toThrow(expect.objectContaining({ code: 'invalid_option', message: expect.stringContaining('create()') }));
    expect(() => storeConformance('x', { create: memoryStore, reopen: 'yes' } as never, runner)).toThrow(expect.objectContaining({ code: 'invalid_option', message: expect.stringContaining('reopen') }));
    expect(() => storeConformance('x', { create: memoryStore }, { describe: runner.describe } as never)).toThrow(expect.objectContaining({ code: 'invalid_option', message: expect.stringContaining('describe and it') }));
  });

  it('fails a store whose writes are not all-or-nothing', () => {
    // Writes what it can, then refuses the rest: the torn batch a store without transactions leaves.
    const storable = (value: unknown) => {
      try {
        JSON.stringify(value);
        return true;
      } catch {
        return false;
      }
    };
    const partial = broken((store) => ({
      write: (batch: StoreBatch) => {
        store.write({ ...batch, tasks: batch.tasks.filter(storable) });
        if (batch.tasks.some((task) => !storable(task))) throw new Error('cannot store a BigInt');
      },
    }));
    expect(failed(partial)).toEqual(['applies a batch all or nothing: a value it cannot store changes nothing']);
  });

  it('fails a store whose lock locks nothing', () => {
    const open = broken(() => ({ lock: () => undefined, unlock: () => undefined }));
    expect(failed(open)).toEqual(['has one holder at a time: any other claim, on this store or opened alongside it, is refused with store_locked naming the holder']);
  });

  it('fails a store whose journal ignores the query', () => {
    const everything = broken((store) => ({ journal: () => store.journal() }));
    expect(failed(everything)).toEqual([
      'keeps the journal in order, numbered, with its session, and reads it by task, after a point, or a few at a time',
      // The forget cases read a task's lines, and lines after a number, to see what went.
      forgetsWhat,
      'never numbers a journal line twice: after a forget, lines are numbered after the last one ever written, and read by number across the gap',
    ]);
  });

  it('runs the forget cases for a store that has forget, and passes a store without it on them (the method is optional)', () => {
    const without = broken(() => ({ forget: undefined }));
    expect(failed(without)).toEqual([]);
    // Before forget was in the contract, a store written for it had none: it still passes every case.
    expect(Object.keys(verdicts(without))).toHaveLength(12);
  });

  it('fails a store whose forget leaves the escalations of the tasks it forgot', () => {
    const keeping = broken((store) => {
      const kept = new Map<string, Escalation>();
      return {
        write: (batch: StoreBatch) => (store.write(batch), batch.escalations.forEach(({ escalation }) => kept.set(escalation.id, escalation))),
        escalation: (id: string) => store.escalation(id) ?? kept.get(id),
      };
    });
    expect(failed(keeping)).toEqual([forgetsWhat]);
  });

  it('fails a store that numbers its journal again after a forget (closing the gap)', () => {
    const renumbering = broken((store) => ({
      journal: (query?: JournalQuery) => {
        const position = new Map(store.journal().map((entry, index) => [entry.seq, index + 1]));
        const renumbered = store.journal({ ...query, after: 0, limit: Infinity }).map((entry) => ({ ...entry, seq: position.get(entry.seq)! }));
        const after = renumbered.filter((entry) => entry.seq > (query?.after ?? 0));
        return after.slice(0, query?.limit ?? Infinity);
      },
    }));
    expect(failed(renumbering)).toEqual([forgetsWhat, 'never numbers a journal line twice: after a forget, lines are numbered after the last one ever written, and read by number across the gap']);
  });

  it('fails a store that hands out what it holds instead of copies', () => {
    // Keeps what it loaded and hands the same object out again until the next write.
    const sharing = broken((store) => {
      let loaded: StoredOrganisation | undefined;
      return {
        write: (batch: StoreBatch) => (store.write(batch), (loaded = undefined)),
        load: () => (loaded ??= store.load()),
      };
    });
    expect(failed(sharing)).toEqual(['hands out copies: changing what was read changes nothing stored']);
  });

  it("fails a store that keeps an agent's first snapshot, or an escalation's first version", () => {
    // Inserts once and ignores a later write of the same key (INSERT OR IGNORE where INSERT OR REPLACE was meant).
    const firstOnly = <T,>(key: (item: T) => string) => {
      const seen = new Set<string>();
      return (items: readonly T[]) => items.filter((item) => !seen.has(key(item)) && (seen.add(key(item)), true));
    };
    const snapshots = broken((store) => {
      const keep = firstOnly<StoreBatch['snapshots'][number]>((item) => item.id);
      return { write: (batch: StoreBatch) => store.write({ ...batch, snapshots: batch.snapshots.map((item) => (keep([item]).length === 0 ? { ...item, snapshot: store.load().snapshots[item.id]! } : item)) }) };
    });
    const escalations = broken((store) => {
      const keep = firstOnly<StoreBatch['escalations'][number]>((item) => item.escalation.id);
      return { write: (batch: StoreBatch) => store.write({ ...batch, escalations: keep(batch.escalations) }) };
    });
    const replaces = 'replaces what is written again, removes finished derived tasks, and keeps finished work readable but out of the resume set';
    expect(failed(snapshots)).toEqual([replaces]);
    expect(failed(escalations)).toContain(replaces);
  });

  it('fails a store that answers a read with what it read before a later write (stale data)', () => {
    // Each caches one read for good: the cache a store adds "for speed" and forgets to drop on write.
    const cached = <A extends unknown[], R>(read: (...args: A) => R) => {
      const seen = new Map<string, R>();
      return (...args: A): R => {
        const key = JSON.stringify(args);
        if (!seen.has(key)) seen.set(key, read(...args));
        return seen.get(key)!;
      };
    };
    const stale = {
      header: broken((store) => ({ header: cached(() => store.header()) })),
      outcome: broken((store) => ({ outcome: cached((id: string) => store.outcome(id)) })),
      approval: broken((store) => ({ approval: cached((id: string) => store.approval(id)) })),
      escalation: broken((store) => ({ escalation: cached((id: string) => store.escalation(id)) })),
      journal: broken((store) => ({ journal: cached((query?: Parameters<Store['journal']>[0]) => store.journal(query)) })),
    };
    for (const [read, factory] of Object.entries(stale)) expect(failed(factory), read).toContain('reads what was written last: every read after a write sees it, on the same store and after reopening');
  });
});
