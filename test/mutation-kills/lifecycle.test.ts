/**
 * A held task's life at the agent executing it, on a simulated clock: each running task has its
 * own attempt timer, holds its resources while it runs, waits for a slot (queued, reported, in
 * order, never past the agent's concurrency), is dropped from the queue when cancelled, ignores
 * a late answer of an attempt it gave up on, and keeps to its time budget whatever the clock
 * says. Agents never fault on a stale message: every test checks that no `agent.fault` happened.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import { decomposeWith, defaultEscalationPolicy, defineHierarchy, developmentTeam, joinAny, memoryStore, type Orchestrator, type Outcome } from '../../src/index.js';
import { deferred, flush, orchestrators } from '../support/helpers.js';

const started = orchestrators({ hierarchy: developmentTeam() });
const faults: string[] = [];
const start = (options: Parameters<typeof started>[0]) => {
  const org = started(options);
  org.on('agent.fault', (event) => faults.push(`${event.agent}: ${event.error.message}`));
  return org;
};
afterEach(() => {
  expect(faults.splice(0)).toEqual([]);
});

/** The outcome once it is there, without waiting for it (a mutant may keep it from ever coming). */
const watch = (outcome: Promise<Outcome>) => {
  const seen: { outcome?: Outcome } = {};
  void outcome.then((value) => (seen.outcome = value));
  return seen;
};
const hang = () => new Promise<never>(() => undefined);

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

describe('escalations raised by the agent holding the task', () => {
  it('a failure nobody else can fix fails the task with what the executor did: who, and how many attempts', async () => {
    const org = start({ execution: { retry: { attempts: 2, initialDelayMs: 0, jitter: 0 } }, executors: () => Promise.reject(new Error('segfault')) });
    const escalations: string[] = [];
    org.on('escalation.raised', ({ escalation }) => escalations.push(escalation.id));
    const outcome = await org.submit({ type: 'python' });
    expect(outcome).toMatchObject({ status: 'failed', error: { code: 'executor_error', message: 'segfault' }, executedBy: 'backend_dev_1', attempts: 2 });
    expect(outcome.escalations[0]).toMatchObject({ reason: 'execution_failed', from: 'backend_dev_1', error: { message: 'segfault' } });
    // Escalation ids say what they are.
    expect(escalations.length).toBeGreaterThan(0);
    for (const id of escalations) expect(id).toMatch(/^esc_/);
  });

  it('an escalation without a failure of its own keeps the failure the task already had', async () => {
    const pair = { id: 'lead', role: 'manager' as const, capabilities: ['decide'], children: [{ id: 'w1', role: 'worker' as const, capabilities: ['job'] }, { id: 'w2', role: 'worker' as const, capabilities: ['job'] }] };
    const org = start({
      hierarchy: defineHierarchy(pair),
      executors: {
        byId: {
          w1: () => Promise.reject(new Error('w1 broke')),
          w2: (_task, context) => context.escalate('policy_decision', 'the lead decides'),
          lead: () => 'lead decided',
        },
      },
    });
    const outcome = await org.submit({ type: 'job' });
    expect(outcome).toMatchObject({ status: 'completed', result: 'lead decided', executedBy: 'lead' });
    expect(outcome.escalations.map((escalation) => `${escalation.reason} ${escalation.from}→${escalation.to}`)).toEqual(['execution_failed w1→lead', 'policy_decision w2→lead']);
    expect(outcome.escalations[0]!.error).toEqual({ code: 'executor_error', message: 'w1 broke' });
    // The second carries the failure the task already had, not a new (missing) one.
    expect(outcome.escalations[1]!.error).toEqual({ code: 'executor_error', message: 'w1 broke' });
    expect(outcome.escalations[1]!.message).toBe('the lead decides (w1 failed it: w1 broke)');
  });

  it('the failure a task escalates with is recorded on it, with whether a retry could fix it, for the policies above', async () => {
    const chain = defineHierarchy({ id: 'boss', role: 'executive', children: [{ id: 'lead', role: 'manager', children: [{ id: 'w1', role: 'worker', capabilities: ['job'] }] }] });
    const base = defaultEscalationPolicy({ reassignNonRetryable: true });
    const seen: unknown[] = [];
    const org = start({
      hierarchy: chain,
      execution: { retryable: () => false },
      escalation: { ...base, target: (agent, reason, task, context) => (seen.push([agent.id, reason, task.cause]), base.target(agent, reason, task, context)) },
      executors: () => Promise.reject(new Error('401')),
    });
    const outcome = await org.submit({ type: 'job' });
    expect(outcome).toMatchObject({ status: 'failed', error: { message: '401' }, executedBy: 'w1', attempts: 1 });
    const cause = { error: { code: 'executor_error', message: '401' }, by: 'w1', attempts: 1, retryable: false };
    // Asked at w1 (the failure as it will be recorded), then at the lead, which has nobody left.
    expect(seen).toEqual([
      ['w1', 'execution_failed', { error: cause.error, by: 'w1', retryable: false }],
      ['lead', 'beyond_capability', cause],
      ['boss', 'beyond_capability', cause],
    ]);
  });

  it('an agent that escalated a task for one reason may escalate it again for another: no loop', async () => {
    const team = defineHierarchy({ id: 'lead', role: 'manager', children: [{ id: 'kid', role: 'worker', capabilities: ['x'] }, { id: 'kid2', role: 'worker', capabilities: ['x'] }] });
    const org = start({ hierarchy: team, executors: { byId: { kid: () => Promise.reject(new Error('kid broke')), kid2: () => 'kid2 did it', lead: () => 'unused' } } });
    // kid asks the lead for a cross-team look, gets the task back, fails it: that escalation is no loop.
    const outcome = await org.submit({ type: 'x', context: { requiresCrossTeam: true } });
    expect(outcome).toMatchObject({ status: 'completed', result: 'kid2 did it', executedBy: 'kid2' });
    expect(outcome.escalations.map((escalation) => `${escalation.reason} ${escalation.from}→${escalation.to}`)).toEqual(['cross_team kid→lead', 'execution_failed kid→lead']);
  });

  it('a resolution that comes back after its task was cancelled is dropped', async () => {
    const pair = defineHierarchy({ id: 'lead', role: 'manager', children: [{ id: 'w1', role: 'worker', capabilities: ['job'] }] });
    const decision = deferred<string>();
    const org = start({ hierarchy: pair, executors: { byId: { w1: (_task, context) => context.escalate('policy_decision', 'lead decides'), lead: () => decision.promise } } });
    void org.submit({ id: 'c', type: 'job' });
    await flush(10);
    expect(org.agentState('lead').running).toHaveLength(1);
    expect((await org.cancel('c')).status).toBe('cancelled');
    decision.resolve('decided too late');
    await flush(10);
    expect(org.agentState('w1')).toMatchObject({ running: [], queued: 0 });
    expect((await org.submit({ id: 'next', type: 'job' })).result).toBe('decided too late');
  });

  it('a task nobody can do names the agents it went up through, which could not either', async () => {
    const org = start({ executors: async () => 'done' });
    const outcome = await org.submit({ type: 'quantum' }, { at: 'backend_dev_1' });
    expect(outcome.error).toMatchObject({
      code: 'unroutable',
      message: 'No agent can take "quantum" from cto: nobody there or below has that capability (besides backend_dev_1, api_specialist, backend_lead, which could not).',
    });
  });

  it('an escalation to a person is asked of the person, never sent to an agent', async () => {
    const asked: string[] = [];
    const org = start({ executors: async () => 'done', onEscalation: (escalation) => void asked.push(`${escalation.reason} ${escalation.from}→${escalation.to}`) });
    void org.submit({ id: 'lost', type: 'quantum' });
    await flush(10);
    expect(asked).toEqual(['beyond_capability cto→human']);
    const escalation = org.escalations.get(org.escalations.active()[0]!.id)!;
    expect(escalation).toMatchObject({ to: 'human', status: 'active' });
    // Nothing failed: the escalation carries no error at all.
    expect('error' in escalation).toBe(false);
  });
});

describe('what a held task leaves behind', () => {
  it('the journal records where a task ended, and how', async () => {
    const org = start({ store: memoryStore(), executors: async () => 'done' });
    await org.submit({ id: 'j', type: 'css' });
    await org.flush();
    expect(org.journal({ taskId: 'j' }).filter((entry) => entry.type === 'task.ended')).toMatchObject([{ actor: 'frontend_dev_1', data: { status: 'completed', executedBy: 'frontend_dev_1' } }]);
  });

  it('the parts a join no longer needs are cancelled, saying which task stopped needing them', async () => {
    const race = decomposeWith('race', () => [{ key: 'fast', type: 'css' }, { key: 'slow', type: 'python' }], { join: joinAny() });
    const org = start({ decomposers: { byType: { either: race } }, executors: (task) => (task.type === 'css' ? 'fast won' : hang()) });
    const outcome = await org.submit({ id: 'p', type: 'either' });
    expect(outcome).toMatchObject({ status: 'completed', result: { fast: 'fast won' } });
    expect(outcome.subtasks?.find((part) => part.key === 'slow')).toMatchObject({ status: 'cancelled', error: { code: 'cancelled', message: expect.stringContaining('p no longer needs it') } });
  });
});
