import { describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import { joinAny, delegateWith, decomposeWith, defineHierarchy, developmentTeam, describeEvent, fullStackFeature, joinQuorum, memoryStore, type Decomposer, type EchelonError, type SubtaskSpec } from '../src/index.js';
import { summarizeEvent } from '../src/inspect/index.js';
import { deferred, flush, sleep, orchestrators } from './support/helpers.js';

const start = orchestrators({ hierarchy: developmentTeam(), executors: async (task, { agent }) => ({ part: task.type, by: agent.id }) });

/** A lead with three interchangeable workers. */
const team = () =>
  defineHierarchy({
    id: 'lead',
    role: 'manager',
    children: ['w1', 'w2', 'w3'].map((id) => ({ id, role: 'worker' as const, capabilities: ['job', id] })),
  });
/**
 * Splits `batch` into one job per worker that only that worker can do (so a failure is final:
 * supervision has no sibling to reassign it to).
 */
const perWorker = (options: Partial<Decomposer> = {}): Decomposer =>
  decomposeWith('per-worker', (task, { children }) => (task.type === 'batch' ? children.map((child) => ({ key: child.id, type: child.id, to: child.id })) : undefined), options);

describe('a decomposer that declines to split', () => {
  it('leaves the task whole; when nobody can take it whole, the failure says the decomposer declined (sync and async)', async () => {
    for (const answer of [() => [], async () => [], () => undefined]) {
      const org = start({ decomposers: { byType: { full_stack_feature: decomposeWith('planner', answer) } } });
      const outcome = await org.submit({ type: 'full_stack_feature' });
      expect(outcome).toMatchObject({ status: 'failed', error: { code: 'unroutable', message: expect.stringContaining('decomposer "planner" at cto declined to split it') } });
    }
    // A task it declines that someone can take whole runs as any other.
    const org = start({ decomposers: { byType: { css: decomposeWith('planner', () => []) } } });
    expect(await org.submit({ type: 'css' })).toMatchObject({ status: 'completed', executedBy: 'frontend_dev_1' });
  });
});

describe('the seed example: a full-stack feature', () => {
  it('splits into a backend part under backend_lead and a frontend part under frontend_lead, merged into one outcome', async () => {
    const org = start({ decomposers: { byType: { full_stack_feature: fullStackFeature() } } });
    const seen: string[] = [];
    org.on('task.started', (event) => seen.push(`${event.task.id} payload=${JSON.stringify(event.task.payload)}`));
    const outcome = await org.submit({ id: 'auth', type: 'full_stack_feature', payload: { feature: 'user authentication' } });
    expect(outcome).toMatchObject({
      status: 'completed',
      splitBy: 'cto',
      result: { backend: { part: 'backend', by: 'backend_lead' }, frontend: { part: 'frontend', by: 'frontend_lead' } },
    });
    // Real ids derived from the parent's — not the reference's literal "[task.id]-backend".
    expect(outcome.subtasks?.map((node) => [node.taskId, node.executedBy, node.delegationChain])).toEqual([
      ['auth.backend', 'backend_lead', ['cto', 'backend_lead']],
      ['auth.frontend', 'frontend_lead', ['cto', 'frontend_lead']],
    ]);
    expect(seen.sort()).toEqual([
      'auth.backend payload={"feature":"user authentication","part":"backend"}',
      'auth.frontend payload={"feature":"user authentication","part":"frontend"}',
    ]);
    expect(org.status().activeTasks).toBe(0);
  });

  it('gives subtasks of the same type unique ids and records their parent', async () => {
    const twice: Decomposer = decomposeWith('twice', (task) => (task.type === 'pair' ? [{ type: 'python' }, { type: 'python' }, { key: 'extra', type: 'css' }] : undefined));
    const org = start({ decomposers: { byId: { cto: twice } } });
    const parents: Array<string | undefined> = [];
    org.on('task.decomposed', (event) => parents.push(...event.subtasks.map((subtask) => `${subtask.id}<${subtask.parentId}`)));
    const outcome = await org.submit({ id: 'p', type: 'pair' });
    expect(outcome.subtasks?.map((node) => node.taskId)).toEqual(['p.python', 'p.python-2', 'p.extra']);
    expect(Object.keys(outcome.result as object)).toEqual(['python', 'python-2', 'extra']);
    expect(parents).toEqual(['p.python<p', 'p.python-2<p', 'p.extra<p']);
  });

  it('a subtask id that is the id of a task still active fails the split with duplicate_task, and that task goes on', async () => {
    // Before: the subtask took the active task's place (in the ledger and at the worker holding it) and the split's caller waited for ever.
    const gate = deferred();
    const org = start({
      executors: async (task, { agent }) => (task.id === 'a.css' && (await gate.promise), { part: task.type, by: agent.id }),
      decomposers: { byType: { feature: decomposeWith('parts', () => [{ key: 'css', type: 'css' }, { key: 'py', type: 'python' }]) } },
    });
    const first = org.submit({ id: 'a.css', type: 'css' });
    await flush();
    const split = await org.submit({ id: 'a', type: 'feature' });
    expect(split).toMatchObject({ status: 'failed', error: { code: 'duplicate_task', details: { taskId: 'a', subtaskId: 'a.css' } } });
    gate.resolve(undefined);
    expect(await first).toMatchObject({ taskId: 'a.css', status: 'completed', result: { part: 'css' } });
    // Once it settled, the same split goes through.
    expect(await org.submit({ id: 'a', type: 'feature' })).toMatchObject({ status: 'completed' });
  });

  it.each([0, 1, 2, 3, 4])('a planner answering later: a task submitted under a part\'s id %i ticks after the answer is refused, or fails the split — never both active', async (ticks) => {
    // Before: checked when the plan answered, a submit landing before the split was made went through too: two tasks active under one id, one outcome lost and its caller waiting for ever.
    let answer!: () => void;
    const planner: Decomposer = { name: 'slow', decompose: (task) => (task.type === 'feature' ? new Promise<void>((resolve) => (answer = resolve)).then(() => [{ key: 'css', type: 'css' }]) : undefined) };
    // Nothing finishes until the end: a task that had finished would have freed its id (ids are unique among active tasks).
    const release = deferred();
    const org = start({ decomposers: { byType: { feature: planner } }, executors: async (task, { agent }) => (await release.promise, { part: task.type, by: agent.id }) });
    const split = org.submit({ id: 'a', type: 'feature' });
    await flush();
    let own: Promise<unknown> | undefined;
    const later = (n: number): Promise<void> => (n === 0 ? Promise.resolve() : Promise.resolve().then(() => later(n - 1)));
    void later(ticks).then(() => {
      own = org.submit({ id: 'a.css', type: 'python' }).catch((error: unknown) => error);
    });
    answer();
    await flush();
    const holders = developmentTeam().nodes().filter((node) => Object.keys(org.agentState(node.id).held).includes('a.css'));
    expect(holders.length).toBeLessThanOrEqual(1);
    release.resolve(undefined);
    const [whole, mine] = (await Promise.all([split, own])) as [{ status: string; error?: { code: string } }, { status?: string; code?: string }];
    if (mine.code === 'duplicate_task') expect(whole).toMatchObject({ status: 'completed' });
    else {
      expect(mine).toMatchObject({ status: 'completed', executedBy: 'backend_dev_1' });
      expect(whole).toMatchObject({ status: 'failed', error: { code: 'duplicate_task' } });
    }
    for (const node of developmentTeam().nodes()) expect(Object.keys(org.agentState(node.id).held)).toEqual([]);
  });

  it('tells, with task.ended, where and how each subtask ended (its submitted task ends with task.completed)', async () => {
    const twice: Decomposer = decomposeWith('twice', (task) => (task.type === 'pair' ? [{ type: 'python' }, { key: 'extra', type: 'quantum_computing' }] : undefined));
    const org = start({ decomposers: { byId: { cto: twice } } });
    const ended: string[] = [];
    org.on('task.ended', (event) => ended.push(`${event.task.id} ${event.settlement.status} at ${event.agent}`));
    const described: string[] = [];
    org.on('task.ended', (event) => described.push(describeEvent(event)));
    const statuses: unknown[] = [];
    org.on('task.ended', (event) => statuses.push(summarizeEvent(event).status));
    await org.submit({ id: 'p', type: 'pair' });
    // The part nobody can take fails where it was split: nobody below the CTO can do it; the other
    // part, already on its way down, is cancelled where the cancellation catches up with it (fail-fast).
    expect(ended.sort()).toEqual(['p.extra failed at cto', 'p.python cancelled at api_specialist']);
    expect(described.find((line) => line.startsWith('python p.python cancelled at api_specialist'))).toBeDefined();
    expect(described.find((line) => line.startsWith('quantum_computing p.extra failed at cto: '))).toBeDefined();
    // The live view's summary carries the status, to show a failed part as a failure.
    expect(statuses.sort()).toEqual(['cancelled', 'failed']);
  });
});

describe('fan-out runs subtasks in parallel', () => {
  it('workers on different branches overlap in time', async () => {
    const clock = new SimulatedClock();
    const spans: string[] = [];
    const org = start({
      clock,
      decomposers: { byType: { full_stack_feature: fullStackFeature() } },
      executors: async (task, { agent, signal }) => {
        const begin = clock.now();
        await sleep(clock, 100, signal);
        spans.push(`${agent.id} ${begin}-${clock.now()}`);
        return task.type;
      },
    });
    const outcome = org.submit({ type: 'full_stack_feature', payload: { feature: 'search' } });
    await flush();
    clock.increment(100);
    expect((await outcome).status).toBe('completed');
    expect(spans.sort()).toEqual(['backend_lead 0-100', 'frontend_lead 0-100']);
  });
});

describe('join policies', () => {
  const gated = () => {
    const gates = new Map<string, ReturnType<typeof deferred>>();
    const aborted: string[] = [];
    const executor = (task: { id: string }, { signal }: { signal: AbortSignal }) => {
      const gate = deferred();
      gates.set(task.id, gate);
      signal.addEventListener('abort', () => aborted.push(task.id));
      return gate.promise;
    };
    return { gates, aborted, executor };
  };

  it('all (default): completes when every subtask has, with results keyed by subtask', async () => {
    const org = start({ hierarchy: team(), decomposers: { byId: { lead: perWorker() } }, executors: async (_task, { agent }) => agent.id });
    expect(await org.submit({ id: 'b', type: 'batch' })).toMatchObject({ status: 'completed', result: { w1: 'w1', w2: 'w2', w3: 'w3' } });
  });

  it('all, fail fast: the first failure fails the parent and cancels the rest', async () => {
    const { gates, aborted, executor } = gated();
    const org = start({ hierarchy: team(), decomposers: { byId: { lead: perWorker() } }, executors: executor });
    const outcome = org.submit({ id: 'b', type: 'batch' });
    await flush();
    gates.get('b.w2')!.reject(new Error('w2 broke'));
    const done = await outcome;
    expect(done).toMatchObject({ status: 'failed', error: { code: 'subtask_failed', message: 'Subtask "w2" of b failed: w2 broke' } });
    expect(aborted.sort()).toEqual(['b.w1', 'b.w3']);
    expect(done.subtasks?.map((node) => [node.key, node.status])).toEqual([
      ['w1', 'cancelled'],
      ['w2', 'failed'],
      ['w3', 'cancelled'],
    ]);
  });

  it('all, partial: completes with the partial results and a list of failures', async () => {
    const org = start({
      hierarchy: team(),
      decomposers: { byId: { lead: perWorker({ onFailure: 'partial' }) } },
      executors: async (_task, { agent }) => {
        if (agent.id === 'w3') throw new Error('w3 broke');
        return agent.id;
      },
    });
    const outcome = await org.submit({ id: 'b', type: 'batch' });
    expect(outcome).toMatchObject({
      status: 'completed',
      result: { w1: 'w1', w2: 'w2' },
      failures: [{ key: 'w3', taskId: 'b.w3', status: 'failed', error: { message: 'w3 broke' } }],
    });
  });

  it('any: the first success wins and the losers are cancelled', async () => {
    const { gates, aborted, executor } = gated();
    const org = start({ hierarchy: team(), decomposers: { byId: { lead: perWorker({ join: joinAny() }) } }, executors: executor });
    const outcome = org.submit({ id: 'b', type: 'batch' });
    await flush();
    gates.get('b.w1')!.reject(new Error('w1 lost'));
    await flush();
    gates.get('b.w3')!.resolve('w3 first');
    const done = await outcome;
    expect(done).toMatchObject({ status: 'completed', result: { w3: 'w3 first' } });
    expect(aborted).toEqual(['b.w2']);
    expect(done.subtasks?.map((node) => node.status)).toEqual(['failed', 'cancelled', 'completed']);
  });

  it('any: fails only when every subtask failed', async () => {
    const org = start({ hierarchy: team(), decomposers: { byId: { lead: perWorker({ join: joinAny() }) } }, executors: async () => Promise.reject(new Error('nope')) });
    const outcome = await org.submit({ id: 'b', type: 'batch' });
    expect(outcome).toMatchObject({ status: 'failed', error: { code: 'subtask_failed' } });
    expect(outcome.error?.message).toMatch(/Only 0 of the 1 subtasks b needed can complete/);
  });

  it('joinQuorum refuses a count that is no number of subtasks where it is made (invalid_option)', () => {
    for (const n of [0, -1, 1.5, Number.NaN]) expect(() => joinQuorum(n)).toThrow(expect.objectContaining({ code: 'invalid_option', message: `joinQuorum(n) needs a whole number of subtasks ≥ 1, got ${n}.` }));
  });

  it('decomposeWith refuses where it is made a name, decompose or option a split could not use (invalid_option): it was taken, and the first split failed with decomposer_error', () => {
    const refused = (build: () => unknown) => {
      try {
        build();
      } catch (error) {
        return error as EchelonError;
      }
      throw new Error('not refused');
    };
    const split = () => [];
    expect(refused(() => decomposeWith(5 as never, split))).toMatchObject({ code: 'invalid_option', message: 'decomposeWith(name, decompose, options?): the name must be a string, got a number.' });
    expect(refused(() => decomposeWith('x', 5 as never))).toMatchObject({ code: 'invalid_option', message: expect.stringContaining('decompose must be a function of the task') });
    expect(refused(() => decomposeWith('x', split, 5 as never))).toMatchObject({ code: 'invalid_option', message: 'decomposeWith(name, decompose, options?): options must be an object { join?, onFailure?, merge? }, got 5.' });
    expect(refused(() => decomposeWith('x', split, { jion: joinAny() } as never))).toMatchObject({ code: 'invalid_option', message: expect.stringContaining('did you mean "join"?') });
    expect(refused(() => decomposeWith('x', split, { join: { kind: 'quorum', n: 0 } as never }))).toMatchObject({ code: 'invalid_option', message: expect.stringContaining('join must be joinAll(), joinAny() or joinQuorum(n)') });
    expect(refused(() => decomposeWith('x', split, { onFailure: 'later' as never }))).toMatchObject({ code: 'invalid_option', message: expect.stringContaining("onFailure must be 'fail-fast' or 'partial', got \"later\"") });
    expect(refused(() => decomposeWith('x', split, { merge: 1 as never }))).toMatchObject({ code: 'invalid_option', message: 'decomposeWith: merge must be a function, got a number.' });
    expect(decomposeWith('x', split, { join: joinQuorum(1), onFailure: 'partial', merge: (results) => results })).toMatchObject({ name: 'x', onFailure: 'partial' });
  });

  it('joinQuorum(2): two successes win, the third is cancelled', async () => {
    const { gates, aborted, executor } = gated();
    const org = start({ hierarchy: team(), decomposers: { byId: { lead: perWorker({ join: joinQuorum(2) }) } }, executors: executor });
    const outcome = org.submit({ id: 'b', type: 'batch' });
    await flush();
    gates.get('b.w1')!.resolve('one');
    await flush();
    expect(aborted).toEqual([]);
    gates.get('b.w2')!.resolve('two');
    expect(await outcome).toMatchObject({ status: 'completed', result: { w1: 'one', w2: 'two' } });
    expect(aborted).toEqual(['b.w3']);
  });

  it('joinQuorum(2): fails as soon as two successes are out of reach', async () => {
    const { gates, executor } = gated();
    const org = start({ hierarchy: team(), decomposers: { byId: { lead: perWorker({ join: joinQuorum(2) }) } }, executors: executor });
    const outcome = org.submit({ id: 'b', type: 'batch' });
    await flush();
    gates.get('b.w1')!.reject(new Error('x'));
    await flush();
    expect(org.status().activeTasks).toBe(1);
    gates.get('b.w2')!.reject(new Error('y'));
    expect(await outcome).toMatchObject({ status: 'failed', error: { code: 'subtask_failed' } });
  });

  it('a merge function combines the results; a merge that throws fails the parent clearly', async () => {
    const summing = perWorker({ merge: (results) => Object.values(results).join('+') });
    const org = start({ hierarchy: team(), decomposers: { byId: { lead: summing } }, executors: async (_task, { agent }) => agent.id });
    expect((await org.submit({ type: 'batch' })).result).toBe('w1+w2+w3');
    const broken = perWorker({
      merge: () => {
        throw new Error('cannot merge');
      },
    });
    const org2 = start({ hierarchy: team(), decomposers: { byId: { lead: broken } }, executors: async () => 1 });
    expect((await org2.submit({ id: 'm', type: 'batch' })).error).toEqual({ code: 'decomposer_error', message: 'Merging the subtasks of m failed: cannot merge' });
  });

  it('a merge whose result is not JSON data fails the parent with decomposer_error; with a store, the organisation goes on', async () => {
    const odd = perWorker({ merge: () => ({ total: 3n }) });
    const org = start({ hierarchy: team(), decomposers: { byId: { lead: odd } }, executors: async () => 1, store: memoryStore() });
    expect((await org.submit({ id: 'm', type: 'batch' })).error).toEqual({
      code: 'decomposer_error',
      message: 'Merging the subtasks of m failed: merge returned a result that is not JSON data: result.total is a BigInt (3n); store it as a string or a number.',
    });
    expect((await org.submit({ id: 'next', type: 'w1' })).status).toBe('completed');
  });
});

describe('subtasks are supervised like any task', () => {
  it('a failed subtask is reassigned to a capable sibling before the join hears of it', async () => {
    const shared = decomposeWith('shared', (task, { children }) => (task.type === 'batch' ? children.map((child) => ({ key: child.id, type: 'job', to: child.id })) : undefined));
    const org = start({
      hierarchy: team(),
      decomposers: { byId: { lead: shared } },
      executors: async (task, { agent }) => {
        if (agent.id === 'w2' && task.id === 'b.w2') throw new Error('w2 broke');
        return agent.id;
      },
    });
    const outcome = await org.submit({ id: 'b', type: 'batch' });
    expect(outcome.status).toBe('completed');
    expect(outcome.subtasks?.[1]).toMatchObject({ key: 'w2', status: 'completed', executedBy: 'w1' });
    expect(outcome.escalations).toMatchObject([{ reason: 'execution_failed', from: 'w2', to: 'lead', taskId: 'b.w2', status: 'resolved' }]);
  });
});

describe('nested decomposition', () => {
  it('a subtask may itself be split further down, and the outcome shows the whole tree', async () => {
    const release: Decomposer = decomposeWith('release', (task, { children }) =>
      task.type === 'release' ? children.map((child) => ({ key: child.id, type: 'part', to: child.id })) : undefined,
    );
    const part: Decomposer = decomposeWith('part', (task, { children }) =>
      task.type === 'part' ? children.map((child) => ({ key: child.id, type: [...child.capabilities][0]!, to: child.id })) : undefined,
    );
    const org = start({ decomposers: { byId: { cto: release }, byRole: { manager: part } }, executors: async (_task, { agent }) => agent.id });
    const outcome = await org.submit({ id: 'r', type: 'release' });
    expect(outcome.status).toBe('completed');
    expect(outcome.result).toEqual({
      backend_lead: { api_specialist: 'api_specialist', db_specialist: 'db_specialist' },
      frontend_lead: { react_specialist: 'react_specialist' },
    });
    expect(outcome.subtasks?.map((node) => [node.taskId, node.subtasks?.map((leaf) => leaf.taskId)])).toEqual([
      ['r.backend_lead', ['r.backend_lead.api_specialist', 'r.backend_lead.db_specialist']],
      ['r.frontend_lead', ['r.frontend_lead.react_specialist']],
    ]);
  });

  it('a subtask that needs approval parks and the join waits for it', async () => {
    const org = start({
      decomposers: {
        byType: {
          ship: decomposeWith('ship', () => [
            { key: 'code', type: 'python' },
            { key: 'deploy', type: 'css', context: { requiresApproval: true } },
          ]),
        },
      },
    });
    const outcome = org.submit({ id: 's', type: 'ship' });
    await flush();
    expect(org.agentState('cto').decomposed).toEqual(['s']);
    const [approval] = org.approvals.pending();
    expect(approval).toMatchObject({ taskId: 's.deploy', requester: 'frontend_dev_1' });
    org.approvals.approve(approval!.id, { by: 'react_specialist' });
    expect((await outcome).status).toBe('completed');
  });
});

describe('budgets flow down the tree', () => {
  it('each subtask gets its share of the cost; an overrun stops that branch and escalates; leftovers are reported', async () => {
    const costs: Record<string, number> = { 'b.w1': 20, 'b.w2': 30, 'b.w3': 40 };
    const shares: Record<string, number | undefined> = {};
    const org = start({
      hierarchy: team(),
      decomposers: { byId: { lead: perWorker({ onFailure: 'partial' }) } },
      executors: async (task, context) => {
        shares[task.id] = task.budget?.cost;
        context.reportCost(costs[task.id] ?? 0);
        return 'ok';
      },
    });
    const outcome = await org.submit({ id: 'b', type: 'batch', budget: { cost: 99 } });
    expect(shares).toMatchObject({ 'b.w1': 33, 'b.w2': 33, 'b.w3': 33 });
    expect(outcome.status).toBe('completed');
    expect(outcome.failures).toMatchObject([{ key: 'w3', error: { code: 'budget_exceeded' } }]);
    const [w3] = outcome.failures!;
    expect(w3!.error!.message).toMatch(/used 40 of cost, over its budget of 33/);
    expect(outcome.budget).toEqual({
      limit: { cost: 99 },
      used: { cost: 90, subtasks: 3, timeMs: outcome.settledAt - outcome.submittedAt },
      left: { cost: 9 },
    });
  });

  it('a deadline stops work still running when it passes', async () => {
    const clock = new SimulatedClock();
    const org = start({
      clock,
      decomposers: { byType: { full_stack_feature: fullStackFeature() } },
      executors: (task, { signal }) => (task.type === 'backend' ? 'quick' : sleep(clock, 1_000, signal)),
    });
    const outcome = org.submit({ type: 'full_stack_feature', budget: { timeMs: 100 } });
    await flush();
    clock.increment(100);
    await flush();
    const done = await outcome;
    expect(done).toMatchObject({ status: 'failed', error: { code: 'subtask_failed' } });
    expect(done.subtasks?.[1]).toMatchObject({ key: 'frontend', status: 'failed', error: { code: 'budget_exceeded' } });
    expect(done.budget?.left).toEqual({ timeMs: 0 });
  });

  it('decisions charge the budget of the task they decide: a planner over budget fails it', async () => {
    const planner = decomposeWith('costly-planner', (task, context) => {
      context.reportCost(30);
      return task.type === 'batch' ? [{ type: 'w1' }] : undefined;
    });
    const router = delegateWith('costly-router', (_task, candidates, context) => {
      context.reportCost(5);
      return candidates.find((candidate) => candidate.capable)?.id;
    });
    const org = start({ hierarchy: team(), decomposers: { byId: { lead: planner } }, strategy: router });
    const within = await org.submit({ type: 'batch', budget: { cost: 50 } });
    expect(within.status).toBe('completed');
    expect(within.budget?.used.cost).toBe(35);
    const over = await org.submit({ type: 'batch', budget: { cost: 20 } });
    expect(over).toMatchObject({ status: 'failed', error: { code: 'budget_exceeded' } });
  });

  it('maxSubtasks and maxDepth bound the tree', async () => {
    const org = start({ hierarchy: team(), decomposers: { byId: { lead: perWorker() } } });
    expect((await org.submit({ type: 'batch', budget: { maxSubtasks: 2 } })).error?.code).toBe('fanout_exceeded');
    expect((await org.submit({ type: 'batch', budget: { maxDepth: 0 } })).error?.code).toBe('depth_exceeded');
  });
});

describe('loop and limit protection', () => {
  const deep = () => {
    let spec = { id: 'n6', role: 'worker' as const, capabilities: ['work'] } as Parameters<typeof defineHierarchy>[0];
    for (let level = 5; level >= 0; level--) spec = { id: `n${level}`, role: level === 0 ? 'executive' : 'manager', capabilities: ['work'], children: [spec] };
    return defineHierarchy(spec);
  };
  const recursive = decomposeWith('recursive', (task) => (task.type === 'work' ? [{ type: 'work' }, { type: 'work' }] : undefined));

  it('a decomposition deeper than the limit stops with depth_exceeded', async () => {
    const org = start({ hierarchy: deep(), limits: { maxDecompositionDepth: 3 }, decomposers: { default: recursive } });
    const outcome = await org.submit({ type: 'work' });
    expect(outcome.status).toBe('failed');
    const leaves = (nodes: typeof outcome.subtasks): string[] => (nodes ?? []).flatMap((node) => (node.subtasks ? leaves(node.subtasks) : [node.error?.code ?? node.status]));
    const codes = new Set(leaves(outcome.subtasks));
    expect(codes.has('depth_exceeded')).toBe(true);
    expect([...codes].every((code) => code === 'depth_exceeded' || code === 'cancelled')).toBe(true);
  });

  it('a runaway fan-out stops with fanout_exceeded', async () => {
    const flood = decomposeWith('flood', (task) => (task.type === 'work' ? Array.from({ length: 500 }, (): SubtaskSpec => ({ type: 'noop' })) : undefined));
    const org = start({ hierarchy: deep(), decomposers: { default: flood } });
    const outcome = await org.submit({ type: 'work' });
    expect(outcome.error).toMatchObject({ code: 'fanout_exceeded' });
    expect(outcome.error?.message).toMatch(/split .* into 500 subtasks; at most 100 are allowed here/);
  });

  it('the whole tree is bounded by maxSubtasks, so recursion cannot run away', async () => {
    const org = start({ hierarchy: deep(), limits: { maxSubtasks: 10, maxDecompositionDepth: 100 }, decomposers: { default: recursive } });
    const outcome = await org.submit({ type: 'work' });
    expect(outcome.status).toBe('failed');
    expect(JSON.stringify(outcome.subtasks)).toMatch(/fanout_exceeded/);
  });
});

describe('decomposers that misbehave', () => {
  it.each<[string, Decomposer['decompose'] | Decomposer, string]>([
    ['throws', () => {
      throw new Error('planner crashed');
    }, 'Decomposer "bad" at cto failed: planner crashed'],
    ['returns a subtask without a type', () => [{ key: 'x' } as SubtaskSpec], 'Decomposer "bad" at cto: subtask 0 needs a type, got {"key":"x"}.'],
    ['addresses a non-child', () => [{ type: 'python', to: 'backend_dev_1' }], 'Decomposer "bad" at cto: subtask 0 is addressed to "backend_dev_1", which is not a child of cto.'],
    ['repeats a key', () => [{ key: 'a', type: 'python' }, { key: 'a', type: 'css' }], 'Decomposer "bad" at cto: subtask 1 has key "a": keys must be unique non-empty strings without control characters.'],
    ['gives a key with a newline', () => [{ key: 'a\nb', type: 'python' }], 'Decomposer "bad" at cto: subtask 0 has key "a\\nb": keys must be unique non-empty strings without control characters.'],
    ['gives a type with an escape', () => [{ type: 'python\u001b[2J' }], 'Decomposer "bad" at cto: subtask 0 has the type "python\\u001b[2J", which holds control characters (a newline, a tab …); types may not.'],
    ['asks for an impossible quorum', () => ({ subtasks: [{ type: 'python' }], join: joinQuorum(3) }), 'Decomposer "bad" at cto: join {"kind":"quorum","n":3} needs a quorum between 1 and the 1 subtasks.'],
    ['gives a payload that is not JSON data', () => [{ type: 'python', payload: { size: 1n } }], "Decomposer \"bad\" at cto: subtask 0's payload must be JSON data: payload.size is a BigInt (1n); store it as a string or a number."],
    ['gives a context that is not JSON data', () => [{ type: 'python' }, { type: 'css', context: { when: new Map() } }], "Decomposer \"bad\" at cto: subtask 1's context must be JSON data: context.when is an instance of Map, not a plain object (JSON would keep only its own fields)."],
  ])('one that %s fails its task with decomposer_error', async (_case, decompose, message) => {
    const org = start({ decomposers: { byId: { cto: decomposeWith('bad', decompose as Decomposer['decompose']) } } });
    expect((await org.submit({ type: 'anything' })).error).toMatchObject({ code: 'decomposer_error', message });
    expect(org.agentState('cto').state).toBe('receiving');
  });

  it('an async decomposer is awaited in delegating, and declining leaves normal routing', async () => {
    const plan = deferred<SubtaskSpec[] | undefined>();
    const org = start({ decomposers: { byId: { cto: decomposeWith('planner', () => plan.promise) } } });
    const outcome = org.submit({ type: 'python' });
    await flush();
    expect(org.agentState('cto').state).toBe('delegating');
    plan.resolve(undefined);
    expect((await outcome).delegationChain).toEqual(['cto', 'backend_lead', 'api_specialist', 'backend_dev_1']);
  });
});

describe('cancelling a decomposed task', () => {
  it('cancels every subtask too', async () => {
    const aborted: string[] = [];
    const org = start({
      decomposers: { byType: { full_stack_feature: fullStackFeature() } },
      executors: (task, { signal }) => new Promise((_, reject) => signal.addEventListener('abort', () => (aborted.push(task.id), reject(new Error('aborted'))))),
    });
    const outcome = org.submit({ id: 'f', type: 'full_stack_feature' });
    await flush();
    await org.cancel('f');
    const done = await outcome;
    expect(done.status).toBe('cancelled');
    expect(aborted.sort()).toEqual(['f.backend', 'f.frontend']);
    expect(done.subtasks?.map((node) => node.status)).toEqual(['cancelled', 'cancelled']);
    await flush();
    expect(org.agentState('cto')).toMatchObject({ decomposed: [], state: 'receiving' });
  });
});
