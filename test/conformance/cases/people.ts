/**
 * Escalations that reach a person (`onEscalation`, `escalations.resolve`), and escalation
 * policies that answer wrongly, throw or never answer.
 */
import { expect } from 'vitest';
import { defaultEscalationPolicy, developmentTeam, type Executor } from '../../../src/index.js';
import { deferred, refusal, type Case, type CaseGroup, type Harness } from '../harness.js';
import type { ConformanceOrg } from '../host.js';

const byAgent: Executor = async (_task, { agent }) => `done by ${agent.id}`;
/** People decide: escalations that reach the top wait for `escalations.resolve`. */
const waitForPeople = { hierarchy: developmentTeam(), executors: byAgent, onEscalation: () => undefined };

const waiting = async (t: Harness, org: ConformanceOrg, taskId: string) => {
  const active = await t.until(() => org.escalations.active(), (list) => list.some((e) => e.taskId === taskId && e.to === 'human'), `an escalation of ${taskId} to wait for a person`);
  return active.find((e) => e.taskId === taskId && e.to === 'human')!;
};

const people: Case[] = [
  {
    name: 'a person resolves an escalation with a result',
    async run(t) {
      const org = await t.start(waitForPeople);
      const outcome = org.submit({ id: 'q', type: 'quantum' });
      const escalation = await waiting(t, org, 'q');
      expect(escalation).toMatchObject({ reason: 'beyond_capability', from: 'cto', to: 'human', status: 'active' });
      expect(await org.escalations.get(escalation.id)).toMatchObject({ id: escalation.id, status: 'active' });
      await org.escalations.resolve(escalation.id, { result: { answer: 42 }, by: 'alice' });
      expect(await outcome).toMatchObject({ status: 'completed', result: { answer: 42 }, executedBy: 'human:alice' });
      expect(await org.escalations.get(escalation.id)).toMatchObject({ status: 'resolved', resolvedBy: 'human:alice' });
    },
  },
  {
    name: 'a person fails the task, or hands it to an agent, which executes it whatever its capabilities',
    async run(t) {
      const org = await t.start(waitForPeople);
      const failed = org.submit({ id: 'f', type: 'quantum' });
      const assigned = org.submit({ id: 'a', type: 'quantum' });
      const toFail = await waiting(t, org, 'f');
      const toAssign = await waiting(t, org, 'a');
      await org.escalations.resolve(toFail.id, { fail: 'out of scope' });
      await org.escalations.resolve(toAssign.id, { assignTo: 'frontend_dev_1', by: 'bob' });
      expect(await failed).toMatchObject({ status: 'failed', error: { code: 'escalation_unresolved', message: `human:operator ended escalation ${toFail.id}: out of scope` } });
      expect(await assigned).toMatchObject({ status: 'completed', result: 'done by frontend_dev_1', executedBy: 'frontend_dev_1' });
      expect(await refusal(() => org.escalations.resolve(toAssign.id, { result: 'again' }))).toBe('unknown_escalation');
    },
  },
  {
    name: 'a failure nobody can recover reaches the person with its error',
    async run(t) {
      const org = await t.start({ ...waitForPeople, executors: async () => Promise.reject(new Error('boom')) });
      const outcome = org.submit({ id: 's', type: 'strategy' });
      const escalation = await waiting(t, org, 's');
      expect(escalation).toMatchObject({ reason: 'execution_failed', from: 'cto', to: 'human', rootId: 's', error: { message: 'boom' } });
      await org.escalations.resolve(escalation.id, { result: 'fixed by hand' });
      expect(await outcome).toMatchObject({ status: 'completed', result: 'fixed by hand' });
    },
  },
  {
    name: 'resolutions that are unknown, malformed or meant for an agent are refused and change nothing',
    async run(t) {
      const gate = deferred();
      const org = await t.start({ ...waitForPeople, executors: (_task, { agent }) => (agent.id === 'api_specialist' ? gate.promise : 'x') });
      expect(await refusal(() => org.escalations.resolve('esc_nope', { result: 1 }))).toBe('unknown_escalation');
      const decided = org.submit({ id: 'p', type: 'python', context: { requiresPolicyDecision: true } });
      const [atAgent] = await t.until(() => org.escalations.active(), (list) => list.length === 1, 'the policy decision to escalate');
      expect(atAgent).toMatchObject({ to: 'api_specialist', taskId: 'p', rootId: 'p' });
      expect(await refusal(() => org.escalations.resolve(atAgent!.id, { result: 1 }))).toBe('unknown_escalation');
      const human = org.submit({ id: 'q', type: 'quantum' });
      const escalation = await waiting(t, org, 'q');
      expect(await refusal(() => org.escalations.resolve(escalation.id, { result: 1, fail: 'both' } as never))).toBe('invalid_option');
      expect(await refusal(() => org.escalations.resolve(escalation.id, { result: 1n } as never))).toBe('invalid_option');
      expect(await org.escalations.get(escalation.id)).toMatchObject({ status: 'active' });
      gate.resolve('decided');
      expect(await decided).toMatchObject({ status: 'completed', result: 'decided', executedBy: 'api_specialist' });
      await org.escalations.resolve(escalation.id, { fail: 'nobody does quantum' });
      expect((await human).status).toBe('failed');
    },
  },
];

const base = defaultEscalationPolicy();
const policies: Case[] = [
  {
    name: 'a policy answering with a promise does not block its agent: others are decided meanwhile, then the verdict applies',
    async run(t) {
      const verdict = deferred<'emergency' | undefined>();
      let asked = false;
      const org = await t.start({
        hierarchy: developmentTeam(),
        executors: byAgent,
        escalation: { ...base, shouldEscalate: (task, agent, context) => (task.id === 'slow' && agent.id === 'cto' ? ((asked = true), verdict.promise) : base.shouldEscalate(task, agent, context)) },
      });
      const slow = org.submit({ id: 'slow', type: 'python' });
      await t.until(() => asked, (yes) => yes, 'the cto to ask its policy');
      expect(await org.submit({ id: 'quick', type: 'css' })).toMatchObject({ status: 'completed', executedBy: 'frontend_dev_1' });
      expect(await org.agentState('cto')).toMatchObject({ state: 'evaluatingEscalation', deciding: ['slow'] });
      verdict.resolve('emergency');
      expect(await slow).toMatchObject({ status: 'completed', executedBy: 'cto', escalations: [] });
    },
  },
  {
    name: 'a policy that sends an escalation down fails that task with invalid_escalation_target, and the organisation goes on',
    async run(t) {
      const org = await t.start({ hierarchy: developmentTeam(), executors: byAgent, escalation: { ...base, target: () => 'frontend_dev_1' } });
      const outcome = await org.submit({ id: 'd', type: 'python', context: { requiresPolicyDecision: true } });
      expect(outcome.error).toMatchObject({ code: 'invalid_escalation_target', message: expect.stringMatching(/escalations only go up/) });
      expect((await org.submit({ id: 'next', type: 'python' })).status).toBe('completed');
    },
  },
  {
    name: 'a policy that throws, or answers a reason outside the seven, fails its task with policy_error',
    async run(t) {
      const org = await t.start({
        hierarchy: developmentTeam(),
        executors: byAgent,
        escalation: {
          ...base,
          shouldEscalate: (task, agent, context) => {
            if (task.type === 'python') throw new Error('policy bug');
            return task.type === 'sql' ? ('panic' as never) : base.shouldEscalate(task, agent, context);
          },
        },
      });
      expect((await org.submit({ id: 'a', type: 'python' })).error).toEqual({ code: 'policy_error', message: 'policy bug' });
      expect(await org.submit({ id: 'b', type: 'sql' })).toMatchObject({ status: 'failed', error: { code: 'policy_error', message: expect.stringContaining('"panic"') }, escalations: [] });
      expect((await org.submit({ id: 'c', type: 'css' })).status).toBe('completed');
    },
  },
  {
    name: 'a policy answering with a promise that never settles fails its task after decisions.timeoutMs; the agent serves others meanwhile',
    timed: 'decisions.timeoutMs of 150 ms',
    async run(t) {
      const org = await t.start({
        hierarchy: developmentTeam(),
        executors: byAgent,
        decisions: { timeoutMs: 150 },
        escalation: { ...base, shouldEscalate: (task, agent, context) => (task.id === 'stuck' ? new Promise<undefined>(() => undefined) : base.shouldEscalate(task, agent, context)) },
      });
      const stuck = org.submit({ id: 'stuck', type: 'python' });
      expect(await org.submit({ id: 'quick', type: 'css' })).toMatchObject({ status: 'completed', executedBy: 'frontend_dev_1' });
      await t.advance(150);
      expect(await stuck).toMatchObject({ status: 'failed', error: { code: 'policy_error', message: expect.stringContaining('150 ms') } });
    },
  },
];

export const peopleGroups: CaseGroup[] = [
  { name: 'escalations that reach a person', cases: people },
  { name: 'escalation policies that misbehave', cases: policies },
];
