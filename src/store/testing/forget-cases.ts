/**
 * The store contract's cases for `forget`, the optional method that lets a long-running
 * organisation drop finished work: what goes and what stays, oldest first in slices, and journal
 * numbers that are never used twice. A store without `forget` passes them at once (there is
 * nothing of it to hold to the contract).
 */
import assert from 'node:assert/strict';
import type { Store } from '../types.js';
import type { Case } from './factory.js';
import { active, approval, batch, escalation, header, outcome } from './samples.js';

const line = (type: 'task.submitted' | 'task.started' | 'task.settled' | 'approval.settled', taskId: string, rootId: string | undefined, at = 1) => ({
  type,
  at,
  actor: 'backend_lead',
  taskId,
  ...(rootId === undefined ? {} : { rootId }),
});

const seqs = (store: Store, query?: Parameters<Store['journal']>[0]) => store.journal(query).map((entry) => entry.seq);

export const forgetCases: Record<string, Case> = {
  'forgets the finished tasks settled before a time — outcome, derived rows, escalations, approvals, journal lines — and keeps active work and the organisation\'s lines'(stores) {
    const store = stores.create();
    if (store.forget === undefined) return;
    store.write(
      batch({
        header,
        tasks: [active('a'), active('a.backend', 'a'), active('b'), active('c')],
        escalations: [{ rootId: 'a', escalation: escalation('esc1', 'a.backend') }, { rootId: 'b', escalation: escalation('esc2', 'b') }],
        approvals: [{ rootId: 'a', approval: approval('apv1', 'a.backend') }],
        journal: [
          { type: 'organisation.started', at: 0, actor: 'orchestrator', data: { session: 1 } },
          line('task.submitted', 'a', 'a'),
          line('task.submitted', 'b', 'b'),
          line('task.submitted', 'c', 'c'),
          line('task.started', 'a.backend', 'a'),
        ],
      }),
    );
    // a settles at 9 and c at 30; a line of a.backend comes once a is no longer active (it names a.backend alone).
    store.write(batch({ outcomes: [outcome('a', 9), outcome('c', 30)], removedTasks: ['a.backend'], journal: [line('task.settled', 'a', 'a', 9), line('approval.settled', 'a.backend', undefined, 9), line('task.settled', 'c', 'c', 30)] }));
    const forgotten = stores.reopen(store);
    assert.deepEqual(forgotten.forget!({ settledBefore: 10 }), { tasks: 1, escalations: 1, approvals: 1, journalEntries: 4 });
    for (const reopen of [false, true]) {
      const reopened = reopen ? stores.reopen(forgotten) : forgotten;
      assert.equal(reopened.outcome('a'), undefined, 'the forgotten outcome');
      assert.equal(reopened.escalation('esc1'), undefined, "the forgotten task's escalation");
      assert.equal(reopened.approval('apv1'), undefined, "the forgotten task's approval");
      assert.deepEqual(reopened.journal({ taskId: 'a' }), [], "the forgotten task's lines");
      assert.deepEqual(reopened.journal({ taskId: 'a.backend' }), [], 'a line naming only a task of the forgotten one');
      assert.deepEqual(seqs(reopened), [1, 3, 4, 8], "the organisation's line, the active task's and the one settled later stay, with their numbers");
      assert.deepEqual(reopened.load().tasks, [active('b')], 'active work stays');
      assert.deepEqual(reopened.load().escalations, [{ rootId: 'b', escalation: escalation('esc2', 'b') }]);
      assert.deepEqual(reopened.outcome('c'), outcome('c', 30), 'a task settled at the time or after stays');
    }
  },

  'forgets nothing when nothing settled before the time, and the oldest first in slices of limit (by settledAt, then by id)'(stores) {
    const store = stores.create();
    if (store.forget === undefined) return;
    store.write(batch({ header, tasks: [active('old')], outcomes: [outcome('z', 3), outcome('q', 2), outcome('x', 1), outcome('p', 2)] }));
    const none = { tasks: 0, escalations: 0, approvals: 0, journalEntries: 0 };
    assert.deepEqual(store.forget({ settledBefore: 1 }), none, 'settled at the time is not before it');
    assert.deepEqual(store.forget({ settledBefore: 10, limit: 2 }).tasks, 2);
    const left = () => ['x', 'p', 'q', 'z'].filter((id) => store.outcome(id) !== undefined);
    assert.deepEqual(left(), ['q', 'z'], 'the first slice takes x (settled at 1), then p before q (both at 2)');
    assert.deepEqual(stores.reopen(store).forget!({ settledBefore: 10, limit: 5 }).tasks, 2);
    const reopened = stores.reopen(store);
    assert.deepEqual(['x', 'p', 'q', 'z'].filter((id) => reopened.outcome(id) !== undefined), []);
    assert.deepEqual(reopened.forget!({ settledBefore: Number.MAX_SAFE_INTEGER }), none, 'nothing left to forget');
    assert.deepEqual(reopened.load().tasks, [active('old')], 'an active task is never forgotten, however old');
  },

  'never numbers a journal line twice: after a forget, lines are numbered after the last one ever written, and read by number across the gap'(stores) {
    const store = stores.create();
    if (store.forget === undefined) return;
    store.write(batch({ header, tasks: [active('b')], journal: [line('task.submitted', 'b', 'b'), line('task.submitted', 'a', 'a'), line('task.settled', 'a', 'a', 4)] }));
    store.write(batch({ outcomes: [outcome('a', 4)] }));
    assert.equal(store.forget({ settledBefore: 5 }).journalEntries, 2);
    const reopened = stores.reopen(store);
    reopened.write(batch({ session: 2, journal: [line('task.started', 'b', 'b', 6)] }));
    assert.deepEqual(seqs(reopened), [1, 4], 'the line after the forgotten last ones is 4, not 2');
    const again = stores.reopen(reopened);
    assert.deepEqual(seqs(again, { after: 1 }), [4], 'after a number in the gap');
    assert.deepEqual(seqs(again, { after: 2, limit: 1 }), [4]);
  },
};
