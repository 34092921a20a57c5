/**
 * Routing and escalation: where tasks go, who executes them, and each of the seven escalation
 * reasons reaching its target (approval_required is the approvals' group).
 */
import { expect } from 'vitest';
import { defaultEscalationPolicy, developmentTeam, type Executor } from '../../../src/index.js';
import { deferred, path, type Case, type CaseGroup } from '../harness.js';
import { leadWithTwoWorkers } from '../../support/hierarchies.js';

const byAgent: Executor = async (_task, { agent }) => `done by ${agent.id}`;
const team = { hierarchy: developmentTeam(), executors: byAgent };

const pair = leadWithTwoWorkers;

const routing: Case[] = [
  {
    name: 'a task reaches the deepest capable agent through its whole subtree',
    async run(t) {
      const org = await t.start(team);
      expect(await org.submit({ id: 'api', type: 'api_design' })).toMatchObject({
        status: 'completed',
        result: 'done by api_specialist',
        executedBy: 'api_specialist',
        delegationChain: ['cto', 'backend_lead', 'api_specialist'],
        escalations: [],
        attempts: 1,
      });
      expect(await org.submit({ id: 'py', type: 'python' })).toMatchObject({ executedBy: 'backend_dev_1', delegationChain: ['cto', 'backend_lead', 'api_specialist', 'backend_dev_1'] });
      expect(await org.submit({ id: 'css', type: 'css' })).toMatchObject({ executedBy: 'frontend_dev_1', delegationChain: ['cto', 'frontend_lead', 'react_specialist', 'frontend_dev_1'] });
      expect(await org.submit({ id: 'strategy', type: 'strategy' })).toMatchObject({ executedBy: 'cto', delegationChain: ['cto'] });
    },
  },
  {
    name: 'submit { at } enters the organisation there; outcome(id) answers for a finished task',
    async run(t) {
      const org = await t.start(team);
      const outcome = await org.submit({ id: 'db', type: 'sql' }, { at: 'backend_lead' });
      expect(outcome).toMatchObject({ taskId: 'db', type: 'sql', status: 'completed', executedBy: 'db_specialist', delegationChain: ['backend_lead', 'db_specialist'] });
      expect(await org.outcome('db')).toMatchObject({ taskId: 'db', status: 'completed', executedBy: 'db_specialist' });
    },
  },
  {
    name: 'a task nobody can do fails with unroutable, its escalations all the way up failed',
    async run(t) {
      const org = await t.start(team);
      const outcome = await org.submit({ id: 'q', type: 'quantum' }, { at: 'frontend_dev_1' });
      expect(outcome).toMatchObject({ status: 'failed', error: { code: 'unroutable', message: expect.stringMatching(/No agent can take "quantum" from cto/) } });
      expect(path(outcome)).toEqual([
        'beyond_capability frontend_dev_1→react_specialist failed by react_specialist',
        'beyond_capability react_specialist→frontend_lead failed by frontend_lead',
        'beyond_capability frontend_lead→cto failed by cto',
      ]);
      expect(await t.until(() => org.escalations.active(), (list) => list.length === 0, 'no active escalation')).toEqual([]);
    },
  },
];

const escalation: Case[] = [
  {
    name: 'beyond_capability: escalates until someone can route it, and that agent executes',
    async run(t) {
      const org = await t.start(team);
      const outcome = await org.submit({ id: 'r', type: 'react' }, { at: 'backend_dev_1' });
      expect(outcome).toMatchObject({ status: 'completed', executedBy: 'react_specialist', delegationChain: ['backend_dev_1'] });
      expect(path(outcome)).toEqual([
        'beyond_capability backend_dev_1→api_specialist resolved by react_specialist',
        'beyond_capability api_specialist→backend_lead resolved by react_specialist',
        'beyond_capability backend_lead→cto resolved by react_specialist',
      ]);
      expect(outcome.escalations.map((e) => e.taskId)).toEqual(['r', `r!${outcome.escalations[0]!.id}`, `r!${outcome.escalations[1]!.id}`]);
    },
  },
  {
    name: 'execution_failed: a failed task is reassigned to a capable sibling by the parent',
    async run(t) {
      const org = await t.start({ hierarchy: pair(), executors: { byId: { w1: async () => Promise.reject(new Error('w1 broke')), w2: byAgent } } });
      const outcome = await org.submit({ id: 'j', type: 'job' });
      expect(outcome).toMatchObject({ status: 'completed', result: 'done by w2', executedBy: 'w2' });
      expect(outcome.escalations).toMatchObject([{ reason: 'execution_failed', from: 'w1', to: 'lead', status: 'resolved', resolvedBy: 'w2', error: { message: 'w1 broke' } }]);
    },
  },
  {
    name: 'execution_failed with nobody left: the cause travels up and the task fails with it',
    async run(t) {
      const org = await t.start({ hierarchy: developmentTeam(), executors: async () => Promise.reject(new Error('segfault')) });
      const outcome = await org.submit({ id: 't', type: 'python' });
      expect(outcome).toMatchObject({ status: 'failed', error: { code: 'executor_error', message: 'segfault' }, executedBy: 'backend_dev_1', attempts: 1 });
      expect(outcome.escalations.map((e) => [e.reason, e.from, e.to, e.error?.message])).toEqual([
        ['execution_failed', 'backend_dev_1', 'api_specialist', 'segfault'],
        ['beyond_capability', 'api_specialist', 'backend_lead', 'segfault'],
        ['beyond_capability', 'backend_lead', 'cto', 'segfault'],
      ]);
      for (const later of outcome.escalations.slice(1)) expect(later.message).toMatch(/after backend_dev_1 failed it: segfault/);
    },
  },
  {
    name: 'execution: a failed attempt is retried after its backoff, and the retry counts as the same agent’s',
    timed: 'a retry backoff of 50 ms',
    async run(t) {
      let calls = 0;
      const org = await t.start({
        hierarchy: pair(),
        execution: { retry: { attempts: 2, initialDelayMs: 50, jitter: 0 } },
        executors: async (_task, { agent, attempt }) => {
          calls++;
          if (attempt === 1) throw new Error('flaky');
          return `done by ${agent.id} on attempt ${attempt}`;
        },
      });
      const outcome = org.submit({ id: 'j', type: 'job' });
      // Backing off (or, on a host whose time runs by itself, already past it).
      await t.until(async () => [(await org.agentState('w1')).held.j, calls] as const, ([phase, count]) => phase === 'backoff' || count === 2, 'the retry to back off');
      await t.advance(50);
      expect(await outcome).toMatchObject({ status: 'completed', result: 'done by w1 on attempt 2', executedBy: 'w1', attempts: 2, escalations: [] });
    },
  },
  {
    name: 'execution: an attempt that outlives execution.timeoutMs fails with executor_timeout and escalates',
    timed: 'an executor timeout of 1000 ms, so that the capable sibling finishes within it on a loaded machine',
    async run(t) {
      let started = false;
      const org = await t.start({
        hierarchy: pair(),
        execution: { timeoutMs: 1_000 },
        executors: { byId: { w1: (_task, { signal }) => ((started = true), new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)))), w2: byAgent } },
      });
      const outcome = org.submit({ id: 'slow', type: 'job' });
      await t.until(() => started, (yes) => yes, 'w1 to start');
      await t.advance(1_000);
      expect(await outcome).toMatchObject({ status: 'completed', executedBy: 'w2' });
      expect((await outcome).escalations).toMatchObject([{ reason: 'execution_failed', from: 'w1', to: 'lead', error: { code: 'executor_timeout' } }]);
    },
  },
  {
    name: 'approval_required: the task becomes an approval request to its agent’s parent, not an escalation',
    async run(t) {
      const org = await t.start(team);
      const outcome = org.submit({ id: 'a', type: 'css', context: { requiresApproval: true } });
      const [approval] = await t.until(() => org.approvals.pending(), (list) => list.length === 1, 'the approval request');
      expect(approval).toMatchObject({ taskId: 'a', requester: 'frontend_dev_1', approver: 'react_specialist', reason: '"css" needs approval before frontend_dev_1 executes it.' });
      expect(await org.escalations.active()).toEqual([]);
      await org.approvals.approve(approval!.id, { by: 'react_specialist' });
      expect(await outcome).toMatchObject({ status: 'completed', executedBy: 'frontend_dev_1', escalations: [], approvals: [{ id: approval!.id, status: 'approved' }] });
    },
  },
  {
    name: 'emergency: straight to the nearest executive, which handles it itself',
    async run(t) {
      const org = await t.start(team);
      const outcome = await org.submit({ id: 'e', type: 'python', context: { isEmergency: true } });
      expect(outcome).toMatchObject({ status: 'completed', result: 'done by cto', executedBy: 'cto' });
      expect(path(outcome)).toEqual(['emergency backend_dev_1→cto resolved by cto']);
    },
  },
  {
    name: 'cross_team: to the nearest common ancestor of the teams, which routes it',
    async run(t) {
      const org = await t.start(team);
      const across = await org.submit({ id: 'x', type: 'python', context: { requiresCrossTeam: true, teams: ['backend_lead', 'frontend_lead'] } });
      expect(across.status).toBe('completed');
      expect(path(across)).toEqual(['cross_team backend_dev_1→cto resolved by backend_dev_1']);
      const within = await org.submit({ id: 'y', type: 'python', context: { requiresCrossTeam: true, teams: ['api_specialist', 'db_specialist'] } });
      expect(path(within)).toEqual(['cross_team backend_dev_1→backend_lead resolved by backend_dev_1']);
    },
  },
  {
    name: 'policy_decision: the parent decides with its own executor; at the root, the root decides',
    async run(t) {
      const org = await t.start(team);
      const outcome = await org.submit({ id: 'p', type: 'css', context: { requiresPolicyDecision: true } });
      expect(outcome).toMatchObject({ result: 'done by react_specialist', executedBy: 'react_specialist' });
      expect(path(outcome)).toEqual(['policy_decision frontend_dev_1→react_specialist resolved by react_specialist']);
      expect(await org.submit({ id: 'root', type: 'strategy', context: { requiresPolicyDecision: true } })).toMatchObject({ status: 'completed', executedBy: 'cto', escalations: [] });
    },
  },
  {
    name: 'resource_conflict: the common ancestor holds the task until the resource is free, then routes it',
    async run(t) {
      const gate = deferred();
      const ran: string[] = [];
      const org = await t.start({
        hierarchy: developmentTeam(),
        executors: async (task, { agent }) => {
          ran.push(`${task.rootId}@${agent.id}`);
          if (task.id === 'migrate') await gate.promise;
          return `done by ${agent.id}`;
        },
      });
      const migrate = org.submit({ id: 'migrate', type: 'database', resources: ['prod-db'] });
      await t.until(() => ran, (list) => list.length === 1, 'the migration to start');
      const api = org.submit({ id: 'api', type: 'api_design', resources: ['prod-db'] });
      const [held] = await t.until(() => org.escalations.active(), (list) => list.length === 1, 'the conflict to escalate');
      expect(held).toMatchObject({ reason: 'resource_conflict', from: 'api_specialist', to: 'backend_lead', taskId: 'api' });
      expect(ran).toEqual(['migrate@db_specialist']);
      gate.resolve(undefined);
      expect((await migrate).status).toBe('completed');
      const outcome = await api;
      expect(ran).toEqual(['migrate@db_specialist', 'api@api_specialist']);
      expect(path(outcome)).toEqual(['resource_conflict api_specialist→backend_lead resolved by api_specialist']);
    },
  },
  {
    name: 'resources the policy does not call exclusive never conflict',
    async run(t) {
      const gate = deferred();
      const org = await t.start({ hierarchy: developmentTeam(), escalation: defaultEscalationPolicy({ exclusive: ['prod-db'] }), executors: () => gate.promise });
      const first = org.submit({ id: 'a', type: 'database', resources: ['logs'] });
      const second = org.submit({ id: 'b', type: 'api_design', resources: ['logs'] });
      await t.until(async () => [(await org.agentState('db_specialist')).running, (await org.agentState('api_specialist')).running], ([db, api]) => db!.length === 1 && api!.length === 1, 'both to run');
      expect(await org.escalations.active()).toEqual([]);
      gate.resolve('ok');
      expect((await Promise.all([first, second])).map((outcome) => outcome.escalations.length)).toEqual([0, 0]);
    },
  },
];

export const routingGroups: CaseGroup[] = [
  { name: 'routing', cases: routing },
  { name: 'escalation reasons', cases: escalation },
];
