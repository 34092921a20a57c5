import { describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import { capabilityMatching, defaultEscalationPolicy, defineHierarchy, delegateWith, developmentTeam, loadBalancing, skillBased, type Candidate, type Task } from '../src/index.js';
import { deferred, flush, orchestrators, delegationContext } from './support/helpers.js';

const start = orchestrators();

const byAgent = async (_task: Task, { agent }: { agent: { id: string } }) => ({ by: agent.id });

describe('routing by subtree in the development team', () => {
  // The deepest agent with the capability executes; the chain is the path from the root to it.
  it.each([
    ['strategy', ['cto']],
    ['architecture', ['cto']],
    ['resource_allocation', ['cto']],
    ['backend', ['cto', 'backend_lead']],
    ['api', ['cto', 'backend_lead']],
    ['coordination', ['cto', 'backend_lead']],
    ['frontend', ['cto', 'frontend_lead']],
    ['ui', ['cto', 'frontend_lead']],
    ['ux', ['cto', 'frontend_lead']],
    ['api_design', ['cto', 'backend_lead', 'api_specialist']],
    ['rest', ['cto', 'backend_lead', 'api_specialist']],
    ['graphql', ['cto', 'backend_lead', 'api_specialist']],
    ['database', ['cto', 'backend_lead', 'db_specialist']],
    ['sql', ['cto', 'backend_lead', 'db_specialist']],
    ['optimization', ['cto', 'backend_lead', 'db_specialist']],
    ['react', ['cto', 'frontend_lead', 'react_specialist']],
    ['typescript', ['cto', 'frontend_lead', 'react_specialist']],
    ['components', ['cto', 'frontend_lead', 'react_specialist']],
    ['python', ['cto', 'backend_lead', 'api_specialist', 'backend_dev_1']],
    ['coding', ['cto', 'backend_lead', 'api_specialist', 'backend_dev_1']],
    ['javascript', ['cto', 'frontend_lead', 'react_specialist', 'frontend_dev_1']],
    ['css', ['cto', 'frontend_lead', 'react_specialist', 'frontend_dev_1']],
  ])('%s goes down %j', async (type, chain) => {
    const org = start({ hierarchy: developmentTeam(), executors: byAgent });
    const outcome = await org.submit({ type });
    expect(outcome.status).toBe('completed');
    expect(outcome.delegationChain).toEqual(chain);
    expect(outcome.executedBy).toBe(chain.at(-1));
    expect(outcome.result).toEqual({ by: chain.at(-1) });
  });

  it('fails a task nobody can do as unroutable, never executing it without the capability', async () => {
    const executed: string[] = [];
    const org = start({ hierarchy: developmentTeam(), executors: async (_task, { agent }) => executed.push(agent.id) });
    const outcome = await org.submit({ type: 'quantum_computing' });
    expect(outcome.status).toBe('failed');
    expect(outcome.error?.code).toBe('unroutable');
    expect(outcome.error?.message).toMatch(/No agent can take "quantum_computing" from cto/);
    expect(executed).toEqual([]);
  });

  it('routes a task submitted at a mid-level agent within its subtree', async () => {
    const org = start({ hierarchy: developmentTeam(), executors: byAgent });
    const outcome = await org.submit({ type: 'python' }, { at: 'backend_lead' });
    expect(outcome.delegationChain).toEqual(['backend_lead', 'api_specialist', 'backend_dev_1']);
  });
});

describe('strategies as pure functions', () => {
  const team = developmentTeam();
  const candidates = (load: Record<string, number>, capable: string[]): Candidate[] =>
    team.children('cto').map((node) => ({ id: node.id, node, load: load[node.id] ?? 0, capable: capable.includes(node.id) }));
  const task = (fields: Partial<Task> = {}): Task =>
    ({ id: 't', type: 'coding', payload: {}, context: {}, resources: [], requiredSkills: [], rootId: 't', origin: { kind: 'submitter' }, chain: ['cto'], escalations: [], excluded: [], approvedBy: [], submittedAt: 0, ...fields }) as Task;
  const context = delegationContext(team);

  it('capabilityMatching picks the first capable child', () => {
    expect(capabilityMatching().select(task(), candidates({}, ['frontend_lead', 'backend_lead']), context)).toBe('backend_lead');
    expect(capabilityMatching().select(task(), candidates({}, ['frontend_lead']), context)).toBe('frontend_lead');
    expect(capabilityMatching().select(task(), candidates({}, []), context)).toBeUndefined();
  });

  it('loadBalancing picks the least loaded capable child, ties to the first', () => {
    const strategy = loadBalancing();
    expect(strategy.select(task(), candidates({ backend_lead: 3, frontend_lead: 1 }, ['backend_lead', 'frontend_lead']), context)).toBe('frontend_lead');
    expect(strategy.select(task(), candidates({ backend_lead: 1, frontend_lead: 1 }, ['backend_lead', 'frontend_lead']), context)).toBe('backend_lead');
    expect(strategy.select(task(), candidates({ backend_lead: 9, frontend_lead: 0 }, ['backend_lead']), context)).toBe('backend_lead');
  });

  it('skillBased scores subtrees on the required skills, from scores or the hierarchy', () => {
    const strategy = skillBased({ backend_dev_1: { speed: 0.2 }, frontend_dev_1: { speed: 0.9 } });
    const both = candidates({}, ['backend_lead', 'frontend_lead']);
    expect(strategy.select(task({ requiredSkills: ['speed'] }), both, context)).toBe('frontend_lead');
    expect(strategy.select(task({ payload: { required_skills: ['speed'] } }), both, context)).toBe('frontend_lead');
    const withSkills = defineHierarchy({
      id: 'boss',
      role: 'manager',
      children: [
        { id: 'a', role: 'worker', capabilities: ['x'], skills: { rust: 0.3 } },
        { id: 'b', role: 'worker', capabilities: ['x'], skills: { rust: 0.8 } },
      ],
    });
    const pair = withSkills.children('boss').map((node) => ({ id: node.id, node, load: 0, capable: true }));
    expect(skillBased().select(task({ type: 'x', requiredSkills: ['rust'] }), pair, delegationContext(withSkills))).toBe('b');
    // Equal scores: the less loaded wins.
    const loaded = pair.map((candidate) => ({ ...candidate, load: candidate.id === 'a' ? 0 : 2 }));
    expect(skillBased().select(task({ type: 'x', requiredSkills: ['go'] }), loaded, delegationContext(withSkills))).toBe('a');
  });
});

describe('load balancing counts real in-flight tasks', () => {
  const pool = defineHierarchy({
    id: 'lead',
    role: 'manager',
    children: [
      { id: 'w1', role: 'worker', capabilities: ['job'] },
      { id: 'w2', role: 'worker', capabilities: ['job'] },
      { id: 'w3', role: 'worker', capabilities: ['job'] },
    ],
  });

  it('+1 on assign, −1 when a task comes back, whether it completed or failed', async () => {
    const gates = new Map<string, ReturnType<typeof deferred>>();
    const org = start({
      hierarchy: pool,
      strategy: loadBalancing(),
      concurrency: 10,
      // A failed task ends where it failed, so its load comes back at once.
      escalation: { ...defaultEscalationPolicy(), target: () => undefined },
      executors: (task) => {
        const gate = deferred();
        gates.set(task.id, gate);
        return gate.promise;
      },
    });
    const outcomes = ['a', 'b', 'c', 'd'].map((id) => org.submit({ id, type: 'job' }));
    await flush();
    expect(org.agentState('lead').load).toEqual({ w1: 2, w2: 1, w3: 1 });
    gates.get('b')!.resolve('ok');
    gates.get('c')!.reject(new Error('boom'));
    await flush();
    expect(org.agentState('lead').load).toEqual({ w1: 2, w2: 0, w3: 0 });
    const next = org.submit({ id: 'e', type: 'job' });
    await flush();
    expect(org.agentState('lead').load).toEqual({ w1: 2, w2: 1, w3: 0 });
    for (const gate of gates.values()) gate.resolve('ok');
    await Promise.all([...outcomes, next]);
    expect(org.agentState('lead').load).toEqual({ w1: 0, w2: 0, w3: 0 });
  });
});

describe('strategies that misbehave fail their task, not the system', () => {
  it('delegateWith refuses where it is made a name that is no text or a select that is no function (invalid_option): every task its agent routed failed with strategy_error', () => {
    expect(() => delegateWith('broken', null as never)).toThrow(expect.objectContaining({ code: 'invalid_option', message: 'delegateWith(name, select): select must be a function of the task and its candidates, got null.' }));
    expect(() => delegateWith(5 as never, () => undefined)).toThrow(expect.objectContaining({ code: 'invalid_option', message: 'delegateWith(name, select): the name must be a string, got a number.' }));
  });

  it('a strategy choosing a non-child fails the task with invalid_delegate', async () => {
    const org = start({
      hierarchy: developmentTeam(),
      executors: byAgent,
      strategy: { byId: { cto: delegateWith('rogue', (task, candidates) => (task.type === 'python' ? 'frontend_dev_1' : candidates.find((c) => c.capable)?.id)) } },
    });
    const outcome = await org.submit({ type: 'python' });
    expect(outcome.status).toBe('failed');
    expect(outcome.error?.code).toBe('invalid_delegate');
    expect(outcome.error?.message).toMatch(/Strategy "rogue" at cto chose "frontend_dev_1", which is not one of its children \(backend_lead, frontend_lead\)/);
    // The organisation keeps working.
    expect((await org.submit({ type: 'react' })).status).toBe('completed');
  });

  it('a strategy choosing a value JSON cannot write (a BigInt) still fails with invalid_delegate, naming it', async () => {
    const org = start({ hierarchy: developmentTeam(), executors: byAgent, strategy: { byId: { cto: delegateWith('bigint', () => 7n as never) } } });
    const outcome = await org.submit({ type: 'python' });
    expect(outcome.error?.code).toBe('invalid_delegate');
    expect(outcome.error?.message).toMatch(/Strategy "bigint" at cto chose 7, which is not one of its children/);
  });

  it.each([
    ['an Error', new Error('no idea'), 'no idea'],
    // Before, these said "the executor threw …" of a strategy.
    ['undefined', undefined, 'the strategy threw undefined'],
    ['null', null, 'the strategy threw a non-Error value: null'],
    ['a Proxy whose traps throw', new Proxy({}, { getPrototypeOf: () => { throw new Error('trap'); } }), 'the strategy threw a value that cannot be read (reading it threw Error: trap)'],
  ])('a strategy that throws %s fails the task with strategy_error, saying so', async (_case, thrown, message) => {
    const org = start({
      hierarchy: developmentTeam(),
      executors: byAgent,
      strategy: { byId: { backend_lead: delegateWith('broken', () => { throw thrown; }) } },
    });
    const outcome = await org.submit({ type: 'python' });
    expect(outcome.error).toEqual({ code: 'strategy_error', message });
    expect((await org.submit({ type: 'css' })).status).toBe('completed');
  });

  it('decisions that answer with a thenable that is not a native promise are awaited like one: a strategy, a decomposer, an escalation policy', async () => {
    const later = <T>(value: T) => ({ then: (resolve: (value: T) => void) => void setTimeout(() => resolve(value), 0) });
    const org = start({
      hierarchy: developmentTeam(),
      executors: byAgent,
      strategy: { byId: { backend_lead: delegateWith('later', (_task, candidates) => later(candidates.find((c) => c.id === 'db_specialist')?.id) as never) } },
      decomposers: { byId: { cto: { name: 'later', decompose: (task) => later(task.type === 'pair' ? [{ type: 'css' }, { type: 'react' }] : undefined) as never } } },
      escalation: { ...defaultEscalationPolicy(), shouldEscalate: (task, agent, context) => (later(defaultEscalationPolicy().shouldEscalate(task, agent, context)) as never) },
    });
    expect(await org.submit({ type: 'sql' })).toMatchObject({ status: 'completed', executedBy: 'db_specialist' });
    expect(await org.submit({ type: 'pair' })).toMatchObject({ status: 'completed', result: { css: { by: 'frontend_dev_1' }, react: { by: 'react_specialist' } } });
  });

  it('a strategy that declines keeps the task with the agent when it can execute it', async () => {
    const org = start({ hierarchy: developmentTeam(), executors: byAgent, strategy: { byId: { backend_lead: delegateWith('keep', () => undefined) } } });
    const outcome = await org.submit({ type: 'database' });
    expect(outcome.executedBy).toBe('backend_lead');
    const declined = await org.submit({ type: 'python' });
    expect(declined.status).toBe('failed');
    // Kept where nobody can do it, at the root: before, the error said nobody below had the capability.
    const root = start({ hierarchy: developmentTeam(), executors: byAgent, strategy: { byId: { cto: delegateWith('keep', () => undefined) } } });
    expect((await root.submit({ type: 'python' })).error).toMatchObject({
      code: 'unroutable',
      message: 'No agent can take "python" from cto: its strategy "keep" chose none of the children that could (backend_lead), and cto cannot do it itself.',
      details: { agentId: 'cto', strategy: 'keep' },
    });
  });

  it('a strategy that never answers fails its task with strategy_error after decisions.timeoutMs; the agent goes on', async () => {
    const clock = new SimulatedClock();
    const org = start({
      hierarchy: developmentTeam(),
      clock,
      executors: byAgent,
      decisions: { timeoutMs: 1_000 },
      strategy: { byId: { cto: delegateWith('stuck', (task) => (task.type === 'python' ? new Promise<string>(() => undefined) : undefined)) } },
    });
    const stuck = org.submit({ type: 'python' });
    await flush();
    expect((await org.submit({ type: 'strategy' })).executedBy).toBe('cto');
    clock.increment(1_000);
    expect(await stuck).toMatchObject({ status: 'failed', error: { code: 'strategy_error', message: expect.stringContaining('1000 ms') } });
    expect(org.agentState('cto')).toMatchObject({ state: 'receiving', deciding: [] });
  });

  it('decisions.concurrency bounds how many decisions an agent awaits; the rest wait their turn, in order', async () => {
    const answers = new Map<string, ReturnType<typeof deferred<string>>>();
    const asked: string[] = [];
    const org = start({
      hierarchy: developmentTeam(),
      executors: byAgent,
      decisions: { concurrency: 2 },
      strategy: {
        byId: {
          cto: delegateWith('slow', (task) => {
            asked.push(task.id);
            const answer = deferred<string>();
            answers.set(task.id, answer);
            return answer.promise;
          }),
        },
      },
    });
    const outcomes = ['a', 'b', 'c', 'd'].map((id) => org.submit({ id, type: 'python' }));
    await flush();
    expect(asked).toEqual(['a', 'b']);
    expect(org.agentState('cto')).toMatchObject({ deciding: ['a', 'b'], queued: 2 });
    answers.get('b')!.resolve('backend_lead');
    await flush();
    expect(asked).toEqual(['a', 'b', 'c']);
    for (const id of ['a', 'c']) answers.get(id)!.resolve('backend_lead');
    await flush();
    answers.get('d')!.resolve('backend_lead');
    expect((await Promise.all(outcomes)).map((outcome) => outcome.executedBy)).toEqual(['backend_dev_1', 'backend_dev_1', 'backend_dev_1', 'backend_dev_1']);
  });

  it('an async strategy does not block its agent: while one task waits for it, the agent decides and runs others', async () => {
    const answer = deferred<string | undefined>();
    const org = start({
      hierarchy: developmentTeam(),
      executors: byAgent,
      strategy: { byId: { cto: delegateWith('slow', (task) => (task.type === 'python' ? answer.promise : undefined)) } },
    });
    const first = org.submit({ id: 'first', type: 'python' });
    const second = org.submit({ id: 'second', type: 'strategy' });
    // The CTO's own task is decided and done while the routing of the first still waits.
    expect((await second).executedBy).toBe('cto');
    expect(org.agentState('cto')).toMatchObject({ state: 'delegating', deciding: ['first'], queued: 0 });
    answer.resolve('backend_lead');
    expect((await first).delegationChain).toEqual(['cto', 'backend_lead', 'api_specialist', 'backend_dev_1']);
    expect(org.agentState('cto').state).toBe('receiving');
  });
});
