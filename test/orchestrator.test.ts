import { describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import { createOrchestrator, defineHierarchy, developmentTeam, referenceExecutors, type OrchestratorEvent, type OrchestratorOptions } from '../src/index.js';
import { deferred, flush, orchestrators, errorOf, rejectionOf } from './support/helpers.js';

const start = orchestrators();

const rejection = rejectionOf;
const thrown = errorOf;

describe('the reference scenario through the public API', () => {
  it('runs the reference example: api_design from the CTO reaches the API specialist', async () => {
    const org = start({
      hierarchy: developmentTeam(),
      executors: { byRole: referenceExecutors() },
    });
    const outcome = await org.submit({ type: 'api_design', payload: { feature: 'user authentication' } });
    expect(outcome).toMatchObject({
      status: 'completed',
      result: { expertise: 'Technical solution designed' },
      executedBy: 'api_specialist',
      delegationChain: ['cto', 'backend_lead', 'api_specialist'],
      escalations: [],
      approvals: [],
      attempts: 1,
    });
    expect(org.status()).toEqual({
      hierarchyDepth: 4,
      totalAgents: 8,
      activeTasks: 0,
      activeEscalations: 0,
      resolvedEscalations: 0,
      pendingApprovals: 0,
      inFlight: 0,
    });
  });
});

describe('tasks in flight', () => {
  it('1,000 tasks in flight at once all complete, none lost, and finished task actors are stopped', async () => {
    const gate = deferred();
    const org = start({
      hierarchy: developmentTeam(),
      concurrency: 8,
      executors: async (task) => {
        await gate.promise;
        return task.id;
      },
    });
    const types = ['python', 'css', 'react', 'database', 'api_design', 'strategy', 'coding', 'ui'];
    const outcomes = Array.from({ length: 1000 }, (_, i) => org.submit({ id: `t${i}`, type: types[i % types.length]! }));
    await flush();
    expect(org.status().activeTasks).toBe(1000);
    const queued = org.hierarchy.nodes().reduce((sum, node) => sum + org.agentState(node.id).queued + org.agentState(node.id).running.length, 0);
    expect(queued).toBe(1000);
    gate.resolve(undefined);
    const settled = await Promise.all(outcomes);
    expect(settled.map((outcome) => outcome.status)).toEqual(Array(1000).fill('completed'));
    expect(new Set(settled.map((outcome) => outcome.result)).size).toBe(1000);
    expect(org.status().activeTasks).toBe(0);
    for (const node of org.hierarchy.nodes()) {
      const agent = org.actor.system.get(node.id)!;
      const children = Object.keys(agent.getSnapshot().children);
      expect(children.every((id) => id.startsWith('agent:'))).toBe(true);
      expect(org.agentState(node.id)).toMatchObject({ queued: 0, running: [], state: 'receiving' });
    }
  });

  it('a worker runs one task at a time by default and queues the rest, in order', async () => {
    const order: string[] = [];
    const gates = new Map<string, ReturnType<typeof deferred>>();
    const org = start({
      hierarchy: developmentTeam(),
      executors: (task) => {
        order.push(task.id);
        const gate = deferred();
        gates.set(task.id, gate);
        return gate.promise;
      },
    });
    const outcomes = ['a', 'b', 'c'].map((id) => org.submit({ id, type: 'css' }));
    await flush();
    expect(org.agentState('frontend_dev_1')).toMatchObject({ state: 'executing', running: ['a'], queued: 2 });
    gates.get('a')!.resolve(1);
    await flush();
    expect(org.agentState('frontend_dev_1')).toMatchObject({ running: ['b'], queued: 1 });
    gates.get('b')!.resolve(2);
    await flush();
    gates.get('c')!.resolve(3);
    expect((await Promise.all(outcomes)).map((outcome) => outcome.result)).toEqual([1, 2, 3]);
    expect(order).toEqual(['a', 'b', 'c']);
  });

  it('concurrency is configurable per agent', async () => {
    const gate = deferred();
    const org = start({ hierarchy: developmentTeam(), concurrency: { default: 1, byId: { frontend_dev_1: 3 } }, executors: () => gate.promise });
    const outcomes = ['a', 'b', 'c', 'd'].map((id) => org.submit({ id, type: 'css' }));
    await flush();
    expect(org.agentState('frontend_dev_1')).toMatchObject({ running: ['a', 'b', 'c'], queued: 1 });
    gate.resolve('ok');
    await Promise.all(outcomes);
  });
});

describe('messages through the clock', () => {
  it('with messageDelayMs, agents hand messages over only when the clock moves', async () => {
    const clock = new SimulatedClock();
    const org = start({ hierarchy: developmentTeam(), clock, messageDelayMs: 0, executors: async () => 'done' });
    const delegated: string[] = [];
    org.on('task.delegated', (event) => delegated.push(`${event.from}→${event.to}`));
    const outcome = org.submit({ type: 'python' });
    await flush();
    // The CTO decided and sent, but backend_lead has not received it yet.
    expect(delegated).toEqual(['cto→backend_lead']);
    expect(org.agentState('backend_lead').state).toBe('receiving');
    for (let i = 0; i < 10; i++) {
      clock.increment(0);
      await flush();
    }
    expect((await outcome).delegationChain).toEqual(['cto', 'backend_lead', 'api_specialist', 'backend_dev_1']);
  });

  it('refuses a negative delay', () => {
    expect(thrown(() => createOrchestrator({ hierarchy: developmentTeam(), executors: async () => 1, messageDelayMs: -1 })).code).toBe('invalid_option');
  });
});

describe('events', () => {
  it('reports the lifecycle of a task in order', async () => {
    const org = start({ hierarchy: developmentTeam(), executors: async () => 'done' });
    const seen: string[] = [];
    org.on('*', (event: OrchestratorEvent) => {
      if (event.type === 'task.delegated') seen.push(`delegated ${event.from}→${event.to}`);
      else if (event.type === 'task.started') seen.push(`started ${event.agent}`);
      else if (event.type === 'task.ended') seen.push(`ended ${event.agent} ${event.settlement.status}`);
      else if (event.type !== 'agent.state') seen.push(event.type);
    });
    await org.submit({ type: 'database' });
    expect(seen).toEqual(['task.submitted', 'delegated cto→backend_lead', 'delegated backend_lead→db_specialist', 'started db_specialist', 'ended db_specialist completed', 'task.completed']);
  });

  it('listens by type, unsubscribes, and survives a listener that throws', async () => {
    const org = start({ hierarchy: developmentTeam(), executors: async () => 'done' });
    const completed: string[] = [];
    const off = org.on('task.completed', (event) => completed.push(event.outcome.taskId));
    org.on('task.submitted', () => {
      throw new Error('listener bug');
    });
    const errors: unknown[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => errors.push(args);
    try {
      await org.submit({ id: 'one', type: 'python' });
      off();
      await org.submit({ id: 'two', type: 'python' });
    } finally {
      console.error = original;
    }
    expect(completed).toEqual(['one']);
    expect(errors).toHaveLength(2);
  });

  it('reports agent states as they settle', async () => {
    const gate = deferred();
    const org = start({ hierarchy: developmentTeam(), executors: () => gate.promise });
    const states: string[] = [];
    org.on('agent.state', (event) => states.push(`${event.agent}:${event.state}`));
    const outcome = org.submit({ type: 'css' });
    await flush();
    expect(states).toEqual(['frontend_dev_1:executing']);
    gate.resolve('ok');
    await outcome;
    await flush();
    expect(states).toEqual(['frontend_dev_1:executing', 'frontend_dev_1:receiving']);
  });
});

describe('bad input', () => {
  const org = () => start({ hierarchy: developmentTeam(), executors: async () => 'ok' });

  it.each([
    ['no type', {}],
    ['an empty type', { type: '  ' }],
    ['a non-string type', { type: 7 }],
    ['an empty id', { id: '', type: 'python' }],
    ['an id with a newline', { id: 'a\nb', type: 'python' }],
    ['a type with a terminal escape', { type: 'python\u001b[2J' }],
    ['resources that are not strings', { type: 'python', resources: [1] }],
    ['a context that is not an object', { type: 'python', context: 'urgent' }],
  ])('a task with %s is refused with invalid_task', async (_case, input) => {
    expect((await rejection(org().submit(input as never))).code).toBe('invalid_task');
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['an approval quorum of 0', { approval: { quorum: 0 } }, 'approval.quorum must be a whole number ≥ 1, got 0'],
    ['an approval quorum of NaN', { approval: { quorum: NaN } }, 'approval.quorum must be a whole number ≥ 1, got NaN'],
    ['a negative approval level', { approval: { level: -1 } }, 'approval.level must be a whole number ≥ 0 (0 is the root), got -1'],
    ['a negative approval timeout', { approval: { timeoutMs: -5 } }, 'approval.timeoutMs must be a positive number, got -5'],
    ['an approval role that is no role', { approval: { role: 'king' } }, 'approval.role must be one of executive, manager, specialist, worker, got "king"'],
    ['context.teams that is not a list', { context: { requiresCrossTeam: true, teams: 'backend_lead' } }, 'context.teams must be an array of strings, got "backend_lead"'],
    ['an empty team', { context: { requiresCrossTeam: true, teams: ['backend_lead', ''] } }, 'context.teams[1] is "": a name may not be empty'],
    ['an empty resource', { resources: [''] }, 'resources[0] is "": a name may not be empty'],
    ['a blank required skill', { requiredSkills: ['python', '  '] }, 'requiredSkills[1] is "  ": a name may not be empty'],
    ['a budget of NaN', { budget: { timeMs: NaN } }, 'budget.timeMs must be a number ≥ 0, got NaN'],
  ])('a task with %s is refused at the door with invalid_task saying what it should be, and nothing is recorded', async (_case, fields, message) => {
    const organisation = org();
    const error = await rejection(organisation.submit({ id: 'bad', type: 'python', ...fields }));
    expect(error.code).toBe('invalid_task');
    expect(error.message).toContain(message);
    expect(organisation.approvals.pending()).toEqual([]);
    expect(organisation.status().activeTasks).toBe(0);
    expect((await organisation.submit({ id: 'bad', type: 'python' })).status).toBe('completed');
  });

  it('a task that is not an object is refused', async () => {
    expect((await rejection(org().submit(null as never))).code).toBe('invalid_task');
  });

  it('a duplicate active task id is refused, and the first task is unaffected', async () => {
    const gate = deferred();
    const running = start({ hierarchy: developmentTeam(), executors: () => gate.promise });
    const first = running.submit({ id: 'same', type: 'python' });
    expect((await rejection(running.submit({ id: 'same', type: 'css' }))).code).toBe('duplicate_task');
    gate.resolve('ok');
    expect((await first).status).toBe('completed');
  });

  it('submitting at an unknown agent is refused with unknown_agent', async () => {
    expect((await rejection(org().submit({ type: 'python' }, { at: 'ghost' }))).code).toBe('unknown_agent');
  });

  it('asking for the outcome of an unknown task is refused with unknown_task', async () => {
    expect((await rejection(org().outcome('nope'))).code).toBe('unknown_task');
  });

  it.each<[string, unknown]>([
    ['no id', undefined],
    ['a number', 42],
    ['an empty string', ''],
    ['null', null],
    ['an object without a prototype', Object.create(null)],
  ])('outcome and cancel with %s instead of a task id are refused with invalid_option, saying so', async (_case, id) => {
    const o = org();
    for (const [method, call] of [['org.outcome', () => o.outcome(id as string)], ['org.cancel', () => o.cancel(id as string)]] as const) {
      const error = await rejection(call());
      expect(error.code).toBe('invalid_option');
      expect(error.message).toMatch(new RegExp(`^${method.replace('.', '\\.')} takes a task id \\(a non-empty string\\), got `));
    }
  });

  it('cancel with a reason that is not a string is refused with invalid_option, and the task goes on', async () => {
    const o = org();
    const outcome = o.submit({ id: 'keep', type: 'python' });
    expect(await rejection(o.cancel('keep', { why: 'no' } as unknown as string))).toMatchObject({ code: 'invalid_option', message: 'org.cancel: a reason is a string, got object.' });
    expect((await outcome).status).toBe('completed');
  });

  it('asking a stopped orchestrator for an agent state is refused with orchestrator_stopped', async () => {
    const stopping = start({ hierarchy: developmentTeam(), executors: async () => 1 });
    await stopping.stop();
    expect(thrown(() => stopping.agentState('cto')).code).toBe('orchestrator_stopped');
    expect(thrown(() => stopping.agentState('ghost')).code).toBe('unknown_agent');
  });

  it('submitting to a stopped orchestrator is refused, and waiting tasks reject', async () => {
    const gate = deferred();
    const stopping = start({ hierarchy: developmentTeam(), executors: () => gate.promise });
    const waiting = stopping.submit({ type: 'python' });
    await stopping.stop();
    expect((await rejection(waiting)).code).toBe('orchestrator_stopped');
    expect((await rejection(stopping.submit({ type: 'python' }))).code).toBe('orchestrator_stopped');
  });

  it.each<[string, Partial<OrchestratorOptions>, string]>([
    ['agents with capabilities but no executor', { executors: { byRole: { worker: async () => 1 } } }, 'invalid_option'],
    ['an executor for an unknown agent', { executors: { default: async () => 1, byId: { ghost: async () => 1 } } }, 'unknown_agent'],
    ['an executor for an unknown role', { executors: { default: async () => 1, byRole: { intern: async () => 1 } as never } }, 'invalid_role'],
    ['an executor that is not a function', { executors: { default: 'run' as never } }, 'invalid_option'],
    ['a zero concurrency', { executors: async () => 1, concurrency: 0 }, 'invalid_option'],
    ['a fractional concurrency', { executors: async () => 1, concurrency: 1.5 }, 'invalid_option'],
    ['a negative timeout', { executors: async () => 1, execution: { timeoutMs: -1 } }, 'invalid_option'],
    ['zero attempts', { executors: async () => 1, execution: { retry: { attempts: 0 } } }, 'invalid_option'],
    ['a jitter above 1', { executors: async () => 1, execution: { retry: { jitter: 2 } } }, 'invalid_option'],
    ['a strategy without select', { executors: async () => 1, strategy: { name: 'x' } as never }, 'invalid_option'],
    ['a zero depth limit', { executors: async () => 1, limits: { maxDepth: 0 } }, 'invalid_option'],
    ['a zero retain', { executors: async () => 1, retain: 0 }, 'invalid_option'],
    ['resume without a store (it would silently keep nothing)', { executors: async () => 1, resume: true }, 'invalid_option'],
  ])('refuses %s', (_case, options, code) => {
    expect(thrown(() => createOrchestrator({ hierarchy: developmentTeam(), ...options } as OrchestratorOptions)).code).toBe(code);
  });

  it('refuses options without a hierarchy', () => {
    expect(thrown(() => createOrchestrator({ executors: async () => 1 } as never)).code).toBe('invalid_option');
  });

  it.each([['no options', undefined], ['null', null], ['a string', 'developmentTeam']])('refuses %s with invalid_option, not a TypeError', (_case, options) => {
    const error = thrown(() => createOrchestrator(options as never));
    expect(error.code).toBe('invalid_option');
    expect(error.message).toContain('createOrchestrator needs { hierarchy, executors }');
  });

  it('agents without capabilities need no executor', async () => {
    const org = start({
      hierarchy: defineHierarchy({ id: 'boss', role: 'manager', children: [{ id: 'doer', role: 'worker', capabilities: ['job'] }] }),
      executors: { byId: { doer: async () => 'done' } },
    });
    expect((await org.submit({ type: 'job' })).result).toBe('done');
  });
});

describe('outcomes and draining', () => {
  it('keeps recent outcomes for lookup and drains when everything settled', async () => {
    const org = start({ hierarchy: developmentTeam(), executors: async (task) => task.type });
    const first = org.submit({ id: 'x', type: 'react' });
    const again = org.outcome('x');
    await org.drain();
    expect(await again).toEqual(await first);
    expect((await org.outcome('x')).result).toBe('react');
    await org.drain();
  });

  it('forgets outcomes beyond retain', async () => {
    const org = start({ hierarchy: developmentTeam(), executors: async () => 1, retain: 2 });
    for (const id of ['a', 'b', 'c']) await org.submit({ id, type: 'python' });
    expect((await rejection(org.outcome('a'))).code).toBe('unknown_task');
    expect((await org.outcome('c')).status).toBe('completed');
  });
});
