/** Regressions found by reviewing the core: each of these failed before its fix (`was:` says how). */
import { describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import { joinAny, decomposeWith, defaultEscalationPolicy, defineHierarchy, developmentTeam, type EchelonError } from '../src/index.js';
import { deferred, flush, orchestrators } from './support/helpers.js';

const start = orchestrators({ hierarchy: developmentTeam(), executors: async () => 'done' });
/** 'resolved:<status>', 'rejected:<code>' or 'pending' (not settled after the event loop drained). */
const state = (p: Promise<{ status: string }>) =>
  Promise.race([p.then((o) => `resolved:${o.status}`, (e: EchelonError) => `rejected:${e.code}`), flush(10).then(() => 'pending')]);

describe('F1 a task with an invalid execution policy killed its agent', () => {
  it('is refused at submit with invalid_task; the agent and its subtree keep working', async () => {
    const org = start();
    const bad = org.submit({ id: 'bad', type: 'css', execution: { timeoutMs: -1 } });
    expect(await state(bad)).toBe('rejected:invalid_task');
    await expect(bad).rejects.toThrow(/The task's execution.timeoutMs must be a positive number, got -1/);
    expect(await state(org.submit({ id: 'good', type: 'css' }))).toBe('resolved:completed');
  });
});

describe('F2 a policy whose resolution() throws kills the escalation target', () => {
  it('fails the task, not the agent', async () => {
    const org = start({ escalation: { ...defaultEscalationPolicy(), resolution: () => { throw new Error('bad policy'); } } });
    const outcome = org.submit({ id: 'a', type: 'python', context: { requiresPolicyDecision: true } });
    expect(await state(outcome)).toBe('resolved:failed'); // was: pending forever
    expect((await outcome).error).toMatchObject({ code: 'policy_error', message: 'bad policy' });
    expect(await state(org.submit({ id: 'b', type: 'css' }))).toBe('resolved:completed');
  });
});

describe('F3 cancellation with messageDelayMs', () => {
  it('a cancellation made while a delegation is in flight is not lost', async () => {
    const clock = new SimulatedClock();
    const org = start({ clock, messageDelayMs: 10 });
    const outcome = org.submit({ id: 'a', type: 'css' });
    await flush();
    clock.increment(10);
    await flush();
    void org.cancel('a'); // ledger says frontend_lead/react_specialist holds it; the assign is still on the clock
    for (let i = 0; i < 20; i++) { clock.increment(10); await flush(); }
    expect(await state(outcome)).toBe('resolved:cancelled'); // was: resolved:completed
  });
});

describe('F4 a join loser that escalates before its cancellation is delivered', () => {
  it('the agent resolving its escalation is cancelled too (not left executing an orphan)', async () => {
    const hierarchy = defineHierarchy({
      id: 'boss', role: 'executive', capabilities: [],
      children: [
        { id: 'w0', role: 'worker', capabilities: ['css'] },
        { id: 'm', role: 'manager', capabilities: ['coordination'], children: [{ id: 'w1', role: 'worker', capabilities: ['python'] }] },
      ],
    });
    const gateA = deferred<string>();
    const gateB = deferred<string>();
    let leadSignal: AbortSignal | undefined;
    const org = start({
      hierarchy,
      executors: async (_task, { agent, signal, escalate }) => {
        if (agent.id === 'w0') return gateA.promise;
        if (agent.id === 'w1') { await gateB.promise; return escalate('policy_decision', 'the lead decides'); }
        leadSignal = signal;
        return new Promise(() => undefined);
      },
      decomposers: { byType: { pair: decomposeWith('pair', () => [{ key: 'a', type: 'css' }, { key: 'b', type: 'python' }], { join: joinAny() }) } },
    });
    const outcome = org.submit({ id: 'p', type: 'pair' });
    await flush();
    gateB.resolve('go');   // p.b escalates to m first; m starts executing p.b!esc_…
    await flush();
    expect(org.agentState('m').running).toHaveLength(1);
    gateA.resolve('ok');   // a wins: p.b and everything derived from it are cancelled
    expect((await outcome).status).toBe('completed');
    await flush();
    expect(org.status().activeTasks).toBe(0);
    expect(org.agentState('m').running).toEqual([]); // was: ['p.b!esc_…'] still executing, unreachable by org.cancel
    expect(leadSignal?.aborted).toBe(true);           // m's attempt on the orphan was stopped
    expect(org.escalations.resolved().map((e) => e.resolution?.status)).toEqual(['cancelled']);
  });

  it('same with a chain of escalations to a person: nothing stays in the agents’ escalated maps', async () => {
    const org = start({
      onEscalation: () => undefined,
      executors: async (task) => { if (task.type === 'python') throw new Error('boom'); return 'ok'; },
      decomposers: { byType: { pair: decomposeWith('pair', () => [{ key: 'a', type: 'css' }, { key: 'b', type: 'python' }], { join: joinAny() }) } },
    });
    expect((await org.submit({ id: 'p', type: 'pair' })).status).toBe('completed');
    expect(['api_specialist', 'backend_lead', 'cto'].map((id) => org.agentState(id).escalated.length)).toEqual([0, 0, 0]); // was: [1, 1, 1], forever
  });
});

describe('F5 a cancelled subtask whose escalation is with a person', () => {
  it('its escalation is closed, not left active while the root runs', async () => {
    const gate = deferred();
    const org = start({
      onEscalation: () => undefined,
      executors: (task) => (task.id === 'root.b' ? gate.promise : 'ok'),
      decomposers: {
        byType: {
          root: decomposeWith('outer', () => [{ key: 'a', type: 'part', to: 'frontend_lead' }, { key: 'b', type: 'python' }]),
          part: decomposeWith('inner', () => [{ key: 'q', type: 'quantum' }, { key: 'c', type: 'css' }], { join: joinAny() }),
        },
      },
    });
    const outcome = org.submit({ id: 'root', type: 'root' });
    await flush(20);
    expect(org.agentState('frontend_lead').decomposed).toEqual([]); // root.a is settled (css won, root.a.q cancelled)
    expect(org.escalations.active()).toEqual([]);                   // was: the human escalation for root.a.q!… is still 'active'
    gate.resolve('b');
    await outcome;
  });
});

describe('F6 a person’s resolution after assignTo', () => {
  it('once handed to an agent, the escalation cannot be resolved or assigned again behind the agent’s back', async () => {
    const ids: string[] = [];
    let calls = 0;
    const org = start({
      onEscalation: (e) => void ids.push(e.id),
      executors: (_t, { agent }) => (agent.id === 'frontend_dev_1' ? (calls++, new Promise(() => undefined)) : 'x'),
    });
    const outcome = org.submit({ id: 'q', type: 'quantum' });
    await flush();
    org.escalations.resolve(ids[0]!, { assignTo: 'frontend_dev_1' });
    await flush();
    let refused = '';
    try { org.escalations.resolve(ids[0]!, { assignTo: 'frontend_dev_1' }); } catch (e) { refused = (e as EchelonError).code; }
    await flush();
    expect(refused).toBe('unknown_escalation'); // was: accepted; the same task is queued twice at frontend_dev_1
    expect(org.agentState('frontend_dev_1').queued).toBe(0);
    void outcome;
  });
});

describe('F7 stop() with work pending', () => {
  it('drain() and outcome() settle once the organisation stops', async () => {
    const org = start({ executors: () => new Promise(() => undefined) });
    void org.submit({ id: 'a', type: 'css' });
    await flush();
    const drained = org.drain();
    await org.stop();
    expect(await state(org.outcome('a'))).toBe('rejected:orchestrator_stopped'); // was: pending forever
    expect(await Promise.race([drained.then(() => 'settled', () => 'settled'), flush(5).then(() => 'pending')])).toBe('settled'); // was: pending
  });
});

describe('F8 approvals an executor asks for ignore approvals.timeoutMs', () => {
  it('expire and move up like any other approval', async () => {
    const clock = new SimulatedClock();
    const org = start({ clock, approvals: { timeoutMs: 100 }, executors: async (_t, { approved, requestApproval }) => (approved ? 'ok' : requestApproval()) });
    void org.submit({ id: 'exec', type: 'sql' });
    await flush();
    expect(org.approvals.pending()[0]!.expiresAt).toBe(100); // was: undefined
    clock.increment(150);
    await flush();
    expect(org.approvals.pending()[0]!.approver).toBe('cto'); // was: still backend_lead, forever
  });
});

describe('F9 time budget', () => {
  it('a task whose deadline passed while it was queued is not started, and does not complete', async () => {
    const clock = new SimulatedClock();
    const gate = deferred();
    const started: string[] = [];
    const org = start({ clock, executors: async (task) => { started.push(task.id); if (task.id === 'first') await gate.promise; return 'ok'; } });
    void org.submit({ id: 'first', type: 'css' });
    const late = org.submit({ id: 'late', type: 'css', budget: { timeMs: 50 } });
    await flush();
    clock.increment(100);
    gate.resolve('x');
    await flush();
    clock.increment(1);
    const outcome = await late;
    expect(started).toEqual(['first']);                 // was: ['first', 'late']
    expect(outcome.error?.code).toBe('budget_exceeded'); // was: completed
  });
});

describe('F10 cost budget', () => {
  it('the parts share what planning left: the tree never spends more than its budget without budget_exceeded', async () => {
    const org = start({
      executors: async (_t, { reportCost }) => { reportCost(50); return 'ok'; },
      decomposers: { byType: { pair: decomposeWith('pair', (_t, { reportCost }) => { reportCost(60); return [{ type: 'css' }, { type: 'python' }]; }) } },
    });
    const outcome = await org.submit({ id: 'p', type: 'pair', budget: { cost: 100 } });
    // Planning spent 60: each part gets 20 of the 40 left, and its 50 is over it. Was: completed, used 160.
    expect(outcome.status).toBe('failed');
    expect(outcome.failures?.[0]?.error?.code).toBe('budget_exceeded');
    expect(outcome.failures?.[0]?.error?.details).toMatchObject({ used: 50, limit: 20 });
  });

  it('explicit part costs beyond what planning left are refused', async () => {
    const org = start({
      decomposers: { byType: { pair: decomposeWith('pair', (_t, { reportCost }) => { reportCost(60); return [{ type: 'css', cost: 30 }, { type: 'python', cost: 30 }]; }) } },
    });
    const outcome = await org.submit({ id: 'p', type: 'pair', budget: { cost: 100 } });
    expect(outcome.error).toMatchObject({ code: 'budget_exceeded', details: { given: 60, left: 40 } });
  });
});
