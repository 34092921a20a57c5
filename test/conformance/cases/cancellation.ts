/**
 * Cancellation wherever a task is (running, queued, parked, escalated, deciding, split), and the
 * limits that stop loops and runaways: delegation loops through escalations, the escalation cap,
 * fan-out and depth limits.
 */
import { expect } from 'vitest';
import { decomposeWith, defaultEscalationPolicy, defineHierarchy, delegateWith, developmentTeam, fullStackFeature, hierarchyFromList, type SubtaskSpec } from '../../../src/index.js';
import { deferred, gates, pendingApproval, refusal, thrown, type Case, type CaseGroup } from '../harness.js';

const done = async () => 'done';

const cancellation: Case[] = [
  {
    name: 'a running executor is aborted through its signal; the task ends cancelled and the agent goes on',
    async run(t) {
      const work = gates(t);
      const org = await t.start({ hierarchy: developmentTeam(), executors: (task, context) => (task.id === 'long' ? work.executor(task, context) : 'done') });
      const long = org.submit({ id: 'long', type: 'css' });
      await work.opened('long');
      const next = org.submit({ id: 'next', type: 'css' });
      const cancelled = await org.cancel('long', 'changed my mind');
      expect(cancelled).toMatchObject({ taskId: 'long', status: 'cancelled', error: { code: 'cancelled', message: 'Cancelled at frontend_dev_1: changed my mind' } });
      expect(await long).toEqual(cancelled);
      expect(await t.until(() => work.aborted, (list) => list.length === 1, 'the executor to abort')).toEqual(['long']);
      (await work.opened('long')).reject(new Error('aborted late'));
      expect((await next).status).toBe('completed');
      expect((await t.until(() => org.agentState('frontend_lead'), (lead) => lead.load.react_specialist === 0, 'the load to drop')).load).toEqual({ react_specialist: 0 });
    },
  },
  {
    name: 'a queued task is removed from its queue',
    async run(t) {
      const work = gates(t);
      const org = await t.start({ hierarchy: developmentTeam(), executors: work.executor });
      const first = org.submit({ id: 'a', type: 'css' });
      await work.opened('a');
      const second = org.submit({ id: 'b', type: 'css' });
      await t.until(async () => (await org.agentState('frontend_dev_1')).queued, (queued) => queued === 1, 'b to queue');
      expect((await org.cancel('b')).status).toBe('cancelled');
      expect((await org.agentState('frontend_dev_1')).queued).toBe(0);
      (await work.opened('a')).resolve('ok');
      expect((await first).status).toBe('completed');
      expect((await second).status).toBe('cancelled');
      expect(work.started()).toEqual(['a']);
    },
  },
  {
    name: 'a pending approval is withdrawn, and an approver still deciding it is stopped',
    async run(t) {
      const answer = deferred<undefined>();
      let decision: AbortSignal | undefined;
      const org = await t.start({
        hierarchy: developmentTeam(),
        executors: done,
        approvals: { approvers: { byId: { react_specialist: (_request, context) => ((decision = context.signal), answer.promise) } } },
      });
      const outcome = org.submit({ id: 'p', type: 'css', context: { requiresApproval: true } });
      const approval = await pendingApproval(t, org, 'p');
      await t.until(() => decision, (signal) => signal !== undefined, 'the approver to be asked');
      expect(decision!.aborted).toBe(false);
      expect((await org.cancel('p')).status).toBe('cancelled');
      expect((await outcome).status).toBe('cancelled');
      expect(await t.until(() => org.approvals.get(approval.id), (now) => now?.status === 'cancelled', 'the approval to be cancelled')).toMatchObject({ status: 'cancelled' });
      await t.until(() => decision!.aborted, (aborted) => aborted, 'the approver to be stopped');
      expect((await t.until(() => org.agentState('frontend_dev_1'), (agent) => agent.state === 'receiving', 'the worker to be idle')).awaitingApproval).toEqual([]);
    },
  },
  {
    name: 'a task waiting on an escalation is cancelled with the work done to resolve it',
    async run(t) {
      const work = gates(t);
      const org = await t.start({ hierarchy: developmentTeam(), executors: (task, context) => (context.agent.id === 'api_specialist' ? work.executor(task, context) : 'done') });
      const outcome = org.submit({ id: 'e', type: 'python', context: { requiresPolicyDecision: true } });
      const [escalation] = await t.until(() => org.escalations.active(), (list) => list.length === 1, 'the escalation');
      await work.opened(`e!${escalation!.id}`);
      expect((await org.cancel('e')).status).toBe('cancelled');
      expect(await t.until(() => work.aborted, (list) => list.length === 1, 'the resolving work to abort')).toEqual([`e!${escalation!.id}`]);
      expect(await t.until(() => org.escalations.active(), (list) => list.length === 0, 'no active escalation')).toEqual([]);
      expect(await t.until(() => org.agentState('api_specialist'), (agent) => agent.state === 'receiving', 'the specialist to be idle')).toMatchObject({ running: [] });
      expect((await outcome).escalations[0]!.status).toBe('failed');
    },
  },
  {
    name: 'a task is cancelled while its manager is still deciding where it goes; the decision is stopped',
    async run(t) {
      const answer = deferred<string | undefined>();
      let decision: AbortSignal | undefined;
      const slow = delegateWith('slow', (_task, _candidates, context) => ((decision = context.signal), answer.promise));
      const org = await t.start({ hierarchy: developmentTeam(), executors: done, strategy: { byId: { cto: slow } } });
      const outcome = org.submit({ id: 'd', type: 'python' });
      await t.until(async () => (await org.agentState('cto')).state, (state) => state === 'delegating', 'the cto to be deciding');
      expect((await org.cancel('d')).status).toBe('cancelled');
      await t.until(() => decision?.aborted, (aborted) => aborted === true, 'the decision to be stopped');
      answer.resolve('backend_lead');
      expect((await outcome).status).toBe('cancelled');
      expect((await org.submit({ id: 'after', type: 'strategy' })).status).toBe('completed');
      expect((await org.agentState('cto')).state).toBe('receiving');
    },
  },
  {
    name: 'a split task is cancelled with every subtask',
    async run(t) {
      const work = gates(t);
      const org = await t.start({ hierarchy: developmentTeam(), executors: work.executor, decomposers: { byType: { full_stack_feature: fullStackFeature() } } });
      const outcome = org.submit({ id: 'f', type: 'full_stack_feature' });
      await Promise.all(['f.backend', 'f.frontend'].map(work.opened));
      await org.cancel('f');
      const result = await outcome;
      expect(result.status).toBe('cancelled');
      expect(result.subtasks?.map((node) => node.status)).toEqual(['cancelled', 'cancelled']);
      expect((await t.until(() => work.aborted, (list) => list.length === 2, 'both parts to abort')).sort()).toEqual(['f.backend', 'f.frontend']);
      expect(await t.until(() => org.agentState('cto'), (cto) => cto.decomposed.length === 0, 'the cto to let go')).toMatchObject({ decomposed: [], state: 'receiving' });
    },
  },
  {
    name: 'cancel and outcome of a subtask id say which submitted task it is part of',
    async run(t) {
      const work = gates(t);
      const org = await t.start({ hierarchy: developmentTeam(), executors: work.executor, decomposers: { byType: { full_stack_feature: fullStackFeature() } } });
      const outcome = org.submit({ id: 'f', type: 'full_stack_feature' });
      await Promise.all(['f.backend', 'f.frontend'].map(work.opened));
      for (const where of ['org.cancel', 'org.outcome'] as const) {
        const error = await thrown(() => (where === 'org.cancel' ? org.cancel('f.backend') : org.outcome('f.backend')));
        expect(error).toMatchObject({ code: 'unknown_task', details: { taskId: 'f.backend', rootId: 'f' } });
        expect(error.message).toMatch(new RegExp(`^${where.replace('.', '\\.')}: "f\\.backend" is part of the task "f" \\(a subtask, or the work resolving an escalation\\), not a task of its own: `));
      }
      expect(work.aborted).toEqual([]);
      for (const part of ['f.backend', 'f.frontend']) (await work.opened(part)).resolve('ok');
      expect((await outcome).status).toBe('completed');
    },
  },
  {
    name: 'cancel answers a finished task with its outcome and refuses an unknown one with unknown_task',
    async run(t) {
      const org = await t.start({ hierarchy: developmentTeam(), executors: done });
      await org.submit({ id: 'finished', type: 'css' });
      expect(await org.cancel('finished')).toMatchObject({ taskId: 'finished', status: 'completed' });
      expect(await refusal(() => org.cancel('never'))).toBe('unknown_task');
    },
  },
];

/** boss → lead → kid, where only kid can do `x`. */
const line = () =>
  defineHierarchy({ id: 'boss', role: 'executive', capabilities: [], children: [{ id: 'lead', role: 'manager', capabilities: [], children: [{ id: 'kid', role: 'worker', capabilities: ['x'] }] }] });
/** n0 → … → n6, every one able to `work`. */
const chainOfSeven = () => {
  let spec = { id: 'n6', role: 'worker' as const, capabilities: ['work'] } as Parameters<typeof defineHierarchy>[0];
  for (let level = 5; level >= 0; level--) spec = { id: `n${level}`, role: level === 0 ? 'executive' : 'manager', capabilities: ['work'], children: [spec] };
  return defineHierarchy(spec);
};
const recursive = decomposeWith('recursive', (task) => (task.type === 'work' ? [{ type: 'work' }, { type: 'work' }] : undefined));
const base = defaultEscalationPolicy();

const limits: Case[] = [
  {
    name: 'a task routed straight back to the agent that escalated it fails with delegation_loop naming the agents',
    async run(t) {
      const hierarchy = line();
      const org = await t.start({
        hierarchy,
        executors: done,
        escalation: { ...base, shouldEscalate: (_task, agent) => (agent.id === 'kid' ? 'cross_team' : undefined), target: (agent) => hierarchy.parent(agent.id)?.id, resolution: () => 'route' },
      });
      const outcome = await org.submit({ id: 'loop', type: 'x' });
      expect(outcome).toMatchObject({ status: 'failed', error: { code: 'delegation_loop', details: { agents: ['kid', 'lead'], reason: 'cross_team' } } });
      expect(outcome.error!.message).toContain('kid → lead → kid');
      expect(outcome.escalations).toHaveLength(1);
      expect(await org.submit({ id: 'y', type: 'y' })).toMatchObject({ status: 'failed', error: { code: 'unroutable' } });
    },
  },
  {
    name: 'escalations are capped by limits.maxEscalations, and the cause is named',
    async run(t) {
      const org = await t.start({ hierarchy: developmentTeam(), limits: { maxEscalations: 1 }, executors: async () => Promise.reject(new Error('segfault')) });
      const outcome = await org.submit({ id: 't', type: 'python' });
      expect(outcome.error).toMatchObject({ code: 'escalation_unresolved', details: { cause: { code: 'executor_error', message: 'segfault' } } });
      expect(outcome.error?.message).toMatch(/It started with backend_dev_1 failing it: segfault/);
    },
  },
  {
    name: 'a long climb keeps resolution ids short: each escalation names only the one before',
    async run(t) {
      const chain = hierarchyFromList(Array.from({ length: 12 }, (_, level) => ({ id: `l${level}`, role: level === 0 ? 'executive' : 'manager', capabilities: [], ...(level === 0 ? {} : { parent: `l${level - 1}` }) })));
      const org = await t.start({ hierarchy: chain, executors: done });
      const outcome = await org.submit({ id: 'far', type: 'quantum' }, { at: 'l11' });
      expect(outcome).toMatchObject({ status: 'failed', error: { code: 'unroutable' } });
      expect(outcome.escalations).toHaveLength(11);
      for (const escalation of outcome.escalations.slice(1)) expect(escalation.taskId).toMatch(/^far![^!]+$/);
    },
  },
  {
    name: 'a decomposition deeper than limits.maxDecompositionDepth stops with depth_exceeded',
    async run(t) {
      const org = await t.start({ hierarchy: chainOfSeven(), executors: done, limits: { maxDecompositionDepth: 3 }, decomposers: { default: recursive } });
      const outcome = await org.submit({ id: 'w', type: 'work' });
      expect(outcome.status).toBe('failed');
      const leaves = (nodes: typeof outcome.subtasks): string[] => (nodes ?? []).flatMap((node) => (node.subtasks ? leaves(node.subtasks) : [node.error?.code ?? node.status]));
      const codes = new Set(leaves(outcome.subtasks));
      expect(codes.has('depth_exceeded')).toBe(true);
      expect([...codes].every((code) => code === 'depth_exceeded' || code === 'cancelled')).toBe(true);
    },
  },
  {
    name: 'a runaway fan-out stops with fanout_exceeded; maxSubtasks bounds the whole tree',
    async run(t) {
      const flood = decomposeWith('flood', (task) => (task.type === 'work' ? Array.from({ length: 500 }, (): SubtaskSpec => ({ type: 'noop' })) : undefined));
      const wide = await t.start({ hierarchy: chainOfSeven(), executors: done, decomposers: { default: flood } });
      const outcome = await wide.submit({ id: 'w', type: 'work' });
      expect(outcome.error).toMatchObject({ code: 'fanout_exceeded', message: expect.stringMatching(/split .* into 500 subtasks; at most 100 are allowed here/) });
      const bounded = await t.start({ hierarchy: chainOfSeven(), executors: done, limits: { maxSubtasks: 10, maxDecompositionDepth: 100 }, decomposers: { default: recursive } });
      const tree = await bounded.submit({ id: 'r', type: 'work' });
      expect(tree.status).toBe('failed');
      expect(JSON.stringify(tree.subtasks)).toMatch(/fanout_exceeded/);
    },
  },
  {
    name: 'bad input is refused at the door with its code, and the organisation goes on',
    async run(t) {
      const org = await t.start({ hierarchy: developmentTeam(), executors: done });
      expect(await refusal(() => org.submit({ type: '' }))).toBe('invalid_task');
      expect(await refusal(() => org.submit({ type: 'css', payload: { size: 1n } }))).toBe('invalid_task');
      expect(await refusal(() => org.submit({ type: 'css', requiresApproval: true } as never))).toBe('invalid_task');
      expect(await refusal(() => org.submit({ type: 'css' }, { at: 'nobody' }))).toBe('unknown_agent');
      expect(await refusal(() => org.submit({ type: 'css' }, { att: 'cto' } as never))).toBe('invalid_option');
      expect(await refusal(() => org.outcome('never-submitted'))).toBe('unknown_task');
      expect((await org.submit({ id: 'fine', type: 'css' })).status).toBe('completed');
    },
  },
];

export const cancellationGroups: CaseGroup[] = [
  { name: 'cancellation', cases: cancellation },
  { name: 'loop and limit protection', cases: limits },
];
