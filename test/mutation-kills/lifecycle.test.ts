/**
 * A held task's life at the agent executing it, on a simulated clock: each running task has its
 * own attempt timer, holds its resources while it runs, waits for a slot (queued, reported, in
 * order, never past the agent's concurrency), is dropped from the queue when cancelled, ignores
 * a late answer of an attempt it gave up on, and keeps to its time budget whatever the clock
 * says. Agents never fault on a stale message: every test checks that no `agent.fault` happened.
 */
import { describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import type { Orchestrator } from '../../src/index.js';
import { deferred, flush } from '../support/helpers.js';
import { faultlessOrganisations, hang, watch } from '../support/lifecycle.js';

const start = faultlessOrganisations();

describe('attempts', () => {
  it('each running task has its own attempt timer: one finishing does not stop the other timing out', async () => {
    const clock = new SimulatedClock();
    const quick = deferred<string>();
    const org = start({ clock, concurrency: { byId: { frontend_dev_1: 2 } }, execution: { timeoutMs: 100 }, executors: (task) => (task.id === 'quick' ? quick.promise : hang()) });
    const slow = watch(org.submit({ id: 'slow', type: 'css' }));
    const fast = org.submit({ id: 'quick', type: 'css' });
    await flush();
    expect(org.agentState('frontend_dev_1').running).toEqual(['slow', 'quick']);
    clock.increment(50);
    quick.resolve('done');
    expect((await fast).result).toBe('done');
    clock.increment(50);
    await flush();
    expect(slow.outcome?.error?.code).toBe('executor_timeout');
  });

  it.each(['in the backoff', 'while the next attempt runs'])('a late answer of an attempt that timed out is ignored %s', async (when) => {
    const clock = new SimulatedClock();
    const answers = [deferred<string>(), deferred<string>()];
    const org = start({
      clock,
      execution: { timeoutMs: 100, retry: { attempts: 2, initialDelayMs: 50, jitter: 0 } },
      executors: (_task, { attempt }) => answers[attempt - 1]!.promise,
    });
    const outcome = watch(org.submit({ id: 't', type: 'css' }));
    await flush();
    clock.increment(100); // attempt 1 times out; attempt 2 is due at 150
    await flush();
    if (when !== 'in the backoff') clock.increment(50);
    await flush();
    answers[0]!.resolve('late');
    await flush();
    expect(outcome.outcome).toBeUndefined();
    if (when === 'in the backoff') clock.increment(50);
    await flush();
    expect(org.agentState('frontend_dev_1').running).toEqual(['t']);
    answers[1]!.resolve('fresh');
    await flush();
    expect(outcome.outcome).toMatchObject({ status: 'completed', result: 'fresh', attempts: 2 });
  });

  it('an answer for a task cancelled while it ran changes nothing', async () => {
    const answer = deferred<string>();
    const org = start({ executors: () => answer.promise });
    void org.submit({ id: 'gone', type: 'css' });
    await flush();
    expect((await org.cancel('gone')).status).toBe('cancelled');
    answer.resolve('too late');
    await flush();
    expect(org.agentState('frontend_dev_1')).toMatchObject({ running: [], queued: 0 });
    expect((await org.submit({ id: 'next', type: 'css' })).result).toBe('too late');
  });
});

describe('waiting for a slot', () => {
  const gated = () => {
    const gates = new Map<string, ReturnType<typeof deferred<string>>>();
    let running = 0;
    let most = 0;
    const executors = async (task: { id: string }) => {
      running++;
      most = Math.max(most, running);
      const gate = deferred<string>();
      gates.set(task.id, gate);
      try {
        return await gate.promise;
      } finally {
        running--;
      }
    };
    return { executors, open: (id: string) => gates.get(id)!.resolve(`${id} done`), most: () => most };
  };

  it('is reported, and queued tasks start one by one, in order, never past the concurrency', async () => {
    const { executors, open, most } = gated();
    const org = start({ executors });
    const queued: string[] = [];
    org.on('task.queued', (event) => queued.push(`${event.task.id}@${event.agent}`));
    const outcomes = ['a', 'b', 'c'].map((id) => org.submit({ id, type: 'css' }));
    await flush();
    expect(queued).toEqual(['b@frontend_dev_1', 'c@frontend_dev_1']);
    expect(org.agentState('frontend_dev_1')).toMatchObject({ running: ['a'], queued: 2 });
    open('a');
    await flush();
    expect(org.agentState('frontend_dev_1')).toMatchObject({ running: ['b'], queued: 1 });
    open('b');
    await flush();
    open('c');
    expect((await Promise.all(outcomes)).map((outcome) => outcome.result)).toEqual(['a done', 'b done', 'c done']);
    expect(most()).toBe(1);
  });

  it('a cancelled queued task is dropped from the queue and never starts', async () => {
    const { executors, open } = gated();
    const calls: string[] = [];
    const org = start({ executors: (task) => (calls.push(task.id), executors(task)) });
    const first = org.submit({ id: 'first', type: 'css' });
    void org.submit({ id: 'dropped', type: 'css' });
    await flush();
    expect((await org.cancel('dropped')).status).toBe('cancelled');
    open('first');
    expect((await first).result).toBe('first done');
    await flush();
    expect(calls).toEqual(['first']);
  });

  it('a task approved while the agent is busy waits its turn, then runs', async () => {
    const { executors, open } = gated();
    const org = start({ executors });
    const queued: string[] = [];
    org.on('task.queued', (event) => queued.push(event.task.id));
    const first = org.submit({ id: 'first', type: 'css' });
    const gatedTask = org.submit({ id: 'gated', type: 'css', context: { requiresApproval: true } });
    await flush();
    org.approvals.approve(org.approvals.pending()[0]!.id, { by: 'frontend_lead' });
    await flush();
    expect(queued).toEqual(['gated']);
    expect(org.agentState('frontend_dev_1')).toMatchObject({ running: ['first'], queued: 1 });
    open('first');
    await flush();
    open('gated');
    expect(await gatedTask).toMatchObject({ status: 'completed', result: 'gated done', approvals: [expect.objectContaining({ status: 'approved' })] });
    await first;
  });
});

describe('an executor asking for approval itself', () => {
  it('is parked until approved and runs again; asking again once approved runs it again from the queue', async () => {
    const runs: string[] = [];
    const org = start({
      executors: (task, context) => {
        runs.push(context.approved ? 'approved' : 'not yet');
        if (runs.length < 3) return context.escalate('approval_required', 'sign this off');
        return 'signed';
      },
    });
    const outcome = org.submit({ id: 's', type: 'css' });
    await flush();
    expect(runs).toEqual(['not yet']);
    const [asked] = org.approvals.pending();
    expect(asked).toMatchObject({ taskId: 's', reason: 'sign this off' });
    org.approvals.approve(asked!.id, { by: 'frontend_lead' });
    expect(await outcome).toMatchObject({ status: 'completed', result: 'signed', executedBy: 'frontend_dev_1' });
    expect(runs).toEqual(['not yet', 'approved', 'approved']);
    expect(org.approvals.pending()).toEqual([]);
  });
});

describe('resources', () => {
  it('a task holds its resources while it runs, and frees them when it ends', async () => {
    const gate = deferred<string>();
    const org = start({ executors: (task) => (task.id === 'holder' ? gate.promise : `${task.type} done`) });
    const holder = org.submit({ id: 'holder', type: 'css', resources: ['db'] });
    await flush();
    const waiter = watch(org.submit({ id: 'waiter', type: 'python', resources: ['db'] }));
    await flush();
    expect(waiter.outcome).toBeUndefined();
    gate.resolve('holder done');
    await holder;
    await flush(10);
    expect(waiter.outcome).toMatchObject({ status: 'completed', result: 'python done', executedBy: 'backend_dev_1' });
    expect(waiter.outcome?.escalations.map((escalation) => escalation.reason)).toEqual(['resource_conflict']);
  });
});

describe('the time budget, with the clock anywhere', () => {
  const at = (now: number) => {
    const clock = new SimulatedClock();
    clock.set(now);
    return clock;
  };

  it('an attempt gets what is left of the budget, not the budget again', async () => {
    const clock = at(1_000);
    const org = start({ clock, execution: { timeoutMs: 1_000 }, executors: hang });
    const outcome = watch(org.submit({ id: 'c', type: 'css', budget: { timeMs: 300 } }));
    await flush();
    clock.increment(299);
    await flush();
    expect(outcome.outcome).toBeUndefined();
    clock.increment(1);
    await flush();
    expect(outcome.outcome).toMatchObject({ status: 'failed', error: { code: 'budget_exceeded' }, settledAt: 1_300, attempts: 1 });
  });

  it('an attempt cut short by its own timeout, with budget left, is a timeout, not the budget', async () => {
    const clock = at(1_000);
    const org = start({ clock, execution: { timeoutMs: 100 }, executors: hang });
    const outcome = watch(org.submit({ id: 'c', type: 'css', budget: { timeMs: 1_000 } }));
    await flush();
    clock.increment(100);
    await flush();
    expect(outcome.outcome).toMatchObject({ status: 'failed', error: { code: 'executor_timeout' }, settledAt: 1_100 });
  });

  it('a retry never waits past the budget', async () => {
    const clock = at(1_000);
    const org = start({ clock, execution: { retry: { attempts: 3, initialDelayMs: 500, jitter: 0 } }, executors: () => Promise.reject(new Error('flaky')) });
    const outcome = watch(org.submit({ id: 'c', type: 'css', budget: { timeMs: 100 } }));
    await flush();
    clock.increment(100);
    await flush();
    expect(outcome.outcome).toMatchObject({ status: 'failed', error: { code: 'budget_exceeded' }, settledAt: 1_100, attempts: 1, executedBy: 'frontend_dev_1' });
  });

  it('a task whose budget ran out while it was queued fails without an attempt, and nobody executed it', async () => {
    const clock = at(0);
    const gate = deferred<string>();
    const org: Orchestrator = start({ clock, executors: (task) => (task.id === 'first' ? gate.promise : 'ran') });
    const first = org.submit({ id: 'first', type: 'css' });
    const late = org.submit({ id: 'late', type: 'css', budget: { timeMs: 100 } });
    await flush();
    clock.increment(200);
    gate.resolve('first done');
    await first;
    const outcome = await late;
    expect(outcome).toMatchObject({ status: 'failed', error: { code: 'budget_exceeded' }, attempts: 0 });
    expect(outcome.executedBy).toBeUndefined();
  });
});
