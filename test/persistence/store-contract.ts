/**
 * The store contract, as data: what goes in comes out, batches are all-or-nothing, finished
 * work leaves the resume set but stays readable, the journal is append-only and filtered by
 * task, one holder at a time. Run unchanged against every store.
 */
import { describe, expect, it } from 'vitest';
import type { Approval, Escalation, Outcome, StoreBatch, StoredTask, StoreHolder, Task } from '../../src/index.js';
import { errorOf } from '../support/helpers.js';
import type { StoreFactory } from '../support/persistence.js';

const task = (id: string, rootId = id, extra: Partial<Task> = {}): Task => ({
  id,
  type: 'python',
  payload: { feature: id },
  context: {},
  resources: [],
  requiredSkills: [],
  rootId,
  ...(rootId === id ? {} : { parentId: rootId }),
  origin: { kind: 'submitter' },
  chain: ['cto', 'backend_lead'],
  escalations: [],
  excluded: [],
  approvedBy: [],
  depth: 0,
  submittedAt: 5,
  ...extra,
});
const active = (id: string, rootId = id): StoredTask => ({
  task: task(id, rootId),
  holder: 'backend_lead',
  cancel: null,
  book: rootId === id ? { costs: { [id]: 2 }, subtasks: 0, escalations: [], approvals: [] } : null,
});
const outcome = (taskId: string): Outcome => ({
  taskId,
  type: 'python',
  status: 'completed',
  result: { ok: true },
  executedBy: 'backend_dev_1',
  delegationChain: ['cto'],
  escalations: [],
  approvals: [],
  attempts: 1,
  submittedAt: 5,
  settledAt: 9,
});
const escalation = (id: string, taskId: string): Escalation => ({
  id,
  reason: 'policy_decision',
  from: 'backend_dev_1',
  to: 'api_specialist',
  message: 'needs a decision',
  raisedAt: 6,
  taskId,
  taskType: 'python',
  status: 'active',
});
const approval = (id: string, taskId: string): Approval => ({
  id,
  taskId,
  taskType: 'python',
  requester: 'backend_dev_1',
  approver: 'api_specialist',
  requiredLevel: 2,
  quorum: 1,
  reason: 'deploys need approval',
  requestedAt: 6,
  payload: null,
  status: 'pending',
  decisions: [],
  askedApprovers: ['api_specialist'],
});
const batch = (extra: Partial<StoreBatch> = {}): StoreBatch => ({
  session: 1,
  snapshots: [],
  tasks: [],
  removedTasks: [],
  outcomes: [],
  escalations: [],
  approvals: [],
  journal: [],
  ...extra,
});
const holder = (id: string): StoreHolder => ({ id, pid: 4242, host: 'build-1', since: '2026-12-01T09:00:00.000Z' });
const header = { agents: [{ id: 'cto', parent: null }, { id: 'backend_lead', parent: 'cto' }], snapshotFormat: 1 };

export function describeStoreContract(factory: StoreFactory): void {
  describe(`${factory.name} store: the data contract`, () => {
    it('is empty until the first write, then holds the header, snapshots, tasks, escalations, approvals and resources', () => {
      const store = factory.create();
      expect(store.header()).toBeUndefined();
      expect(store.journal()).toEqual([]);
      expect(store.outcome('a')).toBeUndefined();
      store.write(
        batch({
          header,
          snapshots: [{ id: 'cto', snapshot: { value: 'receiving', children: {} }, addedParts: [{ key: '1.0', value: task('a') }], removedParts: [] }],
          tasks: [active('a'), active('a.backend', 'a')],
          escalations: [{ rootId: 'a', escalation: escalation('esc1', 'a') }],
          approvals: [{ rootId: 'a', approval: approval('apv1', 'a.backend') }],
          resources: { claims: [{ resource: 'db', taskId: 'a', agentId: 'backend_lead' }], waiting: { db: ['cto'] } },
          journal: [{ type: 'task.submitted', at: 5, actor: 'submitter', taskId: 'a', rootId: 'a', data: { type: 'python' } }],
        }),
      );
      const reopened = factory.reopen(store);
      expect(reopened.header()).toEqual({ ...header, sessions: 1 });
      const loaded = reopened.load();
      expect(loaded.snapshots).toEqual({ cto: { value: 'receiving', children: {} } });
      expect(loaded.parts).toEqual({ cto: { '1.0': task('a') } });
      expect(loaded.tasks).toEqual(expect.arrayContaining([active('a'), active('a.backend', 'a')]));
      expect(loaded.tasks).toHaveLength(2);
      expect(loaded.escalations).toEqual([{ rootId: 'a', escalation: escalation('esc1', 'a') }]);
      expect(loaded.approvals).toEqual([{ rootId: 'a', approval: approval('apv1', 'a.backend') }]);
      expect(loaded.resources).toEqual({ claims: [{ resource: 'db', taskId: 'a', agentId: 'backend_lead' }], waiting: { db: ['cto'] } });
      reopened.close();
    });

    it('replaces what is written again, removes finished derived tasks, and keeps finished work readable but out of the resume set', () => {
      const store = factory.create();
      store.write(batch({ header, tasks: [active('a'), active('a.backend', 'a'), active('b')], approvals: [{ rootId: 'a', approval: approval('apv1', 'a') }] }));
      const moved: StoredTask = { ...active('b'), holder: 'api_specialist', cancel: 'no longer needed' };
      const snapshot = { value: 'executing', children: {} };
      store.write(batch({ session: 2, snapshots: [{ id: 'cto', snapshot, addedParts: [{ key: '1.0', value: task('a') }, { key: '1.1', value: task('b') }], removedParts: [] }] }));
      store.write(batch({ session: 2, tasks: [moved], removedTasks: ['a.backend'], snapshots: [{ id: 'cto', snapshot, addedParts: [{ key: '2.0', value: task('c') }], removedParts: ['1.0'] }] }));
      expect(store.load().parts).toEqual({ cto: { '1.1': task('b'), '2.0': task('c') } });
      expect(store.load().tasks).toEqual(expect.arrayContaining([active('a'), moved]));
      const decided: Approval = { ...approval('apv1', 'a'), status: 'approved', decidedAt: 8 };
      store.write(batch({ session: 2, outcomes: [outcome('a')], approvals: [{ rootId: 'a', approval: decided }] }));
      const reopened = factory.reopen(store);
      expect(reopened.header()?.sessions).toBe(2);
      expect(reopened.load().tasks).toEqual([moved]);
      expect(reopened.load().approvals).toEqual([]);
      expect(reopened.outcome('a')).toEqual(outcome('a'));
      expect(reopened.outcome('b')).toBeUndefined();
      expect(reopened.approval('apv1')).toEqual(decided);
      reopened.close();
    });

    it('writes a header once and never lowers the session count', () => {
      const store = factory.create();
      store.write(batch({ header, session: 3 }));
      store.write(batch({ header: { ...header, agents: [] }, session: 2 }));
      expect(store.header()).toEqual({ ...header, sessions: 3 });
      store.close();
    });

    it('applies a batch all or nothing: a value it cannot store changes nothing', () => {
      const store = factory.create();
      store.write(batch({ header, tasks: [active('a')], journal: [{ type: 'task.submitted', at: 1, actor: 'submitter', taskId: 'a' }] }));
      const unstorable: StoredTask = { ...active('b'), task: { ...task('b'), payload: { size: 10n } } };
      expect(() =>
        store.write(
          batch({
            snapshots: [{ id: 'cto', snapshot: { value: 'executing', children: {} }, addedParts: [], removedParts: [] }],
            tasks: [active('c'), unstorable],
            removedTasks: ['a'],
            journal: [{ type: 'task.submitted', at: 2, actor: 'submitter', taskId: 'b' }],
          }),
        ),
      ).toThrow();
      const reopened = factory.reopen(store);
      expect(reopened.load()).toMatchObject({ snapshots: {}, parts: {}, tasks: [active('a')] });
      expect(reopened.journal()).toHaveLength(1);
      reopened.close();
    });

    it('keeps the journal in order, numbered, with its session, and reads it by task, after a point, or a few at a time', () => {
      const store = factory.create();
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
      const reopened = factory.reopen(store);
      const all = reopened.journal();
      expect(all.map((entry) => [entry.seq, entry.session, entry.type])).toEqual([
        [1, 1, 'task.submitted'],
        [2, 1, 'task.delegated'],
        [3, 1, 'task.submitted'],
        [4, 2, 'task.started'],
      ]);
      expect(all[1]).toEqual({ seq: 2, session: 1, type: 'task.delegated', at: 2, actor: 'cto', taskId: 'a', rootId: 'a', data: { to: 'backend_lead' } });
      expect(reopened.journal({ taskId: 'a' }).map((entry) => entry.seq)).toEqual([1, 2, 4]);
      expect(reopened.journal({ taskId: 'a.backend' }).map((entry) => entry.seq)).toEqual([4]);
      expect(reopened.journal({ after: 2 }).map((entry) => entry.seq)).toEqual([3, 4]);
      expect(reopened.journal({ taskId: 'a', limit: 2 }).map((entry) => entry.seq)).toEqual([1, 2]);
      reopened.close();
    });

    it('has one holder at a time: any other claim, on this store or opened alongside it, is refused with store_locked naming the holder', () => {
      const store = factory.create();
      const [a, b] = [holder('a'), holder('b')];
      store.lock(a);
      store.lock(a); // the same holder again: nothing changes
      for (const claim of [() => store.lock(b), () => factory.alongside(store).lock(b)]) {
        const refusal = errorOf(claim);
        expect(refusal.code).toBe('store_locked');
        expect(refusal.details).toMatchObject({ store: store.name, holder: a });
        expect(refusal.message).toContain('pid 4242 on build-1');
      }
      store.unlock(b); // not the holder: nothing changes
      expect(errorOf(() => store.lock(b)).code).toBe('store_locked');
      store.unlock(a);
      const next = factory.alongside(store);
      next.lock(b);
      expect(errorOf(() => store.lock(a)).details).toMatchObject({ holder: b });
      next.unlock(b);
      store.lock(a);
      store.unlock(a);
      if (next !== store) next.close();
      store.close();
    });

    it('ends a claim when the store is closed, and a claim writes nothing', () => {
      const store = factory.create();
      store.lock(holder('a'));
      store.close();
      const reopened = factory.reopen(store);
      reopened.lock(holder('b'));
      expect(reopened.header()).toBeUndefined();
      expect(reopened.journal()).toEqual([]);
      reopened.unlock(holder('b'));
      reopened.close();
    });

    it('hands out copies: changing what was read changes nothing stored', () => {
      const store = factory.create();
      store.write(batch({ header, tasks: [active('a')] }));
      const first = store.load();
      (first.tasks[0]!.task.chain as string[]).push('mutated');
      expect(store.load().tasks[0]!.task.chain).toEqual(['cto', 'backend_lead']);
      store.close();
    });
  });
}
