/**
 * The store contract, as cases: what goes in comes out, batches are all-or-nothing, finished
 * work leaves the resume set but stays readable, the journal is append-only and filtered by
 * task, one holder at a time, and what is read is a copy. Assertions are `node:assert`'s, and
 * the test functions are the caller's, so the suite runs under any runner (vitest, jest,
 * `node:test`) and echelon needs none at run time.
 */
import assert from 'node:assert/strict';
import { isDeepStrictEqual } from 'node:util';
import { EchelonError } from '../../errors.js';
import type { Approval, Escalation } from '../../types.js';
import type { Store, StoredTask } from '../types.js';
import type { Case, StoreFactory, TestRunner } from './factory.js';
import { forgetCases } from './forget-cases.js';
import { active, approval, batch, escalation, header, holder, outcome, task } from './samples.js';

export type { StoreFactory, TestRunner } from './factory.js';

/** The samples' approval and escalation, as a later write has them. */
const decided: Approval = { ...approval('apv1', 'a'), status: 'approved', decidedAt: 8 };
const resolved: Escalation = { ...escalation('esc1', 'a'), status: 'resolved', resolvedBy: 'api_specialist', resolvedAt: 8 };

const cases: Record<string, Case> = {
  'is empty until the first write, then holds the header, snapshots, tasks, escalations, approvals and resources'(stores) {
    const store = stores.create();
    assert.equal(store.header(), undefined);
    assert.deepEqual(store.journal(), []);
    assert.equal(store.outcome('a'), undefined);
    assert.equal(store.escalation('esc1'), undefined);
    assert.equal(store.approval('apv1'), undefined);
    const resources = { claims: [{ resource: 'db', taskId: 'a', agentId: 'backend_lead' }], waiting: { db: ['cto'] } };
    store.write(
      batch({
        header,
        snapshots: [{ id: 'cto', snapshot: { value: 'receiving', children: {} }, addedParts: [{ key: '1.0', value: task('a') }], removedParts: [] }],
        tasks: [active('a'), active('a.backend', 'a')],
        escalations: [{ rootId: 'a', escalation: escalation('esc1', 'a') }],
        approvals: [{ rootId: 'a', approval: approval('apv1', 'a.backend') }],
        resources,
        journal: [{ type: 'task.submitted', at: 5, actor: 'submitter', taskId: 'a', rootId: 'a', data: { type: 'python' } }],
      }),
    );
    const reopened = stores.reopen(store);
    assert.deepEqual(reopened.header(), { ...header, sessions: 1 });
    const loaded = reopened.load();
    assert.deepEqual(loaded.snapshots, { cto: { value: 'receiving', children: {} } });
    assert.deepEqual(loaded.parts, { cto: { '1.0': task('a') } });
    sameMembers(loaded.tasks, [active('a'), active('a.backend', 'a')], 'load().tasks');
    assert.deepEqual(loaded.escalations, [{ rootId: 'a', escalation: escalation('esc1', 'a') }]);
    assert.deepEqual(loaded.approvals, [{ rootId: 'a', approval: approval('apv1', 'a.backend') }]);
    assert.deepEqual(loaded.resources, resources);
    assert.deepEqual(reopened.escalation('esc1'), escalation('esc1', 'a'));
    assert.deepEqual(reopened.approval('apv1'), approval('apv1', 'a.backend'));
  },

  'replaces what is written again, removes finished derived tasks, and keeps finished work readable but out of the resume set'(stores) {
    const store = stores.create();
    store.write(batch({ header, tasks: [active('a'), active('a.backend', 'a'), active('b')], approvals: [{ rootId: 'a', approval: approval('apv1', 'a') }], escalations: [{ rootId: 'a', escalation: escalation('esc1', 'a') }] }));
    const moved: StoredTask = { ...active('b'), holder: 'api_specialist', cancel: 'no longer needed' };
    const snapshot = { value: 'executing', children: {} };
    store.write(batch({ session: 2, snapshots: [{ id: 'cto', snapshot: { value: 'receiving', children: {} }, addedParts: [{ key: '1.0', value: task('a') }, { key: '1.1', value: task('b') }], removedParts: [] }] }));
    store.write(batch({ session: 2, tasks: [moved], removedTasks: ['a.backend'], snapshots: [{ id: 'cto', snapshot, addedParts: [{ key: '2.0', value: task('c') }], removedParts: ['1.0'] }] }));
    assert.deepEqual(store.load().parts, { cto: { '1.1': task('b'), '2.0': task('c') } }, 'parts added and removed by later snapshots');
    assert.deepEqual(store.load().snapshots, { cto: snapshot }, "an agent's later snapshot replaces its earlier one");
    sameMembers(store.load().tasks, [active('a'), moved], 'load().tasks');
    store.write(batch({ session: 2, outcomes: [outcome('a')], approvals: [{ rootId: 'a', approval: decided }], escalations: [{ rootId: 'a', escalation: resolved }] }));
    const reopened = stores.reopen(store);
    assert.deepEqual(reopened.load().snapshots, { cto: snapshot }, "an agent's later snapshot replaces its earlier one");
    assert.deepEqual(reopened.escalation('esc1'), resolved, "an escalation's later version replaces its earlier one");
    assert.equal(reopened.header()?.sessions, 2);
    assert.deepEqual(reopened.load().tasks, [moved], 'a finished submitted task leaves the resume set');
    assert.deepEqual(reopened.load().approvals, [], "a finished task's approvals leave the resume set");
    assert.deepEqual(reopened.outcome('a'), outcome('a'));
    assert.equal(reopened.outcome('b'), undefined);
    assert.deepEqual(reopened.approval('apv1'), decided);
  },

  'writes a header once and never lowers the session count'(stores) {
    const store = stores.create();
    store.write(batch({ header, session: 3 }));
    store.write(batch({ header: { ...header, agents: [] }, session: 2 }));
    assert.deepEqual(store.header(), { ...header, sessions: 3 });
  },

  'applies a batch all or nothing: a value it cannot store changes nothing'(stores) {
    const store = stores.create();
    store.write(batch({ header, tasks: [active('a')], journal: [{ type: 'task.submitted', at: 1, actor: 'submitter', taskId: 'a' }] }));
    const unstorable: StoredTask = { ...active('b'), task: { ...task('b'), payload: { size: 10n } } };
    assert.throws(
      () =>
        store.write(
          batch({
            snapshots: [{ id: 'cto', snapshot: { value: 'executing', children: {} }, addedParts: [], removedParts: [] }],
            tasks: [active('c'), unstorable],
            removedTasks: ['a'],
            journal: [{ type: 'task.submitted', at: 2, actor: 'submitter', taskId: 'b' }],
          }),
        ),
      'a batch holding a BigInt must be refused',
    );
    const reopened = stores.reopen(store);
    const loaded = reopened.load();
    assert.deepEqual([loaded.snapshots, loaded.parts, loaded.tasks], [{}, {}, [active('a')]], 'the refused batch left nothing behind');
    assert.equal(reopened.journal().length, 1);
  },

  'keeps the journal in order, numbered, with its session, and reads it by task, after a point, or a few at a time'(stores) {
    const store = stores.create();
    store.write(
      batch({
        header,
        journal: [
          { type: 'task.submitted', at: 1, actor: 'submitter', taskId: 'a', rootId: 'a' },
          { type: 'task.delegated', at: 2, actor: 'cto', taskId: 'a', rootId: 'a', data: { to: 'backend_lead' } },
          { type: 'task.submitted', at: 3, actor: 'submitter', taskId: 'b', rootId: 'b' },
        ],
      }),
    );
    store.write(batch({ session: 2, journal: [{ type: 'task.started', at: 4, actor: 'backend_dev_1', taskId: 'a.backend', rootId: 'a', data: { attempt: 1 } }] }));
    const reopened = stores.reopen(store);
    const all = reopened.journal();
    assert.deepEqual(
      all.map((entry) => [entry.seq, entry.session, entry.type]),
      [
        [1, 1, 'task.submitted'],
        [2, 1, 'task.delegated'],
        [3, 1, 'task.submitted'],
        [4, 2, 'task.started'],
      ],
    );
    assert.deepEqual(all[1], { seq: 2, session: 1, type: 'task.delegated', at: 2, actor: 'cto', taskId: 'a', rootId: 'a', data: { to: 'backend_lead' } });
    const seqs = (query: Parameters<Store['journal']>[0]) => reopened.journal(query).map((entry) => entry.seq);
    assert.deepEqual(seqs({ taskId: 'a' }), [1, 2, 4], 'a submitted task: its entries and those of the tasks derived from it');
    assert.deepEqual(seqs({ taskId: 'a.backend' }), [4]);
    assert.deepEqual(seqs({ after: 2 }), [3, 4]);
    assert.deepEqual(seqs({ taskId: 'a', limit: 2 }), [1, 2]);
    assert.deepEqual(seqs({ limit: Infinity }), [1, 2, 3, 4], 'an infinite limit reads to the end (org.journal lets it through)');
    assert.deepEqual(seqs({ after: 1, limit: 0 }), []);
  },

  'has one holder at a time: any other claim, on this store or opened alongside it, is refused with store_locked naming the holder'(stores) {
    const store = stores.create();
    const [a, b] = [holder('a'), holder('b')];
    store.lock(a);
    store.lock(a); // the same holder again: nothing changes
    for (const [where, claim] of [
      ['this store', () => store.lock(b)],
      ['a store opened alongside', () => stores.alongside(store).lock(b)],
    ] as const) {
      const error = refusal(claim, `a second holder's claim on ${where}`);
      assert.equal(error.code, 'store_locked');
      assert.equal(error.details?.store, store.name);
      assert.deepEqual(error.details?.holder, a);
      assert.match(error.message, /pid 4242 on build-1/);
    }
    store.unlock(b); // not the holder: nothing changes
    assert.equal(refusal(() => store.lock(b), 'a claim after unlock by a non-holder').code, 'store_locked');
    store.unlock(a);
    const next = stores.alongside(store);
    next.lock(b);
    assert.deepEqual(refusal(() => store.lock(a), 'a claim while the store opened alongside holds it').details?.holder, b);
    next.unlock(b);
    store.lock(a);
    store.unlock(a);
  },

  'ends a claim when the store is closed (closing twice does nothing), and a claim writes nothing'(stores) {
    const store = stores.create();
    store.lock(holder('a'));
    store.close();
    store.close();
    const reopened = stores.reopen(store);
    reopened.lock(holder('b'));
    assert.equal(reopened.header(), undefined);
    assert.deepEqual(reopened.journal(), []);
    reopened.unlock(holder('b'));
  },

  'reads what was written last: every read after a write sees it, on the same store and after reopening'(stores) {
    // Each read once before the second write, so a read kept from then (a cache not dropped on write) shows.
    const store = stores.create();
    const submitted = { type: 'task.submitted', at: 1, actor: 'submitter', taskId: 'a', rootId: 'a' } as const;
    store.write(batch({ header, tasks: [active('a')], approvals: [{ rootId: 'a', approval: approval('apv1', 'a') }], escalations: [{ rootId: 'a', escalation: escalation('esc1', 'a') }], journal: [submitted] }));
    const reads = (from: Store) => ({ sessions: from.header()?.sessions, outcome: from.outcome('a'), approval: from.approval('apv1'), escalation: from.escalation('esc1'), journal: from.journal().length, ofTask: from.journal({ taskId: 'a' }).length });
    reads(store);
    store.write(batch({ session: 2, outcomes: [outcome('a')], approvals: [{ rootId: 'a', approval: decided }], escalations: [{ rootId: 'a', escalation: resolved }], journal: [{ ...submitted, type: 'task.settled', at: 9 }] }));
    const expected = { sessions: 2, outcome: outcome('a'), approval: decided, escalation: resolved, journal: 2, ofTask: 2 };
    assert.deepEqual(reads(store), expected, 'read on the same store after the write');
    assert.deepEqual(reads(stores.reopen(store)), expected, 'read after reopening');
  },

  'hands out copies: changing what was read changes nothing stored'(stores) {
    const store = stores.create();
    store.write(batch({ header, tasks: [active('a')], journal: [{ type: 'task.submitted', at: 1, actor: 'submitter', taskId: 'a', data: { n: 1 } }] }));
    (store.load().tasks[0]!.task.chain as string[]).push('mutated');
    (store.journal()[0]!.data as Record<string, unknown>).n = 2;
    assert.deepEqual(store.load().tasks[0]!.task.chain, ['cto', 'backend_lead']);
    assert.deepEqual(store.journal()[0]!.data, { n: 1 });
  },
};

/**
 * Registers the store contract's cases with `runner`, under `describe(\`${name} store: the data contract\`)`.
 * A store that passes them keeps an organisation the way `resume: true` needs.
 *
 * @example
 * ```ts
 * import { describe, it } from 'vitest';
 * import { sqliteStore } from 'echelon/sqlite';
 * import { storeConformance } from 'echelon/store/testing';
 *
 * let files = 0;
 * storeConformance('sqlite', {
 *   create: () => sqliteStore(`/tmp/conformance-${process.pid}-${++files}.db`),
 *   reopen: (store) => (store.close(), sqliteStore(store.name)),
 *   alongside: (store) => sqliteStore(store.name),
 * }, { describe, it });
 * ```
 */
export function storeConformance(name: string, factory: StoreFactory, runner: TestRunner): void {
  const fn = (value: unknown) => typeof value === 'function';
  if (!fn(factory?.create) || (factory.reopen !== undefined && !fn(factory.reopen)) || (factory.alongside !== undefined && !fn(factory.alongside))) {
    throw new EchelonError('invalid_option', 'storeConformance needs a factory { create(), reopen?(store), alongside?(store) } of functions: create() makes a new, empty store for each case.');
  }
  if (!fn(runner?.describe) || !fn(runner?.it)) throw new EchelonError('invalid_option', "storeConformance needs the test runner's describe and it, e.g. { describe, it } from vitest, jest, mocha or node:test.");
  runner.describe(`${name} store: the data contract`, () => {
    for (const [title, run] of Object.entries({ ...cases, ...forgetCases })) runner.it(title, () => withStores(factory, run));
  });
}

/** Runs a case with stores that are all closed when it ends, passed or failed. */
function withStores(factory: StoreFactory, run: Case): void {
  const opened: Store[] = [];
  const track = (store: Store) => (opened.push(store), store);
  try {
    run({
      create: () => track(factory.create()),
      reopen: (store) => track(factory.reopen?.(store) ?? store),
      alongside: (store) => track(factory.alongside?.(store) ?? store),
    });
  } finally {
    for (const store of new Set(opened)) {
      try {
        store.close();
      } catch {
        // a store that cannot close: the case's own failure (if any) is what to report
      }
    }
  }
}

/** `actual` holds the same values as `expected`, in any order. */
function sameMembers<T>(actual: readonly T[], expected: readonly T[], what: string): void {
  const missing = expected.filter((value) => !actual.some((candidate) => isDeepStrictEqual(candidate, value)));
  assert.ok(actual.length === expected.length && missing.length === 0, `${what}: expected ${JSON.stringify(expected)} in any order, got ${JSON.stringify(actual)}`);
}

/** The error `claim` throws; fails the case when it throws none. */
function refusal(claim: () => unknown, what: string): { code?: unknown; message: string; details?: Record<string, unknown> } {
  try {
    claim();
  } catch (error) {
    if (error instanceof Error) return error as Error & { code?: unknown; details?: Record<string, unknown> };
    assert.fail(`${what} threw ${String(error)}, not an EchelonError store_locked`);
  }
  assert.fail(`${what} must be refused with store_locked`);
}
