/**
 * The loop, depth and escalation limits where the agents' judgement applies them: exactly at
 * the limit a task goes on, one past it fails, with a message naming the limit (and, for
 * escalations, the failure that started them); after a failed execution the limit is checked
 * before an escalation is raised.
 */
import { describe, expect, it } from 'vitest';
import type { DecisionConfig } from '../../src/runtime/decisions/index.js';
import { defaultEscalationPolicy, type Step, type Task } from '../../src/index.js';
import { decisionsFor as decisions } from '../support/decisions.js';
import { makeTask } from '../support/helpers.js';

const hops = (count: number) => Array.from({ length: count }, (_, at) => ({ id: `e${at}`, reason: 'policy_decision' as const, from: `a${at}`, to: `b${at}` }));
const task = (fields: Partial<Task> = {}) => makeTask({ id: 't', type: 'python', chain: ['cto', 'backend_lead', 'api_specialist'], ...fields });
const evaluate = (config: Partial<DecisionConfig>, fields: Partial<Task> = {}) => decisions(config).evaluate('api_specialist', { task: task(fields), mode: 'route' }, {}) as Step;
const segfault = { code: 'executor_error' as const, message: 'segfault' };

describe('the depth limit', () => {
  it('allows a chain as long as maxDepth, and fails one longer, naming both', () => {
    expect(evaluate({ maxDepth: 3 })).toMatchObject({ kind: 'delegate' });
    expect(evaluate({ maxDepth: 2 })).toEqual({
      kind: 'fail',
      error: { code: 'depth_exceeded', message: 'Task t was delegated 3 levels deep (limit 2).', details: { chain: ['cto', 'backend_lead', 'api_specialist'] } },
    });
  });

  it('a chain that has the agent only earlier, not last, is a loop', () => {
    expect(decisions().evaluate('backend_lead', { task: task(), mode: 'route' }, {})).toMatchObject({
      kind: 'fail',
      error: { code: 'delegation_loop', details: { chain: ['cto', 'backend_lead', 'api_specialist'] } },
    });
  });
});

describe('the escalation limit when a task arrives', () => {
  it('takes a task that went through maxEscalations escalations, and fails one that went through more', () => {
    expect(evaluate({ maxEscalations: 2 }, { escalations: hops(2) })).toMatchObject({ kind: 'delegate' });
    expect(evaluate({ maxEscalations: 2 }, { escalations: hops(3) })).toEqual({
      kind: 'fail',
      error: { code: 'escalation_unresolved', message: 'Task t escalated 3 times (limit 2) without being resolved.', details: { taskId: 't' } },
    });
  });

  it('names the failure the escalations started with', () => {
    const cause = { error: segfault, by: 'backend_dev_1', attempts: 2 };
    expect(evaluate({ maxEscalations: 0 }, { escalations: hops(1), cause })).toEqual({
      kind: 'fail',
      error: {
        code: 'escalation_unresolved',
        message: 'Task t escalated 1 times (limit 0) without being resolved. It started with backend_dev_1 failing it: segfault',
        details: { taskId: 't', cause: segfault },
      },
    });
  });
});

describe('escalating after a failed execution', () => {
  const failedHere = (config: Partial<DecisionConfig>, fields: Partial<Task>, error?: typeof segfault, retryable?: boolean) =>
    decisions(config).escalateAfter('backend_dev_1', task({ chain: ['cto', 'backend_lead', 'api_specialist', 'backend_dev_1'], ...fields }), 'execution_failed', 'it broke', error, retryable);

  it('raises the escalation to the parent while fewer than maxEscalations were raised', () => {
    expect(failedHere({ maxEscalations: 2 }, { escalations: hops(1) }, segfault)).toEqual({
      kind: 'escalate',
      reason: 'execution_failed',
      to: 'api_specialist',
      message: 'it broke (backend_dev_1 failed it: segfault)',
      error: segfault,
    });
  });

  it('at the limit fails with the failure, the cause, or else a message naming the limit', () => {
    expect(failedHere({ maxEscalations: 2 }, { escalations: hops(2) }, segfault)).toEqual({ kind: 'fail', error: segfault });
    const cause = { error: { code: 'executor_timeout' as const, message: 'slow' }, by: 'backend_dev_2', attempts: 1 };
    expect(failedHere({ maxEscalations: 2 }, { escalations: hops(2), cause })).toEqual({ kind: 'fail', error: cause.error });
    expect(failedHere({ maxEscalations: 2 }, { escalations: hops(2) })).toEqual({
      kind: 'fail',
      error: { code: 'escalation_unresolved', message: 'Task t escalated too often (limit 2).' },
    });
  });

  it('a failure a retry cannot fix is not reassigned by default: the task fails with it', () => {
    expect(failedHere({}, {}, segfault, false)).toEqual({ kind: 'fail', error: segfault });
    expect(failedHere({ policy: defaultEscalationPolicy({ reassignNonRetryable: true }) }, {}, segfault, false)).toMatchObject({
      kind: 'escalate',
      to: 'api_specialist',
      error: segfault,
      retryable: false,
    });
  });

  it('a policy sending it anywhere but up fails the task', () => {
    const sideways = { ...defaultEscalationPolicy(), target: () => 'db_specialist' };
    expect(failedHere({ policy: sideways }, {}, segfault)).toMatchObject({ kind: 'fail', error: { code: 'invalid_escalation_target' } });
  });

  it('an executor asking for approval is executed after approval, not escalated', () => {
    const step = decisions().escalateAfter('backend_dev_1', task(), 'approval_required', 'about to spend money');
    expect(step).toEqual({ kind: 'execute', approval: { reason: 'about to spend money' } });
  });
});
