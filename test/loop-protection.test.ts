/**
 * Loops and runaway depth. A delegation chain that revisits an agent cannot arise from
 * strategies (they only pick children), but a malformed message — from a custom host or a bad
 * adapter — could carry one: the agents' judgement refuses it, checked here where it is made.
 * A loop through escalations (an agent escalates, the target routes it straight back) is caught
 * by the agent it returns to, through the public API below.
 */
import { describe, expect, it } from 'vitest';
import { defaultEscalationPolicy, defineHierarchy, hierarchyFromList, type Step } from '../src/index.js';
import { decisionsFor } from './support/decisions.js';
import { makeTask, orchestrators } from './support/helpers.js';

const decisions = (maxDepth = 64) => decisionsFor({ maxDepth });

const task = (chain: string[]) => makeTask({ id: 't', type: 'python', chain });

describe('loop protection in the agents’ judgement', () => {
  it('a chain that revisits the agent fails with delegation_loop', () => {
    const step = decisions().evaluate('api_specialist', { task: task(['cto', 'backend_lead', 'api_specialist', 'backend_lead', 'api_specialist']), mode: 'route' }, {}) as Step;
    expect(step).toMatchObject({ kind: 'fail', error: { code: 'delegation_loop' } });
    expect(step.kind === 'fail' && step.error.message).toBe('Task t came back to api_specialist along cto → backend_lead → api_specialist → backend_lead → api_specialist.');
  });

  it('a chain longer than the limit fails with depth_exceeded', () => {
    const step = decisions(2).evaluate('api_specialist', { task: task(['cto', 'backend_lead', 'api_specialist']), mode: 'route' }, {});
    expect(step).toMatchObject({ kind: 'fail', error: { code: 'depth_exceeded' } });
  });

  it('a well-formed chain goes on', () => {
    expect(decisions().evaluate('api_specialist', { task: task(['cto', 'backend_lead', 'api_specialist']), mode: 'route' }, {})).toMatchObject({ kind: 'delegate' });
  });
});

describe('loops through escalations', () => {
  const hierarchy = defineHierarchy({
    id: 'boss',
    role: 'executive',
    capabilities: [],
    children: [{ id: 'lead', role: 'manager', capabilities: [], children: [{ id: 'kid', role: 'worker', capabilities: ['x'] }] }],
  });

  it('a task routed straight back to the agent that escalated it, for the same reason, fails at once with delegation_loop naming the agents', async () => {
    const base = defaultEscalationPolicy();
    const org = orchestrators({ hierarchy, executors: async () => 'done' })({
      // The kid always passes "x" up for a cross-team look; its lead resolves by routing — back to the kid.
      escalation: { ...base, shouldEscalate: (_task, agent) => (agent.id === 'kid' ? 'cross_team' : undefined), target: (agent) => hierarchy.parent(agent.id)?.id, resolution: () => 'route' },
    });
    const outcome = await org.submit({ id: 'loop', type: 'x' });
    expect(outcome).toMatchObject({ status: 'failed', error: { code: 'delegation_loop', details: { agents: ['kid', 'lead'], reason: 'cross_team' } } });
    expect(outcome.error!.message).toContain('kid → lead → kid');
    expect(outcome.escalations).toHaveLength(1); // was: 32 bounces, then escalation_unresolved naming nobody
    expect((await org.submit({ type: 'y' })).status).toBe('failed'); // and the organisation goes on (nobody can do y)
  });

  it('the ids of the tasks escalations are resolved with stay short, however often a task escalates', async () => {
    const chain = hierarchyFromList(Array.from({ length: 12 }, (_, level) => ({ id: `l${level}`, role: level === 0 ? 'executive' : 'manager', capabilities: [], ...(level === 0 ? {} : { parent: `l${level - 1}` }) })));
    const org = orchestrators({ hierarchy: chain, executors: async () => 'done' })();
    const resolutionIds: string[] = [];
    org.on('escalation.raised', ({ escalation }) => resolutionIds.push(escalation.taskId));
    const outcome = await org.submit({ id: 'far', type: 'quantum' }, { at: 'l11' });
    expect(outcome).toMatchObject({ status: 'failed', error: { code: 'unroutable' } });
    expect(outcome.escalations).toHaveLength(11);
    // Each escalation is raised for the task the previous one was resolved with: `far`, then `far!esc_…`, never `far!esc_…!esc_…`.
    expect(resolutionIds).toHaveLength(11);
    expect(resolutionIds[0]).toBe('far');
    for (const id of resolutionIds.slice(1)) expect(id).toMatch(/^far![^!]+$/);
  });
});
