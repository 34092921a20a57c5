/**
 * What the runtime makes of a policy's answers: a verdict checked (a reason, a verdict object,
 * nothing — anything else refused, described), and a target checked to go up (an ancestor by
 * node or id, this agent itself, nobody — anything else refused, naming where it was sent).
 */
import { describe, expect, it } from 'vitest';
import { defaultEscalationPolicy, developmentTeam, EchelonError, type EscalationPolicy } from '../../src/index.js';
import { checkVerdict } from '../../src/escalation/verdict.js';
import { escalationTarget } from '../../src/escalation/target.js';
import { errorOf, makeTask } from '../support/helpers.js';

const REASONS = 'beyond_capability, resource_conflict, policy_decision, cross_team, emergency, approval_required, execution_failed';

describe('checkVerdict', () => {
  it('takes a reason, a verdict with or without a message, or nothing', () => {
    // Strict: no `message` key at all when the policy gave none.
    expect(checkVerdict('emergency')).toStrictEqual({ reason: 'emergency' });
    expect(checkVerdict({ reason: 'cross_team' })).toStrictEqual({ reason: 'cross_team' });
    expect(checkVerdict({ reason: 'cross_team', message: 'two teams', extra: 1 })).toEqual({ reason: 'cross_team', message: 'two teams' });
    expect(checkVerdict(null)).toBeUndefined();
    expect(checkVerdict(undefined)).toBeUndefined();
  });

  it.each([
    ['an unknown reason', 'panic', '"panic"'],
    ['an object without a reason', { message: 'x' }, 'an object'],
    ['a verdict with an unknown reason', { reason: 'panic' }, 'an object'],
    ['a promise', Promise.resolve('emergency'), 'a promise'],
    ['a number', 7, '7'],
    ['true', true, 'true'],
  ])('refuses %s with policy_error, describing it', (_case, answer, described) => {
    const error = errorOf(() => checkVerdict(answer));
    expect(error).toBeInstanceOf(EchelonError);
    expect(error).toMatchObject({
      code: 'policy_error',
      message: `The escalation policy answered ${described}, which is not an escalation reason (${REASONS}), a verdict { reason, message? }, or nothing.`,
      details: { answer: described },
    });
  });

  it('refuses a verdict whose message is not a string', () => {
    expect(errorOf(() => checkVerdict({ reason: 'emergency', message: 5 }))).toMatchObject({
      code: 'policy_error',
      message: "The escalation policy's verdict has a message that is not a string: 5.",
    });
    expect(errorOf(() => checkVerdict({ reason: 'emergency', message: { text: 'x' } })).message).toBe("The escalation policy's verdict has a message that is not a string: an object.");
    expect(errorOf(() => checkVerdict({ reason: 'emergency', message: null })).message).toBe("The escalation policy's verdict has a message that is not a string: null.");
  });
});

describe('escalationTarget', () => {
  const team = developmentTeam();
  const task = makeTask({ id: 't', type: 'python', chain: ['backend_dev_1'] });
  const context = { hierarchy: team, route: 'execute' as const, claims: [] };
  const choose = (target: EscalationPolicy['target'], from = 'backend_dev_1') =>
    escalationTarget(team, { ...defaultEscalationPolicy(), target }, team.get(from), 'policy_decision', task, context);

  it('an ancestor, by node or by id, anywhere above', () => {
    expect(choose(() => team.get('cto'))).toEqual({ kind: 'ancestor', to: 'cto' });
    expect(choose(() => 'backend_lead')).toEqual({ kind: 'ancestor', to: 'backend_lead' });
  });

  it('the agent itself, or nobody', () => {
    expect(choose((agent) => agent)).toEqual({ kind: 'self' });
    expect(choose(() => 'backend_dev_1')).toEqual({ kind: 'self' });
    expect(choose(() => undefined)).toEqual({ kind: 'nobody' });
  });

  it.each([['a sibling', 'db_specialist'], ['someone below', 'backend_dev_1'], ['an unknown agent', 'ghost']])('refuses %s, naming it', (_case, to) => {
    const from = to === 'backend_dev_1' ? 'api_specialist' : 'backend_dev_1';
    expect(choose(() => to, from)).toEqual({
      kind: 'refused',
      error: {
        code: 'invalid_escalation_target',
        message: `The escalation policy sent "python" from ${from} to "${to}", which is not above ${from}: escalations only go up.`,
        details: { from, to, reason: 'policy_decision' },
      },
    });
  });

  it('a policy that throws is refused with policy_error', () => {
    expect(choose(() => { throw new Error('no map'); })).toEqual({ kind: 'refused', error: { code: 'policy_error', message: 'no map' } });
  });
});
