import { describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import { decomposeWith, defaultEscalationPolicy, defineHierarchy, developmentTeam, EchelonError, type Escalation, type Outcome } from '../src/index.js';
import { deferred, flush, orchestrators } from './support/helpers.js';

const start = orchestrators({ hierarchy: developmentTeam(), executors: async (_task, { agent }) => `done by ${agent.id}` });

/** A chain of `length` agents that can all do `job`: l0 (the executive) down to l{length-1}. */
const chainOf = (length: number, depth = 0): Parameters<typeof defineHierarchy>[0] => ({
  id: `l${depth}`,
  role: depth === 0 ? 'executive' : 'worker',
  capabilities: ['job'],
  ...(depth < length - 1 ? { children: [chainOf(length, depth + 1)] } : {}),
});

const path = (outcome: Outcome) => outcome.escalations.map((e) => `${e.reason} ${e.from}→${e.to} ${e.status}${e.resolvedBy ? ` by ${e.resolvedBy}` : ''}`);

describe('each reason goes to its target, which resolves it', () => {
  it('beyond_capability: a worker without the capability escalates until someone can route it', async () => {
    const org = start();
    const outcome = await org.submit({ type: 'react' }, { at: 'backend_dev_1' });
    expect(outcome).toMatchObject({ status: 'completed', executedBy: 'react_specialist', delegationChain: ['backend_dev_1'] });
    expect(path(outcome)).toEqual([
      'beyond_capability backend_dev_1→api_specialist resolved by react_specialist',
      'beyond_capability api_specialist→backend_lead resolved by react_specialist',
      'beyond_capability backend_lead→cto resolved by react_specialist',
    ]);
  });

  it('beyond_capability is resolved one level up when the parent can do it', async () => {
    const org = start();
    const outcome = await org.submit({ type: 'api_design' }, { at: 'backend_dev_1' });
    expect(outcome.executedBy).toBe('api_specialist');
    expect(path(outcome)).toEqual(['beyond_capability backend_dev_1→api_specialist resolved by api_specialist']);
  });

  it('emergency: goes straight to the nearest executive, which handles it', async () => {
    const org = start();
    const outcome = await org.submit({ type: 'python', context: { isEmergency: true } });
    expect(outcome).toMatchObject({ status: 'completed', result: 'done by cto', executedBy: 'cto' });
    expect(path(outcome)).toEqual(['emergency backend_dev_1→cto resolved by cto']);
  });

  it('emergency: the nearest executive, not the root, when there are several', async () => {
    const org = start({
      hierarchy: defineHierarchy({
        id: 'board',
        role: 'executive',
        children: [
          { id: 'cto', role: 'executive', children: [{ id: 'lead', role: 'manager', children: [{ id: 'dev', role: 'worker', capabilities: ['fix'] }] }] },
        ],
      }),
    });
    const outcome = await org.submit({ type: 'fix', context: { isEmergency: true } });
    expect(path(outcome)).toEqual(['emergency dev→cto resolved by cto']);
  });

  it('cross_team: goes to the nearest common ancestor of the teams involved, which routes it', async () => {
    const org = start();
    const across = await org.submit({ type: 'python', context: { requiresCrossTeam: true, teams: ['backend_lead', 'frontend_lead'] } });
    expect(path(across)).toEqual(['cross_team backend_dev_1→cto resolved by backend_dev_1']);
    expect(across.status).toBe('completed');
    const within = await org.submit({ type: 'python', context: { requiresCrossTeam: true, teams: ['api_specialist', 'db_specialist'] } });
    expect(path(within)).toEqual(['cross_team backend_dev_1→backend_lead resolved by backend_dev_1']);
  });

  it('policy_decision: the parent decides, with its own executor', async () => {
    const org = start();
    const outcome = await org.submit({ type: 'css', context: { requiresPolicyDecision: true } });
    expect(outcome).toMatchObject({ result: 'done by react_specialist', executedBy: 'react_specialist' });
    expect(path(outcome)).toEqual(['policy_decision frontend_dev_1→react_specialist resolved by react_specialist']);
  });

  it('policy_decision at the root is decided by the root itself', async () => {
    const org = start();
    const outcome = await org.submit({ type: 'strategy', context: { requiresPolicyDecision: true } });
    expect(outcome).toMatchObject({ status: 'completed', executedBy: 'cto', escalations: [] });
  });

  it('resource_conflict: the common ancestor holds the task until the resource is free, then routes it', async () => {
    const gate = deferred();
    const started: string[] = [];
    const org = start({
      executors: async (task, { agent }) => {
        started.push(`${task.rootId}@${agent.id}`);
        if (task.id === 'migrate') await gate.promise;
        return `done by ${agent.id}`;
      },
    });
    const migrate = org.submit({ id: 'migrate', type: 'database', resources: ['prod-db'] });
    await flush();
    const api = org.submit({ id: 'api', type: 'api_design', resources: ['prod-db'] });
    await flush();
    expect(started).toEqual(['migrate@db_specialist']);
    expect(org.escalations.active()).toMatchObject([{ reason: 'resource_conflict', from: 'api_specialist', to: 'backend_lead' }]);
    gate.resolve(undefined);
    expect((await migrate).status).toBe('completed');
    const outcome = await api;
    expect(started).toEqual(['migrate@db_specialist', 'api@api_specialist']);
    expect(path(outcome)).toEqual(['resource_conflict api_specialist→backend_lead resolved by api_specialist']);
  });

  it('resources the policy does not call exclusive never conflict', async () => {
    const gate = deferred();
    const org = start({ escalation: defaultEscalationPolicy({ exclusive: ['prod-db'] }), executors: () => gate.promise });
    const first = org.submit({ type: 'database', resources: ['logs'] });
    const second = org.submit({ type: 'api_design', resources: ['logs'] });
    await flush();
    expect(org.escalations.active()).toEqual([]);
    gate.resolve('ok');
    expect((await Promise.all([first, second])).map((outcome) => outcome.escalations.length)).toEqual([0, 0]);
  });
  it('execution_failed raised by the executor itself (no failure behind it): the parent reassigns the task to a sibling', async () => {
    const pair = defineHierarchy({
      id: 'lead',
      role: 'manager',
      children: [
        { id: 'w1', role: 'worker', capabilities: ['job'] },
        { id: 'w2', role: 'worker', capabilities: ['job'] },
      ],
    });
    const org = start({
      hierarchy: pair,
      executors: { byId: { w1: async (_task, context) => context.escalate('execution_failed', 'my tools are down'), w2: async () => 'done by w2', lead: async () => 'unused' } },
    });
    const outcome = await org.submit({ type: 'job' });
    expect(outcome).toMatchObject({ status: 'completed', result: 'done by w2', executedBy: 'w2' });
    expect(path(outcome)).toEqual(['execution_failed w1→lead resolved by w2']);
    expect(outcome.escalations[0]).toMatchObject({ message: 'my tools are down' });
  });
});

describe('an executor asking for what is not there', () => {
  it.each<[string, (context: { escalate: (reason: never, message?: never) => never; requestApproval: (requirement?: never) => never }) => never, string]>([
    ['escalates with a reason that is none', (context) => context.escalate('panic' as never), 'context.escalate: "panic" is not an escalation reason (beyond_capability'],
    ['escalates with a message that is not a string', (context) => context.escalate('policy_decision' as never, 42 as never), 'context.escalate: the message must be a string, got number.'],
    ['asks for approval with a string', (context) => context.requestApproval('please' as never), 'context.requestApproval takes an approval requirement'],
    ['asks for approval that would expire at once', (context) => context.requestApproval({ timeoutMs: -1 } as never), 'context.requestApproval: approval.timeoutMs must be a positive number, got -1.'],
    ['asks for approval by a role that is none', (context) => context.requestApproval({ role: 'boss' } as never), 'context.requestApproval: approval.role must be one of'],
  ])('fails its attempt with invalid_option when it %s, not retried, and the organisation goes on', async (_case, ask, message) => {
    let runs = 0;
    const org = start({ executors: { default: async () => 'fine', byId: { backend_dev_1: async (_task, context) => (runs++, ask(context as never)) } } });
    // A call the executor got wrong fails the same way every time: it is not retried.
    const outcome = await org.submit({ type: 'python', execution: { retry: { attempts: 3, initialDelayMs: 0 } } });
    expect(outcome).toMatchObject({ status: 'failed', error: { code: 'invalid_option', message: expect.stringContaining(message) } });
    expect(runs).toBe(1);
    expect((await org.submit({ type: 'css' })).status).toBe('completed');
  });
});

describe('escalations are never dropped and never loop', () => {
  it('an escalation that reaches the root unhandled fails the task with a clear reason', async () => {
    const org = start();
    const outcome = await org.submit({ type: 'quantum' }, { at: 'frontend_dev_1' });
    expect(outcome.status).toBe('failed');
    expect(outcome.error?.code).toBe('unroutable');
    expect(outcome.error?.message).toMatch(/No agent can take "quantum" from cto/);
    expect(path(outcome)).toEqual([
      'beyond_capability frontend_dev_1→react_specialist failed by react_specialist',
      'beyond_capability react_specialist→frontend_lead failed by frontend_lead',
      'beyond_capability frontend_lead→cto failed by cto',
    ]);
    expect(org.escalations.active()).toEqual([]);
    expect(org.escalations.resolved()).toHaveLength(3);
  });

  it('a policy that sends an escalation down (or sideways) fails that task with invalid_escalation_target', async () => {
    const org = start({ escalation: { ...defaultEscalationPolicy(), target: () => 'frontend_dev_1' } });
    const outcome = await org.submit({ type: 'python', context: { requiresPolicyDecision: true } });
    expect(outcome.error?.code).toBe('invalid_escalation_target');
    expect(outcome.error?.message).toMatch(/escalations only go up/);
    expect((await org.submit({ type: 'python' })).status).toBe('completed');
  });

  it('a policy that throws fails the task with policy_error', async () => {
    const org = start({
      escalation: {
        ...defaultEscalationPolicy(),
        shouldEscalate: () => {
          throw new Error('policy bug');
        },
      },
    });
    expect((await org.submit({ type: 'python' })).error).toEqual({ code: 'policy_error', message: 'policy bug' });
  });

  it('a policy that always escalates stops at the escalation limit', async () => {
    // Every agent escalates to its parent: up a chain of six the task would go five times.
    const org = start({
      limits: { maxEscalations: 3 },
      hierarchy: defineHierarchy(chainOf(6)),
      escalation: { ...defaultEscalationPolicy(), shouldEscalate: () => 'policy_decision', target: (agent, _reason, _task, { hierarchy }) => hierarchy.parent(agent.id) },
    });
    const outcome = await org.submit({ type: 'job' }, { at: 'l5' });
    expect(outcome).toMatchObject({ status: 'failed', error: { code: 'escalation_unresolved', message: expect.stringMatching(/escalated 3 times \(limit 3\) without being resolved\.$/) } });
    // No more escalations than the limit: the agent that would raise a fourth fails the task; nobody above it is asked.
    expect(outcome.escalations).toHaveLength(3);
    expect(path(outcome)).toEqual(['policy_decision l5→l4 failed by l4', 'policy_decision l4→l3 failed by l3', 'policy_decision l3→l2 failed by l2']);
  });
});

describe('escalations that reach a person', () => {
  it('go to onEscalation, and a person resolves them with a result', async () => {
    const asked: Escalation[] = [];
    const org = start({ onEscalation: (escalation) => void asked.push(escalation) });
    const outcome = org.submit({ type: 'quantum' });
    await flush();
    expect(asked).toHaveLength(1);
    expect(asked[0]).toMatchObject({ reason: 'beyond_capability', from: 'cto', to: 'human', status: 'active' });
    expect(org.escalations.active().map((escalation) => escalation.id)).toEqual([asked[0]!.id]);
    org.escalations.resolve(asked[0]!.id, { result: { answer: 42 }, by: 'alice' });
    expect(await outcome).toMatchObject({ status: 'completed', result: { answer: 42 }, executedBy: 'human:alice' });
    expect(org.escalations.resolved()[0]).toMatchObject({ status: 'resolved', resolvedBy: 'human:alice' });
  });

  it('a person can fail the task, or hand it to an agent', async () => {
    const ids: string[] = [];
    const org = start({ onEscalation: (escalation) => void ids.push(escalation.id) });
    const failed = org.submit({ type: 'quantum' });
    const assigned = org.submit({ type: 'quantum' });
    // frontend_dev_1 lacks the capability, but a person's assignment is an order: it executes.
    await flush();
    org.escalations.resolve(ids[0]!, { fail: 'out of scope' });
    org.escalations.resolve(ids[1]!, { assignTo: 'frontend_dev_1', by: 'bob' });
    expect(await failed).toMatchObject({ status: 'failed', error: { code: 'escalation_unresolved', message: 'human:operator ended escalation ' + ids[0] + ': out of scope' } });
    expect(await assigned).toMatchObject({ status: 'completed', result: 'done by frontend_dev_1', executedBy: 'frontend_dev_1' });
  });

  it('an agent a person hands the task to that fails it: the outcome names that agent and its error, not only the way round', async () => {
    const ids: string[] = [];
    const org = start({
      onEscalation: (escalation) => void ids.push(escalation.id),
      executors: async (_task, { agent }) => Promise.reject(new Error(`${agent.id} cannot`)),
    });
    const assigned = org.submit({ id: 'q', type: 'quantum' });
    await flush();
    org.escalations.resolve(ids[0]!, { assignTo: 'frontend_dev_1', by: 'bob' });
    // Its failure goes up frontend_dev_1's own line, back to cto, which had escalated it already.
    expect(await assigned).toMatchObject({
      status: 'failed',
      executedBy: 'frontend_dev_1',
      attempts: 1,
      error: { code: 'delegation_loop', message: expect.stringMatching(/came back to cto.* It started with frontend_dev_1 failing it: frontend_dev_1 cannot$/), details: { cause: { message: 'frontend_dev_1 cannot' } } },
    });
  });

  it('resolving one whose task was cancelled says so, not "already failed"; one resolved or failed says that', async () => {
    const ids: string[] = [];
    const org = start({ onEscalation: (escalation) => void ids.push(escalation.id) });
    const cancelled = org.submit({ id: 'dropped', type: 'quantum' });
    const resolved = org.submit({ id: 'answered', type: 'quantum' });
    const failed = org.submit({ id: 'refused', type: 'quantum' });
    await flush();
    await org.cancel('dropped', 'not needed');
    expect(await cancelled).toMatchObject({ status: 'cancelled' });
    org.escalations.resolve(ids[1]!, { result: 42 });
    org.escalations.resolve(ids[2]!, { fail: 'no' });
    await Promise.all([resolved, failed]);
    const refusal = (id: string) => {
      try {
        org.escalations.resolve(id, { result: 'late' });
      } catch (error) {
        return error;
      }
      return undefined;
    };
    expect(refusal(ids[0]!)).toMatchObject({ code: 'unknown_escalation', message: `Escalation "${ids[0]}" is closed: its task dropped was cancelled.` });
    expect(refusal(ids[1]!)).toMatchObject({ code: 'unknown_escalation', message: `Escalation "${ids[1]}" is already resolved.` });
    expect(refusal(ids[2]!)).toMatchObject({ code: 'unknown_escalation', message: `Escalation "${ids[2]}" is already failed.` });
  });

  it('name the submitted task they belong to (rootId), the one to cancel when taskId is a part of it', async () => {
    const asked: Escalation[] = [];
    const org = start({
      decomposers: { byType: { pair: decomposeWith('pair', () => [{ key: 'odd', type: 'quantum' }, { key: 'even', type: 'python' }]) } },
      onEscalation: (escalation) => void asked.push(escalation),
    });
    const pair = org.submit({ id: 'pair-1', type: 'pair' });
    await flush();
    expect(asked).toEqual([expect.objectContaining({ taskId: 'pair-1.odd', rootId: 'pair-1', to: 'human' })]);
    expect(org.escalations.get(asked[0]!.id)).toMatchObject({ rootId: 'pair-1' });
    await org.cancel(asked[0]!.rootId!, 'not needed');
    expect(await pair).toMatchObject({ status: 'cancelled' });
  });

  it('the handler can resolve escalations itself', async () => {
    const org = start({ onEscalation: async () => ({ result: 'auto' }) });
    expect((await org.submit({ type: 'quantum' })).result).toBe('auto');
  });

  it('failures that nobody can recover go to the person too', async () => {
    const ids: string[] = [];
    const org = start({ executors: async () => Promise.reject(new Error('boom')), onEscalation: (escalation) => void ids.push(escalation.id) });
    const outcome = org.submit({ type: 'strategy' });
    await flush();
    expect(org.escalations.get(ids[0]!)).toMatchObject({ reason: 'execution_failed', from: 'cto', to: 'human', error: { message: 'boom' } });
    org.escalations.resolve(ids[0]!, { result: 'fixed by hand' });
    expect((await outcome).result).toBe('fixed by hand');
  });

  it('refuses to resolve unknown escalations or ones an agent is handling', async () => {
    const gate = deferred();
    const org = start({ executors: (_task, { agent }) => (agent.id === 'api_specialist' ? gate.promise : 'x'), onEscalation: () => undefined });
    const code = (fn: () => void) => {
      try {
        fn();
      } catch (error) {
        return (error as EchelonError).code;
      }
      return 'none';
    };
    expect(code(() => org.escalations.resolve('nope', { result: 1 }))).toBe('unknown_escalation');
    const outcome = org.submit({ type: 'python', context: { requiresPolicyDecision: true } });
    await flush();
    const [active] = org.escalations.active();
    expect(active).toMatchObject({ to: 'api_specialist' });
    expect(code(() => org.escalations.resolve(active!.id, { result: 1 }))).toBe('unknown_escalation');
    gate.resolve('decided');
    await outcome;
    expect(code(() => org.escalations.resolve(active!.id, { result: 1 }))).toBe('unknown_escalation');
  });
});

describe('escalation policies that answer later, or wrongly', () => {
  it('a policy answering with a promise does not block its agent: others are decided meanwhile, then the verdict applies', async () => {
    const verdict = deferred<'emergency' | undefined>();
    const base = defaultEscalationPolicy();
    const org = start({
      escalation: { ...base, shouldEscalate: (task, agent, context) => (task.id === 'slow' && agent.id === 'cto' ? verdict.promise : base.shouldEscalate(task, agent, context)) },
    });
    const slow = org.submit({ id: 'slow', type: 'python' });
    const quick = await org.submit({ id: 'quick', type: 'css' });
    expect(quick).toMatchObject({ status: 'completed', executedBy: 'frontend_dev_1' });
    expect(org.agentState('cto')).toMatchObject({ state: 'evaluatingEscalation', deciding: ['slow'] });
    verdict.resolve('emergency');
    expect(await slow).toMatchObject({ status: 'completed', executedBy: 'cto', escalations: [] });
  });

  it('a verdict with a reason outside the seven fails the task with policy_error at once, and the organisation goes on', async () => {
    const base = defaultEscalationPolicy();
    let asked = 0;
    const org = start({
      escalation: { ...base, shouldEscalate: (task, agent, context) => (task.type === 'python' ? (asked++, 'panic' as never) : base.shouldEscalate(task, agent, context)) },
    });
    const outcome = await org.submit({ type: 'python' });
    expect(outcome).toMatchObject({ status: 'failed', error: { code: 'policy_error', message: expect.stringContaining('"panic"') }, escalations: [] });
    expect(asked).toBe(1);
    expect((await org.submit({ type: 'css' })).status).toBe('completed');
  });

  it('a promise that rejects, or answers an unknown reason, fails its task with policy_error', async () => {
    const base = defaultEscalationPolicy();
    const org = start({
      escalation: {
        ...base,
        shouldEscalate: (task, agent, context) =>
          task.type === 'python' ? Promise.reject(new Error('model down')) : task.type === 'sql' ? Promise.resolve({ reason: 'whatever' } as never) : base.shouldEscalate(task, agent, context),
      },
    });
    expect(await org.submit({ type: 'python' })).toMatchObject({ status: 'failed', error: { code: 'policy_error', message: 'model down' } });
    expect(await org.submit({ type: 'sql' })).toMatchObject({ status: 'failed', error: { code: 'policy_error' } });
  });

  it('a promise that never settles fails its task after decisions.timeoutMs, and the agent serves later tasks', async () => {
    const clock = new SimulatedClock();
    const base = defaultEscalationPolicy();
    const org = start({
      clock,
      decisions: { timeoutMs: 5_000 },
      escalation: { ...base, shouldEscalate: (task, agent, context) => (task.id === 'stuck' ? new Promise<undefined>(() => undefined) : base.shouldEscalate(task, agent, context)) },
    });
    const stuck = org.submit({ id: 'stuck', type: 'python' });
    await flush();
    expect((await org.submit({ type: 'css' })).status).toBe('completed');
    clock.increment(5_000);
    expect(await stuck).toMatchObject({ status: 'failed', error: { code: 'policy_error', message: expect.stringContaining('5000 ms') } });
  });
});
