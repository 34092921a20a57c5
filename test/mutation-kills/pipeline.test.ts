/**
 * The pipeline every task goes through at an agent (machines/core/pipeline.ts), on the scripted
 * manager live (support/agent-script.ts), with policy ports that answer what a port may: late or
 * stale answers, a port that throws, a strategy that answers nothing usable, a deferral woken, a
 * cancellation that overtakes its task, a split whose parts carry no keys. Each case pins what
 * the agent does with the answer — written to kill the mutants `npm run mutate -- pipeline` left.
 */
import { describe, expect, it } from 'vitest';
import type { Candidate, Job, PolicyPort, Step } from '../../src/index.js';
import { liveAgents, settledOf, type LiveAgents } from '../support/agent-live.js';
import { ANSWERS, BOSS, POLICY, topTask } from '../support/agent-script.js';
import { makeTask } from '../support/helpers.js';

const faults = (live: LiveAgents) => live.host.reports.filter((report) => report.type === 'agent.fault');
const executes = (live: LiveAgents, taskId: string) =>
  live.host.performed.flatMap((batch) => batch.effects).filter((effect) => effect.type === 'execute' && effect.request.task.id === taskId);

/** The scripted policy, with the manager's evaluation (or selection) of some task types replaced. */
function policyWith(changes: { evaluate?: Record<string, (job: Job) => ReturnType<PolicyPort['evaluate']>>; select?: Record<string, (job: Job, candidates: readonly Candidate[]) => ReturnType<PolicyPort['select']>> }): PolicyPort {
  return {
    ...POLICY,
    evaluate: (agentId, job, load) => {
      const replaced = agentId === BOSS ? changes.evaluate?.[job.task.type] : undefined;
      return replaced === undefined ? POLICY.evaluate(agentId, job, load) : replaced(job);
    },
    select: (agentId, job, candidates, control) => {
      const replaced = agentId === BOSS ? changes.select?.[job.task.type] : undefined;
      return replaced === undefined ? POLICY.select(agentId, job, candidates, control) : replaced(job, candidates);
    },
  };
}

describe('the pipeline: answers that come late, twice, or stale are ignored', () => {
  it('an escalation policy answering after its decision timed out: the task failed once, nothing else happens', () => {
    const live = liveAgents();
    live.play({ type: 'assign', kind: 'think' });
    const wait = live.host.awaits.get(`${BOSS}/dec:think`)!;
    live.play({ type: 'late', taskId: 'think' });
    live.agent(BOSS)!.send(wait.answer(ANSWERS.think));
    expect(settledOf(live)).toMatchObject([{ task: { id: 'think' }, settlement: { status: 'failed', error: { code: 'policy_error' } } }]);
    expect(faults(live)).toEqual([]);
    expect(executes(live, 'think')).toEqual([]);
    expect(live.context(BOSS)).toMatchObject({ held: {}, deciding: 0, evaluating: 0, current: null });
    expect(live.root.getSnapshot().value).toBe('receiving');
    live.stop();
  });

  it('the same answer twice: the second is stale, the task runs once', () => {
    const live = liveAgents();
    live.play({ type: 'assign', kind: 'think' });
    const wait = live.host.awaits.get(`${BOSS}/dec:think`)!;
    live.play({ type: 'answer', taskId: 'think' });
    live.agent(BOSS)!.send(wait.answer(ANSWERS.think));
    expect(executes(live, 'think')).toHaveLength(1);
    expect(live.context(BOSS).held.think).toMatchObject({ phase: 'running', attempt: 1 });
    expect(faults(live)).toEqual([]);
    live.stop();
  });

  it('the answer of a wait its host lost, arriving after the task was asked again: ignored, the new wait decides', () => {
    const live = liveAgents();
    live.play({ type: 'assign', kind: 'plan' });
    const first = live.host.awaits.get(`${BOSS}/dec:plan`)!;
    live.play({ type: 'lost', taskId: 'plan' });
    live.agent(BOSS)!.send(first.answer(ANSWERS.plan));
    expect(live.context(BOSS).held.plan).toMatchObject({ phase: 'deciding', decision: { phase: 'select' } });
    expect(live.context('kid2').held.plan).toBeUndefined();
    live.play({ type: 'answer', taskId: 'plan' });
    expect(live.context('kid2').held.plan).toBeDefined();
    expect(faults(live)).toEqual([]);
    live.stop();
  });

  it('a lost-decision notice for a task no longer deciding (answered, or cancelled meanwhile) is ignored', () => {
    const live = liveAgents();
    live.play({ type: 'assign', kind: 'think' });
    const answered = live.host.awaits.get(`${BOSS}/dec:think`)!;
    live.play({ type: 'answer', taskId: 'think' });
    live.agent(BOSS)!.send(answered.again());
    expect(live.context(BOSS).held.think).toMatchObject({ phase: 'running', attempt: 1 });
    live.play({ type: 'assign', kind: 'plan' });
    const cancelled = live.host.awaits.get(`${BOSS}/dec:plan`)!;
    live.play({ type: 'cancel', taskId: 'plan' });
    live.agent(BOSS)!.send(cancelled.again());
    expect(live.context(BOSS).held.plan).toBeUndefined();
    expect(live.host.awaits.has(`${BOSS}/dec:plan`)).toBe(false);
    expect(faults(live)).toEqual([]);
    live.stop();
  });

  it('a strategy asked again is given the same candidates as the first time', () => {
    const asked: string[][] = [];
    const live = liveAgents(policyWith({ select: { plan: (_job, candidates) => (asked.push(candidates.map((c) => c.id)), new Promise<Step>(() => undefined)) } }));
    live.play({ type: 'assign', kind: 'plan' });
    live.play({ type: 'lost', taskId: 'plan' });
    expect(asked).toEqual([['kid2'], ['kid2']]);
    live.stop();
  });
});

describe('the pipeline: a policy port that breaks its contract fails the task, not the agent', () => {
  it('an escalation policy that throws: the task fails with policy_error, naming the error', () => {
    const live = liveAgents(policyWith({ evaluate: { work: () => { throw new Error('the policy broke'); } } }));
    live.play({ type: 'assign', kind: 'work' });
    expect(settledOf(live)).toMatchObject([{ task: { id: 'work' }, settlement: { status: 'failed', error: { code: 'policy_error', message: expect.stringContaining('the policy broke') } } }]);
    expect(faults(live)).toEqual([]);
    // The agent goes on: the next task runs.
    live.play({ type: 'assign', kind: 'gated' });
    expect(live.context(BOSS).held.gated).toMatchObject({ phase: 'parked' });
    live.stop();
  });

  it('a strategy that throws: the task fails with the strategy’s code', () => {
    const live = liveAgents(policyWith({ select: { route: () => { throw new Error('no route today'); } } }));
    live.play({ type: 'assign', kind: 'route' });
    expect(settledOf(live)).toMatchObject([{ task: { id: 'route' }, settlement: { status: 'failed', error: { code: 'strategy_error', message: expect.stringContaining('no route today') } } }]);
    expect(live.context('kid1').held.route).toBeUndefined();
    expect(faults(live)).toEqual([]);
    live.stop();
  });

  it('a strategy answering "delegate" again (no decision): the task fails with strategy_error', () => {
    const live = liveAgents(policyWith({ select: { route: () => ({ kind: 'delegate', candidates: [] }) } }));
    live.play({ type: 'assign', kind: 'route' });
    expect(settledOf(live)).toMatchObject([
      { task: { id: 'route' }, settlement: { status: 'failed', attempts: 0, error: { code: 'strategy_error', message: `${BOSS} reached the end of delegating "route" without a decision.` } } },
    ]);
    live.stop();
  });

  it('a failure step keeps who executed the task and how often; one without them says none', () => {
    const error = { code: 'executor_error' as const, message: 'it broke below' };
    const live = liveAgents(policyWith({ evaluate: { bad: () => ({ kind: 'fail', error, attempts: 2, executedBy: 'kid1' }), work: () => ({ kind: 'fail', error }) } }));
    live.play({ type: 'assign', kind: 'bad' });
    live.play({ type: 'assign', kind: 'work' });
    const [bad, work] = settledOf(live);
    expect(bad!.settlement).toEqual({ status: 'failed', error, attempts: 2, executedBy: 'kid1' });
    expect(work!.settlement).toStrictEqual({ status: 'failed', error, attempts: 0 });
    live.stop();
  });
});

describe('the pipeline: deferral, cancellation, splitting', () => {
  it('a deferred task woken is decided again as a deferred job, claims its resources, and runs', () => {
    const modes: string[] = [];
    const live = liveAgents(policyWith({ evaluate: { wait: (job) => (modes.push(job.mode), POLICY.evaluate(BOSS, job, {})) } }));
    live.play({ type: 'assign', kind: 'wait' });
    expect(live.context(BOSS).held.wait).toMatchObject({ phase: 'deferred' });
    expect([...live.host.claims]).toEqual([]);
    live.play({ type: 'release' });
    expect(modes).toEqual(['route', 'defer']);
    expect([...live.host.claims]).toEqual([`${BOSS}/wait`]);
    expect(live.host.executions.get(`${BOSS}/wait`)).toBe(1);
    live.stop();
  });

  it('a deferred task woken and handed down takes its resources at this agent, in the step that routes it', () => {
    const live = liveAgents(
      policyWith({
        evaluate: { wait: (job) => (job.mode === 'defer' ? { kind: 'delegate', candidates: [] } : POLICY.evaluate(BOSS, job, {})) },
        select: { wait: () => ({ kind: 'assign', childId: 'kid1' }) },
      }),
    );
    live.play({ type: 'assign', kind: 'wait' });
    live.play({ type: 'release' });
    expect(live.context('kid1').held.wait).toBeDefined();
    expect(live.host.claims.has(`${BOSS}/wait`)).toBe(true);
    live.stop();
  });

  it('a task declaring no resources asks the host for no claim and no release (on Restate, each would be a message to the resources object)', () => {
    const live = liveAgents();
    live.agent(BOSS)!.send({ type: 'task.assign', task: makeTask({ id: 'plain', type: 'work', chain: [BOSS] }) });
    live.play({ type: 'result', taskId: 'plain', result: 'ok' });
    live.play({ type: 'assign', kind: 'work' });
    live.play({ type: 'result', taskId: 'work', result: 'ok' });
    const asked = live.host.performed.flatMap((batch) => batch.effects).flatMap((effect) => (effect.type === 'claim' ? [`claim ${effect.task.id}`] : effect.type === 'release' ? [`release ${effect.taskId}`] : []));
    expect(asked).toEqual(['claim work', 'release work']);
    expect(settledOf(live).map((report) => [report.task.id, report.settlement.status])).toEqual([['plain', 'completed'], ['work', 'completed']]);
    live.stop();
  });

  it('released resources wake the deferred tasks only: a running one runs on', () => {
    const live = liveAgents();
    live.play({ type: 'assign', kind: 'work' });
    live.play({ type: 'assign', kind: 'wait' });
    live.play({ type: 'release' });
    expect(live.context(BOSS).held.work).toMatchObject({ phase: 'running', attempt: 1 });
    expect(live.context(BOSS).held.wait).toMatchObject({ phase: 'queued' });
    expect(faults(live)).toEqual([]);
    live.stop();
  });

  it('a cancellation that overtakes its task ends it on arrival, with the reason (or without one)', () => {
    const live = liveAgents();
    live.agent(BOSS)!.send({ type: 'task.cancel', taskId: 'work', reason: 'plans changed' });
    live.agent(BOSS)!.send({ type: 'task.cancel', taskId: 'gated' });
    live.play({ type: 'assign', kind: 'work' });
    live.play({ type: 'assign', kind: 'gated' });
    expect(settledOf(live).map((report) => [report.task.id, report.settlement])).toEqual([
      ['work', { status: 'cancelled', error: { code: 'cancelled', message: `Cancelled at ${BOSS}: plans changed` }, attempts: 0 }],
      ['gated', { status: 'cancelled', error: { code: 'cancelled', message: `Cancelled at ${BOSS}.` }, attempts: 0 }],
    ]);
    expect(executes(live, 'work')).toEqual([]);
    expect(live.context(BOSS)).toMatchObject({ held: {}, cancelled: {} });
    live.stop();
  });

  it('a split whose parts carry no subtask key joins them by task id, and each part is routed (not deferred or resolved)', () => {
    const parts = ['part-x', 'part-y'].map((id) => makeTask({ id, type: 'work', rootId: 'split', chain: [BOSS], depth: 1 }));
    const modes: string[] = [];
    const live = liveAgents(
      policyWith({
        evaluate: {
          split: () => ({ kind: 'fanout', subtasks: parts.map((task) => ({ task })), join: { kind: 'all' }, onFailure: 'fail-fast' }),
          work: (job) => (modes.push(`${job.task.id}:${job.mode}`), { kind: 'execute' }),
        },
      }),
    );
    live.agent(BOSS)!.send({ type: 'task.assign', task: topTask('split') });
    expect(live.context(BOSS).held.split!.join!.parts.map((part) => part.key)).toEqual(['part-x', 'part-y']);
    expect(modes).toEqual(['part-x:route', 'part-y:route']);
    live.stop();
  });
});
