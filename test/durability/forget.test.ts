/**
 * `org.forget`: a long-running organisation drops finished work from its store and its memory —
 * outcomes, escalations, approvals, journal lines — and nothing active; what is forgotten is
 * unknown afterwards, as an id never submitted; a resume does not bring it back; journal numbers
 * go on growing; bad queries are refused at the door, changing nothing. On both stores.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import { developmentTeam, fullStackFeature, memoryStore, type Executor, type Orchestrator, type Store } from '../../src/index.js';
import { sqliteStore } from '../../src/sqlite.js';
import { serveLiveView } from '../../src/inspect/index.js';
import { forwardStore } from '../../src/store/index.js';
import { FORGET_SLICE } from '../../src/runtime/forget.js';
import { orchestrators, rejectionOf } from '../support/helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'echelon-forget-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

const stores = [
  { name: 'memory', create: (): Store => memoryStore(), reopen: (store: Store) => store },
  { name: 'sqlite', create: (): Store => sqliteStore(join(dir, `forget-${++files}.db`)), reopen: (store: Store) => (store.close(), sqliteStore(store.name)) },
];

const never = () => new Promise<never>(() => undefined);

/** `hold` (at the db_specialist) never finishes (until a resume with `release`); `esc` escalates from its developer to the api_specialist, who decides. */
const executor =
  (release = false): Executor =>
  (task, { agent, escalate }) => {
    if (task.rootId === 'hold' && !release) return never();
    if (task.rootId === 'esc' && agent.id !== 'api_specialist') return escalate('policy_decision', 'not mine to decide');
    return { done: task.id };
  };

const start = orchestrators({ hierarchy: developmentTeam(), decomposers: { byType: { full_stack_feature: fullStackFeature() } } });

/** An organisation at t=100 with `hold` active since t=0; a, esc (escalated), split (subtasks) and apv (approved) settled at t=0; late settled at t=100. */
async function history(store: Store): Promise<{ org: Orchestrator; clock: SimulatedClock; escalationId: string; approvalId: string }> {
  const clock = new SimulatedClock();
  const org = start({ store, clock, executors: executor() });
  void org.submit({ id: 'hold', type: 'sql' });
  await org.submit({ id: 'a', type: 'python' });
  const escalated = await org.submit({ id: 'esc', type: 'python' });
  const split = await org.submit({ id: 'split', type: 'full_stack_feature' });
  expect(split.subtasks?.length).toBeGreaterThan(1);
  const parked = org.submit({ id: 'apv', type: 'python', approval: { reason: 'deploys need approval' } });
  await org.flush();
  const [pending] = org.approvals.pending();
  org.approvals.approve(pending!.id, { by: pending!.approver });
  expect((await parked).status).toBe('completed');
  clock.increment(100);
  await org.submit({ id: 'late', type: 'python' });
  return { org, clock, escalationId: escalated.escalations[0]!.id, approvalId: pending!.id };
}

const FORGOTTEN = ['a', 'esc', 'split', 'apv'];

describe.each(stores)('org.forget on the $name store', (factory) => {
  it('forgets the tasks that settled before the time, with their subtasks, escalations, approvals and journal lines, and nothing active or later', async () => {
    const store = factory.create();
    const { org, escalationId, approvalId } = await history(store);
    const lines = org.journal();
    const theirs = lines.filter((entry) => FORGOTTEN.includes(entry.rootId ?? entry.taskId ?? '') || FORGOTTEN.some((id) => entry.taskId?.startsWith(`${id}-`)));
    expect(theirs.length).toBeGreaterThan(20);

    const forgotten = await org.forget({ settledBefore: 50 });
    expect(forgotten).toEqual({ tasks: 4, escalations: 1, approvals: 1, journalEntries: theirs.length });
    for (const id of FORGOTTEN) {
      const refused = await rejectionOf(org.outcome(id));
      expect(refused).toMatchObject({ code: 'unknown_task', message: `No active or recent task "${id}" (never submitted, or finished and forgotten).` });
      expect(org.journal({ taskId: id })).toEqual([]);
      expect(store.outcome(id)).toBeUndefined();
    }
    expect(org.escalations.get(escalationId)).toBeUndefined();
    expect(org.escalations.resolved().map((escalation) => escalation.id)).not.toContain(escalationId);
    expect(org.approvals.get(approvalId)).toBeUndefined();
    expect(org.journal().map((entry) => entry.seq)).toEqual(lines.filter((entry) => !theirs.includes(entry)).map((entry) => entry.seq));
    expect(org.journal()[0]).toMatchObject({ type: 'organisation.started' });
    // Active work, however old, and what settled at the time or after, stay.
    expect(org.journal({ taskId: 'hold' }).length).toBeGreaterThan(0);
    expect(org.agentState('db_specialist').running).toEqual(['hold']);
    expect((await org.outcome('late')).settledAt).toBe(100);
    expect(org.status().activeTasks).toBe(1);
    // A forgotten id is free, as a finished one is: submitted again, it runs again.
    expect(await org.submit({ id: 'a', type: 'python' })).toMatchObject({ status: 'completed', submittedAt: 100, settledAt: 100 });
  });

  it('forgets nothing when nothing settled before the time, everything with a time after the last, and the oldest first in slices of limit', async () => {
    const store = factory.create();
    const clock = new SimulatedClock();
    const org = start({ store, clock, executors: executor() });
    for (const id of ['t1', 't2', 't3']) {
      await org.submit({ id, type: 'python' });
      clock.increment(10);
    }
    const before = org.journal().length;
    expect(await org.forget({ settledBefore: 0 })).toEqual({ tasks: 0, escalations: 0, approvals: 0, journalEntries: 0 });
    expect(org.journal()).toHaveLength(before);
    expect((await org.forget({ settledBefore: 1_000, limit: 2 })).tasks).toBe(2);
    expect(await Promise.allSettled(['t1', 't2', 't3'].map((id) => org.outcome(id)))).toMatchObject([{ status: 'rejected' }, { status: 'rejected' }, { status: 'fulfilled' }]);
    expect((await org.forget({ settledBefore: 1_000, limit: 2 })).tasks).toBe(1);
    expect((await org.forget({ settledBefore: 1_000 })).tasks).toBe(0);
    expect(org.journal().map((entry) => entry.type)).toEqual(['organisation.started']);
  });

  it('forgets an outcome of the burst it is asked in (the write comes first), and answers only once the store forgot', async () => {
    const store = factory.create();
    const org = start({ store, clock: new SimulatedClock(), executors: executor() });
    const settled = org.submit({ id: 'now', type: 'python' });
    const forgetting = org.forget({ settledBefore: 1 });
    expect(store.outcome('now')).toBeUndefined();
    await settled;
    expect(await forgetting).toMatchObject({ tasks: 1 });
    expect(store.outcome('now')).toBeUndefined();
    expect(store.journal({ taskId: 'now' })).toEqual([]);
  });

  it('refuses a query that is none at the door (invalid_option), changing nothing', async () => {
    const store = factory.create();
    const { org } = await history(store);
    const lines = org.journal().length;
    const queries: unknown[] = [
      undefined,
      null,
      50,
      new Date(50),
      {},
      { settledBefore: '50' },
      { settledBefore: Number.NaN },
      { settledBefore: Number.POSITIVE_INFINITY },
      { settledBefore: new Date(50) },
      { settledBefore: 50, limit: 0 },
      { settledBefore: 50, limit: 1.5 },
      { settledBefore: 50, limit: Number.POSITIVE_INFINITY },
      { settledBefore: 50, limit: '2' },
      { settledbefore: 50 },
      { settledBefore: 50, olderThan: 3 },
    ];
    for (const query of queries) {
      const refused = await rejectionOf(org.forget(query as never));
      expect(refused.code, JSON.stringify(query)).toBe('invalid_option');
      expect(refused.message).toMatch(/^org\.forget/);
    }
    expect((await rejectionOf(org.forget({ settledBefore: new Date(50) } as never))).message).toContain('date.getTime()');
    expect((await rejectionOf(org.forget({ settledbefore: 50 } as never))).message).toContain('settledBefore');
    expect(org.journal()).toHaveLength(lines);
    expect((await org.outcome('a')).status).toBe('completed');
    await org.stop();
    expect(await rejectionOf(org.forget({ settledBefore: 50 }))).toMatchObject({ code: 'orchestrator_stopped' });
    expect(store.outcome('a')).toBeDefined();
  });

  it('is not undone by a resume: the forgotten stay unknown, active work resumes, and journal numbers go on after the last ever written', async () => {
    const store = factory.create();
    const { org } = await history(store);
    // The last lines ever written are late's, which goes: the next number is after them all the same.
    const lastSeq = org.journal().at(-1)!.seq;
    expect(org.journal({ taskId: 'late' }).at(-1)!.seq).toBe(lastSeq);
    await org.forget({ settledBefore: 1_000 });
    expect(org.journal().at(-1)!.seq).toBeLessThan(lastSeq);
    await org.stop();
    const reopened = factory.reopen(store);
    const later = new SimulatedClock();
    later.set(200);
    const resumed = start({ store: reopened, clock: later, executors: executor(true), resume: true });
    expect((await resumed.outcome('hold')).status).toBe('completed');
    for (const id of [...FORGOTTEN, 'late']) expect(await rejectionOf(resumed.outcome(id))).toMatchObject({ code: 'unknown_task' });
    const after = resumed.journal({ after: lastSeq });
    expect(after[0]).toMatchObject({ type: 'organisation.resumed', seq: lastSeq + 1 });
    expect(resumed.journal({ taskId: 'late' })).toEqual([]);
    // The replay of what is left still works: the history steps through the gap.
    const steps = resumed.history();
    expect(steps.map((step) => step.entry.seq)).toEqual(resumed.journal().map((entry) => entry.seq));
    expect(steps.at(-1)!.agents.every((agent) => agent.state === 'receiving')).toBe(true);
  });

  it('forgets the escalations and approvals of a task whose outcome memory no longer kept (retain), so that get and resolved() agree with the store', async () => {
    const store = factory.create();
    const clock = new SimulatedClock();
    // retain: 2 — the outcomes of esc and apv leave memory (two later tasks finish), their closed cases stay there.
    const org = start({ store, clock, executors: executor(), retain: 2 });
    const escalationId = (await org.submit({ id: 'esc', type: 'python' })).escalations[0]!.id;
    const parked = org.submit({ id: 'apv', type: 'python', approval: { reason: 'deploys need approval' } });
    await org.flush();
    const [pending] = org.approvals.pending();
    org.approvals.approve(pending!.id, { by: pending!.approver });
    await parked;
    for (const id of ['b', 'c']) await org.submit({ id, type: 'python' });
    expect(org.escalations.get(escalationId)).toBeDefined();
    expect(await org.forget({ settledBefore: 1 })).toMatchObject({ tasks: 4, escalations: 1, approvals: 1 });
    expect(store.escalation(escalationId)).toBeUndefined();
    expect(org.escalations.get(escalationId)).toBeUndefined();
    expect(org.escalations.resolved()).toEqual([]);
    expect(org.approvals.get(pending!.id)).toBeUndefined();
  });

  it('refuses on a store without forget (invalid_option naming the store), and says so when the store fails to forget, going on', async () => {
    const store = factory.create();
    const clock = new SimulatedClock();
    const without = start({ store: forwardStore(store, { forget: undefined }), clock, executors: executor() });
    await without.submit({ id: 'a', type: 'python' });
    expect(await rejectionOf(without.forget({ settledBefore: 1 }))).toMatchObject({ code: 'invalid_option', details: { store: store.name }, message: expect.stringContaining(`the store ${store.name} cannot forget`) });
    await without.stop();
    const failing = start({ store: forwardStore(factory.reopen(store), { forget: () => { throw new Error('disk says no'); } }), clock, executors: executor(), resume: true });
    expect(await rejectionOf(failing.forget({ settledBefore: 1 }))).toMatchObject({ code: 'store_write_failed', message: expect.stringContaining('disk says no') });
    expect((await failing.outcome('a')).status).toBe('completed');
    expect((await failing.submit({ id: 'b', type: 'python' })).status).toBe('completed');
  });
});

describe('the live view after a forget', () => {
  it('serves what is left: its history steps through the gap, and a forgotten task is one it has not seen', async () => {
    const { org } = await history(memoryStore());
    await org.forget({ settledBefore: 50 });
    const view = await serveLiveView(org);
    try {
      const get = (path: string) => fetch(`http://127.0.0.1:${view.port}${path}`);
      const steps = (await (await get('/api/history')).json()) as Array<{ entry: { seq: number } }>;
      expect(steps.map((step) => step.entry.seq)).toEqual(org.journal().map((entry) => entry.seq));
      expect((await get('/api/tasks/a')).status).toBe(404);
      expect((await get('/api/tasks/late')).status).toBe(200);
    } finally {
      await view.close();
    }
  });
});

describe('org.forget without a store', () => {
  it('drops the recent outcomes that settled before the time from memory, oldest first, the rest staying', async () => {
    const clock = new SimulatedClock();
    const org = start({ clock, executors: executor() });
    for (const id of ['t1', 't2', 't3']) {
      await org.submit({ id, type: 'python' });
      clock.increment(10);
    }
    expect(await org.forget({ settledBefore: 15, limit: 1 })).toEqual({ tasks: 1, escalations: 0, approvals: 0, journalEntries: 0 });
    expect(await org.forget({ settledBefore: 15 })).toMatchObject({ tasks: 1 });
    expect(await rejectionOf(org.outcome('t2'))).toMatchObject({ code: 'unknown_task' });
    expect((await org.outcome('t3')).settledAt).toBe(20);
  });
});

describe('org.forget without a limit, on a big store', () => {
  it('forgets in slices of FORGET_SLICE, each a transaction of its own at a write point of its own, and a slice that fails says what went before it', async () => {
    const base = memoryStore();
    const asked: Array<number | undefined> = [];
    let failAt = Infinity;
    const store = forwardStore(base, {
      forget: (query) => {
        asked.push(query.limit);
        if (asked.length >= failAt) throw new Error('disk says no');
        return base.forget!(query);
      },
    });
    const org = start({ store, clock: new SimulatedClock(), executors: executor() });
    const ids = Array.from({ length: FORGET_SLICE + 5 }, (_, i) => `t${i}`);
    for (let at = 0; at < ids.length; at += 1_000) await Promise.all(ids.slice(at, at + 1_000).map((id) => org.submit({ id, type: 'python' })));
    // Between two slices the event loop runs: a macrotask queued once the first has gone runs before the second.
    const turns: number[] = [];
    const forgetting = org.forget({ settledBefore: 1 });
    const watch = setInterval(() => turns.push(asked.length), 0);
    const went = await forgetting;
    clearInterval(watch);
    expect(went).toMatchObject({ tasks: ids.length, escalations: 0, approvals: 0 });
    expect(asked).toEqual([FORGET_SLICE, FORGET_SLICE]);
    expect(turns).toContain(1);
    expect(await rejectionOf(org.outcome('t0'))).toMatchObject({ code: 'unknown_task' });
    expect(await rejectionOf(org.outcome(ids.at(-1)!))).toMatchObject({ code: 'unknown_task' });

    for (let at = 0; at < ids.length; at += 1_000) await Promise.all(ids.slice(at, at + 1_000).map((id) => org.submit({ id, type: 'python' })));
    asked.length = 0;
    failAt = 2;
    const refused = await rejectionOf(org.forget({ settledBefore: 1 }));
    expect(refused).toMatchObject({ code: 'store_write_failed', details: { forgotten: { tasks: FORGET_SLICE } }, message: expect.stringContaining(`the ${FORGET_SLICE.toLocaleString('en-US')} tasks of the slices before it are forgotten`) });
    // Oldest first, then by id: the slice that failed would have taken the last ids in that order.
    expect(await rejectionOf(org.outcome('t0'))).toMatchObject({ code: 'unknown_task' });
    expect((await org.outcome([...ids].sort().at(-1)!)).status).toBe('completed');
  });
});
