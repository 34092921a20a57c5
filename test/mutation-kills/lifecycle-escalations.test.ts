/**
 * What a held task's agent does when the task escalates or ends: the failure and attempts it
 * carries up, escalation ids, loops told from a second reason, the agents a task went up through,
 * escalations to a person, resolutions after a cancel, the journal's record of where it ended,
 * and the parts a join no longer needs. No `agent.fault` is allowed in any of them.
 */
import { describe, expect, it } from 'vitest';
import { decomposeWith, defaultEscalationPolicy, defineHierarchy, joinAny, memoryStore } from '../../src/index.js';
import { deferred, flush } from '../support/helpers.js';
import { faultlessOrganisations, hang } from '../support/lifecycle.js';

const start = faultlessOrganisations();

describe('escalations raised by the agent holding the task', () => {
  it('a failure nobody else can fix fails the task with what the executor did: who, and how many attempts', async () => {
    const org = start({ execution: { retry: { attempts: 2, initialDelayMs: 0, jitter: 0 } }, executors: () => Promise.reject(new Error('segfault')) });
    const escalations: string[] = [];
    org.on('escalation.raised', ({ escalation }) => escalations.push(escalation.id));
    const outcome = await org.submit({ type: 'python' });
    expect(outcome).toMatchObject({ status: 'failed', error: { code: 'executor_error', message: 'segfault' }, executedBy: 'backend_dev_1', attempts: 2 });
    expect(outcome.escalations[0]).toMatchObject({ reason: 'execution_failed', from: 'backend_dev_1', error: { message: 'segfault' } });
    // Escalation ids say what they are.
    expect(escalations.length).toBeGreaterThan(0);
    for (const id of escalations) expect(id).toMatch(/^esc_/);
  });

  it('an escalation without a failure of its own keeps the failure the task already had', async () => {
    const pair = { id: 'lead', role: 'manager' as const, capabilities: ['decide'], children: [{ id: 'w1', role: 'worker' as const, capabilities: ['job'] }, { id: 'w2', role: 'worker' as const, capabilities: ['job'] }] };
    const org = start({
      hierarchy: defineHierarchy(pair),
      executors: {
        byId: {
          w1: () => Promise.reject(new Error('w1 broke')),
          w2: (_task, context) => context.escalate('policy_decision', 'the lead decides'),
          lead: () => 'lead decided',
        },
      },
    });
    const outcome = await org.submit({ type: 'job' });
    expect(outcome).toMatchObject({ status: 'completed', result: 'lead decided', executedBy: 'lead' });
    expect(outcome.escalations.map((escalation) => `${escalation.reason} ${escalation.from}→${escalation.to}`)).toEqual(['execution_failed w1→lead', 'policy_decision w2→lead']);
    expect(outcome.escalations[0]!.error).toEqual({ code: 'executor_error', message: 'w1 broke' });
    // The second carries the failure the task already had, not a new (missing) one.
    expect(outcome.escalations[1]!.error).toEqual({ code: 'executor_error', message: 'w1 broke' });
    expect(outcome.escalations[1]!.message).toBe('the lead decides (w1 failed it: w1 broke)');
  });

  it('the failure a task escalates with is recorded on it, with whether a retry could fix it, for the policies above', async () => {
    const chain = defineHierarchy({ id: 'boss', role: 'executive', children: [{ id: 'lead', role: 'manager', children: [{ id: 'w1', role: 'worker', capabilities: ['job'] }] }] });
    const base = defaultEscalationPolicy({ reassignNonRetryable: true });
    const seen: unknown[] = [];
    const org = start({
      hierarchy: chain,
      execution: { retryable: () => false },
      escalation: { ...base, target: (agent, reason, task, context) => (seen.push([agent.id, reason, task.cause]), base.target(agent, reason, task, context)) },
      executors: () => Promise.reject(new Error('401')),
    });
    const outcome = await org.submit({ type: 'job' });
    expect(outcome).toMatchObject({ status: 'failed', error: { message: '401' }, executedBy: 'w1', attempts: 1 });
    const cause = { error: { code: 'executor_error', message: '401' }, by: 'w1', attempts: 1, retryable: false };
    // Asked at w1 (the failure as it will be recorded), then at the lead, which has nobody left.
    expect(seen).toEqual([
      ['w1', 'execution_failed', { error: cause.error, by: 'w1', retryable: false }],
      ['lead', 'beyond_capability', cause],
      ['boss', 'beyond_capability', cause],
    ]);
  });

  it('a failure a retry could fix is recorded as such: no retryable: false on its cause', async () => {
    const chain = defineHierarchy({ id: 'boss', role: 'executive', children: [{ id: 'lead', role: 'manager', children: [{ id: 'w1', role: 'worker', capabilities: ['job'] }] }] });
    const base = defaultEscalationPolicy();
    const seen: Array<[string, unknown]> = [];
    const org = start({
      hierarchy: chain,
      escalation: { ...base, target: (agent, reason, task, context) => (seen.push([agent.id, task.cause]), base.target(agent, reason, task, context)) },
      executors: () => Promise.reject(new Error('503')),
    });
    await org.submit({ type: 'job' });
    expect(seen.find(([agent]) => agent === 'lead')).toEqual(['lead', { error: { code: 'executor_error', message: '503' }, by: 'w1', attempts: 1 }]);
  });

  it('a loop names only the agents of the escalations since it began, not those before', async () => {
    const line = defineHierarchy({ id: 'boss', role: 'executive', children: [{ id: 'lead', role: 'manager', children: [{ id: 'kid', role: 'worker', capabilities: ['x'] }] }] });
    const base = defaultEscalationPolicy();
    const org = start({
      hierarchy: line,
      executors: async () => 'done',
      escalation: {
        ...base,
        // The lead first asks the boss (once); the boss routes it back down; the kid then passes it up for a
        // cross-team look, and its lead routes it straight back: a loop of the kid and the lead only.
        shouldEscalate: (task, agent) => (agent.id === 'lead' && task.escalations.length === 0 ? 'policy_decision' : agent.id === 'kid' ? 'cross_team' : undefined),
        target: (agent) => line.parent(agent.id)?.id,
        resolution: () => 'route',
      },
    });
    const outcome = await org.submit({ id: 'loop', type: 'x' });
    expect(outcome.escalations.map((escalation) => `${escalation.reason} ${escalation.from}→${escalation.to}`)).toEqual(['policy_decision lead→boss', 'cross_team kid→lead']);
    expect(outcome).toMatchObject({ status: 'failed', error: { code: 'delegation_loop', details: { agents: ['kid', 'lead'], reason: 'cross_team' } } });
    expect(outcome.error!.message).toMatch(/: kid → lead → kid\.$/);
  });

  it('an escalation an agent would send to itself is decided in place and never recorded', async () => {
    const alone = defineHierarchy({ id: 'boss', role: 'executive', capabilities: ['x'] });
    const base = defaultEscalationPolicy();
    const org = start({
      hierarchy: alone,
      executors: async () => 'decided',
      escalation: { ...base, shouldEscalate: (task) => (task.escalations.length < 2 ? 'policy_decision' : undefined), target: () => 'boss' },
    });
    const outcome = await org.submit({ type: 'x' });
    expect(outcome).toMatchObject({ status: 'completed', result: 'decided', executedBy: 'boss', escalations: [] });
  });

  it('an agent that escalated a task for one reason may escalate it again for another: no loop', async () => {
    const team = defineHierarchy({ id: 'lead', role: 'manager', children: [{ id: 'kid', role: 'worker', capabilities: ['x'] }, { id: 'kid2', role: 'worker', capabilities: ['x'] }] });
    const org = start({ hierarchy: team, executors: { byId: { kid: () => Promise.reject(new Error('kid broke')), kid2: () => 'kid2 did it', lead: () => 'unused' } } });
    // kid asks the lead for a cross-team look, gets the task back, fails it: that escalation is no loop.
    const outcome = await org.submit({ type: 'x', context: { requiresCrossTeam: true } });
    expect(outcome).toMatchObject({ status: 'completed', result: 'kid2 did it', executedBy: 'kid2' });
    expect(outcome.escalations.map((escalation) => `${escalation.reason} ${escalation.from}→${escalation.to}`)).toEqual(['cross_team kid→lead', 'execution_failed kid→lead']);
  });

  it('a resolution that comes back after its task was cancelled is dropped', async () => {
    const pair = defineHierarchy({ id: 'lead', role: 'manager', children: [{ id: 'w1', role: 'worker', capabilities: ['job'] }] });
    const decision = deferred<string>();
    const org = start({ hierarchy: pair, executors: { byId: { w1: (_task, context) => context.escalate('policy_decision', 'lead decides'), lead: () => decision.promise } } });
    void org.submit({ id: 'c', type: 'job' });
    await flush(10);
    expect(org.agentState('lead').running).toHaveLength(1);
    expect((await org.cancel('c')).status).toBe('cancelled');
    decision.resolve('decided too late');
    await flush(10);
    expect(org.agentState('w1')).toMatchObject({ running: [], queued: 0 });
    expect((await org.submit({ id: 'next', type: 'job' })).result).toBe('decided too late');
  });

  it('a task nobody can do names the agents it went up through, which could not either', async () => {
    const org = start({ executors: async () => 'done' });
    const outcome = await org.submit({ type: 'quantum' }, { at: 'backend_dev_1' });
    expect(outcome.error).toMatchObject({
      code: 'unroutable',
      message: 'No agent can take "quantum" from cto: nobody there or below has that capability (besides backend_dev_1, api_specialist, backend_lead, which could not).',
    });
  });

  it('an escalation to a person is asked of the person, never sent to an agent', async () => {
    const asked: string[] = [];
    const org = start({ executors: async () => 'done', onEscalation: (escalation) => void asked.push(`${escalation.reason} ${escalation.from}→${escalation.to}`) });
    void org.submit({ id: 'lost', type: 'quantum' });
    await flush(10);
    expect(asked).toEqual(['beyond_capability cto→human']);
    const escalation = org.escalations.get(org.escalations.active()[0]!.id)!;
    expect(escalation).toMatchObject({ to: 'human', status: 'active' });
    // Nothing failed: the escalation carries no error at all.
    expect('error' in escalation).toBe(false);
  });
});

describe('what a held task leaves behind', () => {
  it('the journal records where a task ended, and how', async () => {
    const org = start({ store: memoryStore(), executors: async () => 'done' });
    await org.submit({ id: 'j', type: 'css' });
    await org.flush();
    expect(org.journal({ taskId: 'j' }).filter((entry) => entry.type === 'task.ended')).toMatchObject([{ actor: 'frontend_dev_1', data: { status: 'completed', executedBy: 'frontend_dev_1' } }]);
  });

  it('the parts a join no longer needs are cancelled, saying which task stopped needing them', async () => {
    const race = decomposeWith('race', () => [{ key: 'fast', type: 'css' }, { key: 'slow', type: 'python' }], { join: joinAny() });
    const org = start({ decomposers: { byType: { either: race } }, executors: (task) => (task.type === 'css' ? 'fast won' : hang()) });
    const outcome = await org.submit({ id: 'p', type: 'either' });
    expect(outcome).toMatchObject({ status: 'completed', result: { fast: 'fast won' } });
    expect(outcome.subtasks?.find((part) => part.key === 'slow')).toMatchObject({ status: 'cancelled', error: { code: 'cancelled', message: expect.stringContaining('p no longer needs it') } });
  });
});
