/**
 * The published conformance suite (`echelon/store/testing`) itself: it runs under any runner
 * that offers `describe` and `it`, a correct store passes every case, and stores broken in the
 * ways a new store is likely to be — writes that are not all-or-nothing, a lock that locks
 * nothing, a journal that ignores its query, reads that hand out the stored objects — fail the
 * cases that say so.
 */
import { describe, expect, it } from 'vitest';
import { memoryStore, type Store, type StoreBatch, type StoredOrganisation } from '../../src/index.js';
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

describe('the store conformance suite', () => {
  it('passes a correct store on every case, with any runner', () => {
    const result = verdicts({ create: memoryStore });
    expect(Object.keys(result)).toHaveLength(8);
    expect(Object.values(result).every((verdict) => verdict === 'passed')).toBe(true);
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
    expect(failed(everything)).toEqual(['keeps the journal in order, numbered, with its session, and reads it by task, after a point, or a few at a time']);
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
});
