/**
 * A delegation chain that revisits an agent cannot arise from strategies (they only pick
 * children), but a malformed message — from a custom runtime or a bad adapter — could carry
 * one. The agents' judgement refuses it; here it is checked where it is made.
 */
import { describe, expect, it } from 'vitest';
import { createDecisions } from '../src/runtime/decisions.js';
import { ResourceRegistry } from '../src/runtime/resources.js';
import { capabilityMatching, defaultEscalationPolicy, developmentTeam } from '../src/index.js';
import { makeTask } from './support/helpers.js';

const decisions = (maxDepth = 64) =>
  createDecisions({
    hierarchy: developmentTeam(),
    strategyFor: () => capabilityMatching(),
    policy: defaultEscalationPolicy(),
    approvalRule: undefined,
    hasExecutor: () => true,
    resources: new ResourceRegistry(() => undefined),
    maxDepth,
    maxEscalations: 32,
    human: false,
    decomposerFor: () => undefined,
    fanout: { maxFanout: 100, maxDecompositionDepth: 8 },
    reportCost: () => undefined,
    costSpent: () => 0,
  });

const task = (chain: string[]) => makeTask({ id: 't', type: 'python', chain });

describe('loop protection in the agents’ judgement', () => {
  it('a chain that revisits the agent fails with delegation_loop', () => {
    const step = decisions().evaluate('api_specialist', { task: task(['cto', 'backend_lead', 'api_specialist', 'backend_lead', 'api_specialist']), mode: 'route' }, {});
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
