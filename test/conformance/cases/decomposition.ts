/**
 * Decomposition: fan-out into subtasks with real ids, the joins (all, any, quorum; fail-fast and
 * partial), nested splits, supervision of subtasks, and budgets flowing down.
 */
import { expect } from 'vitest';
import { decomposeWith, defineHierarchy, delegateWith, developmentTeam, fullStackFeature, joinAny, joinQuorum, type Decomposer, type Executor } from '../../../src/index.js';
import { gates, pendingApproval, type Case, type CaseGroup } from '../harness.js';

const byPart: Executor = async (task, { agent }) => ({ part: task.type, by: agent.id });
const byAgent: Executor = async (_task, { agent }) => agent.id;

/** A lead with three interchangeable workers, each also able to do the job named after it. */
const trio = () => defineHierarchy({ id: 'lead', role: 'manager', children: ['w1', 'w2', 'w3'].map((id) => ({ id, role: 'worker' as const, capabilities: ['job', id] })) });
/** Splits `batch` into one job per worker that only that worker can do (so a failure is final). */
const perWorker = (options: Partial<Decomposer> = {}): Decomposer =>
  decomposeWith('per-worker', (task, { children }) => (task.type === 'batch' ? children.map((child) => ({ key: child.id, type: child.id, to: child.id })) : undefined), options);
const statuses = (outcome: { subtasks?: ReadonlyArray<{ key: string; status: string }> }) => outcome.subtasks?.map((node) => [node.key, node.status]);

const fanOut: Case[] = [
  {
    name: 'a full-stack feature splits into backend and frontend parts with real ids, merged into one outcome',
    async run(t) {
      const org = await t.start({ hierarchy: developmentTeam(), executors: byPart, decomposers: { byType: { full_stack_feature: fullStackFeature() } } });
      const outcome = await org.submit({ id: 'auth', type: 'full_stack_feature', payload: { feature: 'user authentication' } });
      expect(outcome).toMatchObject({ status: 'completed', splitBy: 'cto', result: { backend: { part: 'backend', by: 'backend_lead' }, frontend: { part: 'frontend', by: 'frontend_lead' } } });
      expect(outcome.executedBy).toBeUndefined();
      expect(outcome.subtasks?.map((node) => [node.taskId, node.executedBy, node.delegationChain])).toEqual([
        ['auth.backend', 'backend_lead', ['cto', 'backend_lead']],
        ['auth.frontend', 'frontend_lead', ['cto', 'frontend_lead']],
      ]);
      expect(await t.until(() => org.status(), (status) => status.activeTasks === 0, 'no active task')).toMatchObject({ activeTasks: 0 });
    },
  },
  {
    name: 'subtasks of one type get numbered ids',
    async run(t) {
      const twice = decomposeWith('twice', (task) => (task.type === 'pair' ? [{ type: 'python' }, { type: 'python' }, { key: 'extra', type: 'css' }] : undefined));
      const org = await t.start({ hierarchy: developmentTeam(), executors: byPart, decomposers: { byId: { cto: twice } } });
      const outcome = await org.submit({ id: 'p', type: 'pair' });
      expect(outcome.subtasks?.map((node) => node.taskId)).toEqual(['p.python', 'p.python-2', 'p.extra']);
      expect(Object.keys(outcome.result as object)).toEqual(['python', 'python-2', 'extra']);
    },
  },
  {
    name: 'a subtask may be split again further down, and the outcome shows the whole tree',
    async run(t) {
      const release = decomposeWith('release', (task, { children }) => (task.type === 'release' ? children.map((child) => ({ key: child.id, type: 'part', to: child.id })) : undefined));
      const part = decomposeWith('part', (task, { children }) => (task.type === 'part' ? children.map((child) => ({ key: child.id, type: [...child.capabilities][0]!, to: child.id })) : undefined));
      const org = await t.start({ hierarchy: developmentTeam(), executors: byAgent, decomposers: { byId: { cto: release }, byRole: { manager: part } } });
      const outcome = await org.submit({ id: 'r', type: 'release' });
      expect(outcome).toMatchObject({ status: 'completed', splitBy: 'cto' });
      expect(outcome.result).toEqual({ backend_lead: { api_specialist: 'api_specialist', db_specialist: 'db_specialist' }, frontend_lead: { react_specialist: 'react_specialist' } });
      expect(outcome.subtasks?.map((node) => [node.taskId, node.splitBy, node.subtasks?.map((leaf) => leaf.taskId)])).toEqual([
        ['r.backend_lead', 'backend_lead', ['r.backend_lead.api_specialist', 'r.backend_lead.db_specialist']],
        ['r.frontend_lead', 'frontend_lead', ['r.frontend_lead.react_specialist']],
      ]);
    },
  },
  {
    name: 'a subtask that needs approval parks and the join waits for it',
    async run(t) {
      const ship = decomposeWith('ship', () => [
        { key: 'code', type: 'python' },
        { key: 'deploy', type: 'css', context: { requiresApproval: true } },
      ]);
      const org = await t.start({ hierarchy: developmentTeam(), executors: byPart, decomposers: { byType: { ship } } });
      const outcome = org.submit({ id: 's', type: 'ship' });
      const approval = await pendingApproval(t, org, 's.deploy');
      expect(approval).toMatchObject({ requester: 'frontend_dev_1', approver: 'react_specialist' });
      expect((await org.agentState('cto')).decomposed).toEqual(['s']);
      await org.approvals.approve(approval.id, { by: 'react_specialist' });
      expect(await outcome).toMatchObject({ status: 'completed', approvals: [{ taskId: 's.deploy', status: 'approved' }], subtasks: [{ key: 'code', status: 'completed' }, { key: 'deploy', status: 'completed' }] });
    },
  },
  {
    name: 'a failed subtask is reassigned to a capable sibling before the join hears of it',
    async run(t) {
      const shared = decomposeWith('shared', (task, { children }) => (task.type === 'batch' ? children.map((child) => ({ key: child.id, type: 'job', to: child.id })) : undefined));
      const org = await t.start({
        hierarchy: trio(),
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
    },
  },
];

const joins: Case[] = [
  {
    name: 'joinAll: completes when every subtask has, results keyed by subtask; a merge combines them',
    async run(t) {
      const org = await t.start({ hierarchy: trio(), executors: byAgent, decomposers: { byId: { lead: perWorker() } } });
      expect(await org.submit({ id: 'b', type: 'batch' })).toMatchObject({ status: 'completed', splitBy: 'lead', result: { w1: 'w1', w2: 'w2', w3: 'w3' } });
      const summing = await t.start({ hierarchy: trio(), executors: byAgent, decomposers: { byId: { lead: perWorker({ merge: (results) => Object.values(results).join('+') }) } } });
      expect((await summing.submit({ id: 'c', type: 'batch' })).result).toBe('w1+w2+w3');
    },
  },
  {
    name: 'joinAll, fail-fast: the first failure fails the parent and cancels the rest',
    async run(t) {
      const work = gates(t);
      const org = await t.start({ hierarchy: trio(), executors: work.executor, decomposers: { byId: { lead: perWorker() } } });
      const outcome = org.submit({ id: 'b', type: 'batch' });
      await Promise.all(['b.w1', 'b.w3'].map(work.opened));
      (await work.opened('b.w2')).reject(new Error('w2 broke'));
      const done = await outcome;
      expect(done).toMatchObject({ status: 'failed', error: { code: 'subtask_failed', message: 'Subtask "w2" of b failed: w2 broke' } });
      expect(statuses(done)).toEqual([['w1', 'cancelled'], ['w2', 'failed'], ['w3', 'cancelled']]);
      expect((await t.until(() => work.aborted, (list) => list.length === 2, 'both others to abort')).sort()).toEqual(['b.w1', 'b.w3']);
    },
  },
  {
    name: 'joinAll, partial: completes with what completed and a list of failures',
    async run(t) {
      const org = await t.start({
        hierarchy: trio(),
        decomposers: { byId: { lead: perWorker({ onFailure: 'partial' }) } },
        executors: async (_task, { agent }) => {
          if (agent.id === 'w3') throw new Error('w3 broke');
          return agent.id;
        },
      });
      expect(await org.submit({ id: 'b', type: 'batch' })).toMatchObject({
        status: 'completed',
        result: { w1: 'w1', w2: 'w2' },
        failures: [{ key: 'w3', taskId: 'b.w3', status: 'failed', error: { message: 'w3 broke' } }],
      });
    },
  },
  {
    name: 'joinAny: the first success wins and the losers are cancelled; it fails only when all fail',
    async run(t) {
      const work = gates(t);
      const org = await t.start({ hierarchy: trio(), executors: work.executor, decomposers: { byId: { lead: perWorker({ join: joinAny() }) } } });
      const outcome = org.submit({ id: 'b', type: 'batch' });
      await work.opened('b.w2');
      (await work.opened('b.w1')).reject(new Error('w1 lost'));
      await t.until(async () => (await org.agentState('lead')).load.w1, (load) => load === 0, 'the lead to hear of w1');
      (await work.opened('b.w3')).resolve('w3 first');
      const done = await outcome;
      expect(done).toMatchObject({ status: 'completed', result: { w3: 'w3 first' } });
      expect(done.subtasks?.map((node) => node.status)).toEqual(['failed', 'cancelled', 'completed']);
      expect(await t.until(() => work.aborted, (list) => list.length === 1, 'the loser to abort')).toEqual(['b.w2']);
      const none = await t.start({ hierarchy: trio(), executors: async () => Promise.reject(new Error('nope')), decomposers: { byId: { lead: perWorker({ join: joinAny() }) } } });
      const failed = await none.submit({ id: 'n', type: 'batch' });
      expect(failed).toMatchObject({ status: 'failed', error: { code: 'subtask_failed', message: expect.stringMatching(/Only 0 of the 1 subtasks n needed can complete/) } });
    },
  },
  {
    name: 'joinQuorum(2): two successes win and the third is cancelled',
    async run(t) {
      const work = gates(t);
      const org = await t.start({ hierarchy: trio(), executors: work.executor, decomposers: { byId: { lead: perWorker({ join: joinQuorum(2) }) } } });
      const outcome = org.submit({ id: 'b', type: 'batch' });
      await work.opened('b.w3');
      (await work.opened('b.w1')).resolve('one');
      (await work.opened('b.w2')).resolve('two');
      expect(await outcome).toMatchObject({ status: 'completed', result: { w1: 'one', w2: 'two' }, subtasks: [{ status: 'completed' }, { status: 'completed' }, { status: 'cancelled' }] });
      expect(await t.until(() => work.aborted, (list) => list.length === 1, 'the third to abort')).toEqual(['b.w3']);
    },
  },
  {
    name: 'joinQuorum(2): fails as soon as two successes are out of reach',
    async run(t) {
      const work = gates(t);
      const org = await t.start({ hierarchy: trio(), executors: work.executor, decomposers: { byId: { lead: perWorker({ join: joinQuorum(2) }) } } });
      const outcome = org.submit({ id: 'b', type: 'batch' });
      await work.opened('b.w3');
      (await work.opened('b.w1')).reject(new Error('x'));
      (await work.opened('b.w2')).reject(new Error('y'));
      expect(await outcome).toMatchObject({ status: 'failed', error: { code: 'subtask_failed' }, subtasks: [{ status: 'failed' }, { status: 'failed' }, { status: 'cancelled' }] });
    },
  },
];

const budgets: Case[] = [
  {
    name: 'each subtask gets its share of the cost; an overrun stops that branch; leftovers are reported',
    async run(t) {
      const costs: Record<string, number> = { 'b.w1': 20, 'b.w2': 30, 'b.w3': 40 };
      const shares: Record<string, number | undefined> = {};
      const org = await t.start({
        hierarchy: trio(),
        decomposers: { byId: { lead: perWorker({ onFailure: 'partial' }) } },
        executors: async (task, context) => {
          shares[task.id] = task.budget?.cost;
          context.reportCost(costs[task.id] ?? 0);
          return 'ok';
        },
      });
      const outcome = await org.submit({ id: 'b', type: 'batch', budget: { cost: 99 } });
      expect(shares).toEqual({ 'b.w1': 33, 'b.w2': 33, 'b.w3': 33 });
      expect(outcome).toMatchObject({ status: 'completed', failures: [{ key: 'w3', error: { code: 'budget_exceeded', message: expect.stringMatching(/used 40 of cost, over its budget of 33/) } }] });
      expect(outcome.budget).toEqual({ limit: { cost: 99 }, used: { cost: 90, subtasks: 3, timeMs: outcome.settledAt - outcome.submittedAt }, left: { cost: 9 } });
    },
  },
  {
    name: 'decisions charge the budget of the task they decide: a planner over budget fails it',
    async run(t) {
      const planner = decomposeWith('costly-planner', (task, context) => {
        context.reportCost(30);
        return task.type === 'batch' ? [{ type: 'w1' }] : undefined;
      });
      const router = delegateWith('costly-router', (_task, candidates, context) => {
        context.reportCost(5);
        return candidates.find((candidate) => candidate.capable)?.id;
      });
      const org = await t.start({ hierarchy: trio(), executors: byAgent, decomposers: { byId: { lead: planner } }, strategy: router });
      const within = await org.submit({ id: 'in', type: 'batch', budget: { cost: 50 } });
      expect(within).toMatchObject({ status: 'completed', budget: { used: { cost: 35 } } });
      expect(await org.submit({ id: 'over', type: 'batch', budget: { cost: 20 } })).toMatchObject({ status: 'failed', error: { code: 'budget_exceeded' } });
    },
  },
  {
    name: 'maxSubtasks and maxDepth in a budget bound the tree',
    async run(t) {
      const org = await t.start({ hierarchy: trio(), executors: byAgent, decomposers: { byId: { lead: perWorker() } } });
      expect((await org.submit({ id: 'wide', type: 'batch', budget: { maxSubtasks: 2 } })).error?.code).toBe('fanout_exceeded');
      expect((await org.submit({ id: 'deep', type: 'batch', budget: { maxDepth: 0 } })).error?.code).toBe('depth_exceeded');
    },
  },
  {
    name: 'a deadline stops work still running when it passes',
    timed: 'a budget of 2000 ms, long enough for the part to start on a loaded machine',
    async run(t) {
      const work = gates(t);
      const org = await t.start({
        hierarchy: developmentTeam(),
        decomposers: { byType: { full_stack_feature: fullStackFeature() } },
        executors: (task, context) => (task.type === 'backend' ? 'quick' : work.executor(task, context)),
      });
      const outcome = org.submit({ id: 'f', type: 'full_stack_feature', budget: { timeMs: 2_000 } });
      await work.opened('f.frontend');
      await t.advance(2_000);
      const done = await outcome;
      expect(done).toMatchObject({ status: 'failed', error: { code: 'subtask_failed' } });
      // Nothing left (on a real clock the parent settles a little after the deadline: less than nothing).
      expect(done.budget!.left.timeMs).toBeLessThanOrEqual(0);
      expect(done.subtasks).toMatchObject([{ key: 'backend', status: 'completed' }, { key: 'frontend', status: 'failed', error: { code: 'budget_exceeded' } }]);
      expect(await t.until(() => work.aborted, (list) => list.length === 1, 'the frontend part to abort')).toEqual(['f.frontend']);
    },
  },
];

export const decompositionGroups: CaseGroup[] = [
  { name: 'decomposition', cases: fanOut },
  { name: 'joins', cases: joins },
  { name: 'budgets', cases: budgets },
];
