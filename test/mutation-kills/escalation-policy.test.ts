/**
 * The default escalation policy's verdicts and targets, called as the runtime calls them: which
 * flag wins, that each flag escalates once whatever else the task went through, which claims
 * count as conflicts, and where each reason goes in the development team.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_RESOLUTIONS, defaultEscalationPolicy, developmentTeam, type Task } from '../../src/index.js';
import type { EscalationContext, EscalationVerdict, ResourceClaim } from '../../src/escalation/types.js';
import type { Route } from '../../src/delegation/route.js';
import { makeTask } from '../support/helpers.js';

const team = developmentTeam();
const at = (id: string) => team.get(id);
const context = (route: Route = 'execute', claims: readonly ResourceClaim[] = []): EscalationContext => ({ hierarchy: team, route, claims });
const task = (fields: Partial<Task> = {}) => makeTask({ id: 't', type: 'python', chain: ['backend_dev_1'], ...fields });
const hop = (reason: Task['escalations'][number]['reason']) => ({ id: `h-${reason}`, reason, from: 'backend_dev_1', to: 'api_specialist' });
const claim = (resource: string, agentId = 'frontend_dev_1'): ResourceClaim => ({ resource, taskId: 'other', agentId });

describe('shouldEscalate', () => {
  const policy = defaultEscalationPolicy();
  // The default policy answers synchronously, with a verdict or nothing.
  const verdict = (t: Task, route: Route = 'execute', claims: readonly ResourceClaim[] = []) =>
    policy.shouldEscalate(t, at('backend_dev_1'), context(route, claims)) as EscalationVerdict | undefined;

  it('nobody can: beyond_capability, saying so, or naming the failure that left nobody', () => {
    expect(verdict(task(), 'none')).toEqual({ reason: 'beyond_capability', message: 'backend_dev_1 cannot do "python" and nobody below it can.' });
    const failed = task({ cause: { error: { code: 'executor_error', message: 'segfault' }, by: 'backend_dev_2', attempts: 1 } });
    expect(verdict(failed, 'none')).toEqual({ reason: 'beyond_capability', message: 'backend_dev_1 has nobody left to give "python" to after backend_dev_2 failed it: segfault' });
  });

  it('a task handed down is never escalated for its flags or claims', () => {
    const flagged = task({ context: { requiresCrossTeam: true, requiresPolicyDecision: true, isEmergency: true, requiresApproval: true } });
    expect(verdict(flagged, 'delegate', [claim('db')])).toBeUndefined();
  });

  it('the flags, in order: conflict, cross-team, policy decision, emergency, approval', () => {
    const all = { requiresCrossTeam: true, teams: ['backend_lead', 'frontend_lead'], requiresPolicyDecision: true, isEmergency: true, requiresApproval: true };
    expect(verdict(task({ context: all }), 'execute', [claim('db'), claim('queue', 'db_specialist')])).toEqual({
      reason: 'resource_conflict',
      message: 'backend_dev_1 needs db (held by frontend_dev_1 for other), queue (held by db_specialist for other).',
    });
    expect(verdict(task({ context: all }))).toEqual({ reason: 'cross_team', message: '"python" needs backend_lead and frontend_lead.' });
    expect(verdict(task({ context: { requiresCrossTeam: true } }))).toEqual({ reason: 'cross_team', message: '"python" needs several teams.' });
    expect(verdict(task({ context: { ...all, requiresCrossTeam: false } }))).toEqual({ reason: 'policy_decision', message: '"python" needs a policy decision above backend_dev_1.' });
    expect(verdict(task({ context: { isEmergency: true, requiresApproval: true } }))).toEqual({ reason: 'emergency', message: 'Emergency: "python" goes to the executive.' });
    expect(verdict(task({ context: { requiresApproval: true } }))).toEqual({ reason: 'approval_required', message: '"python" needs approval before backend_dev_1 executes it.' });
    expect(verdict(task({ approval: { reason: 'money' } }))).toEqual({ reason: 'approval_required', message: 'money' });
    expect(verdict(task({ approval: {} }))).toEqual({ reason: 'approval_required', message: '"python" needs approval before backend_dev_1 executes it.' });
    expect(verdict(task())).toBeUndefined();
  });

  it('each flag escalates once: its own earlier escalation stops it, another reason\'s does not', () => {
    const flags = { requiresCrossTeam: true, requiresPolicyDecision: true, isEmergency: true };
    expect(verdict(task({ context: flags, escalations: [hop('beyond_capability')] }))?.reason).toBe('cross_team');
    expect(verdict(task({ context: flags, escalations: [hop('cross_team')] }))?.reason).toBe('policy_decision');
    expect(verdict(task({ context: flags, escalations: [hop('emergency'), hop('cross_team')] }))?.reason).toBe('policy_decision');
    expect(verdict(task({ context: flags, escalations: [hop('cross_team'), hop('policy_decision')] }))?.reason).toBe('emergency');
    expect(verdict(task({ context: flags, escalations: [hop('cross_team'), hop('policy_decision'), hop('emergency')] }))).toBeUndefined();
  });

  it('approval is asked until someone approved, whatever escalations came before', () => {
    expect(verdict(task({ context: { requiresApproval: true }, escalations: [hop('approval_required')] }))?.reason).toBe('approval_required');
    expect(verdict(task({ context: { requiresApproval: true }, approvedBy: ['api_specialist'] }))).toBeUndefined();
  });

  it('exclusive: only the resources named (or those the predicate accepts) conflict', () => {
    const named = defaultEscalationPolicy({ exclusive: ['prod-db'] });
    const claims = [claim('cache'), claim('prod-db', 'db_specialist')];
    expect(named.shouldEscalate(task(), at('backend_dev_1'), context('execute', claims))).toEqual({
      reason: 'resource_conflict',
      message: 'backend_dev_1 needs prod-db (held by db_specialist for other).',
    });
    expect(named.shouldEscalate(task(), at('backend_dev_1'), context('execute', [claim('cache')]))).toBeUndefined();
    const predicate = defaultEscalationPolicy({ exclusive: (resource) => resource.startsWith('prod-') });
    expect((predicate.shouldEscalate(task(), at('backend_dev_1'), context('execute', claims)) as EscalationVerdict).reason).toBe('resource_conflict');
    expect(predicate.shouldEscalate(task(), at('backend_dev_1'), context('execute', [claim('cache')]))).toBeUndefined();
  });
});

describe('target', () => {
  const policy = defaultEscalationPolicy();
  const target = (agent: string, reason: Parameters<typeof policy.target>[1], t: Task = task(), claims: readonly ResourceClaim[] = []) =>
    (policy.target(at(agent), reason, t, context('execute', claims)) as { id: string } | undefined)?.id;

  it('emergency: the nearest executive on the way up, else the root', () => {
    expect(target('backend_dev_1', 'emergency')).toBe('cto');
    expect(target('cto', 'emergency')).toBe('cto');
  });

  it('cross_team: the nearest common ancestor of the agent and the teams that exist, else the parent', () => {
    expect(target('backend_dev_1', 'cross_team', task({ context: { teams: ['db_specialist'] } }))).toBe('backend_lead');
    expect(target('backend_dev_1', 'cross_team', task({ context: { teams: ['react_specialist', 'ghost'] } }))).toBe('cto');
    expect(target('backend_dev_1', 'cross_team', task({ context: { teams: ['ghost'] } }))).toBe('api_specialist');
    expect(target('backend_dev_1', 'cross_team', task())).toBe('api_specialist');
  });

  it('resource_conflict: the nearest common ancestor of the agent and the holders that exist, else the parent', () => {
    expect(target('backend_dev_1', 'resource_conflict', task(), [claim('db', 'db_specialist')])).toBe('backend_lead');
    expect(target('backend_dev_1', 'resource_conflict', task(), [claim('db', 'db_specialist'), claim('ui', 'react_specialist')])).toBe('cto');
    expect(target('backend_dev_1', 'resource_conflict', task(), [claim('db', 'gone')])).toBe('api_specialist');
    expect(target('backend_dev_1', 'resource_conflict', task(), [])).toBe('api_specialist');
  });

  it('execution_failed: the parent, unless a retry cannot fix the failure and reassigning it is not asked for', () => {
    const permanent = task({ cause: { error: { code: 'executor_error', message: '401' }, by: 'backend_dev_1', attempts: 1, retryable: false } });
    const transient = task({ cause: { error: { code: 'executor_error', message: 'flaky' }, by: 'backend_dev_1', attempts: 1 } });
    expect(target('backend_dev_1', 'execution_failed', permanent)).toBeUndefined();
    expect(target('backend_dev_1', 'execution_failed', transient)).toBe('api_specialist');
    // An executor that escalates execution_failed itself has no failure behind it: no cause at all.
    expect(target('backend_dev_1', 'execution_failed', task())).toBe('api_specialist');
    const reassigning = defaultEscalationPolicy({ reassignNonRetryable: true });
    expect((reassigning.target(at('backend_dev_1'), 'execution_failed', permanent, context()) as { id: string }).id).toBe('api_specialist');
  });

  it('every other reason goes to the parent; the root has none', () => {
    for (const reason of ['beyond_capability', 'policy_decision', 'approval_required'] as const) expect(target('db_specialist', reason)).toBe('backend_lead');
    expect(target('cto', 'policy_decision')).toBeUndefined();
  });

  it('resolves each reason as DEFAULT_RESOLUTIONS says', () => {
    expect(Object.keys(DEFAULT_RESOLUTIONS).map((reason) => [reason, policy.resolution!(reason as keyof typeof DEFAULT_RESOLUTIONS)])).toEqual([
      ['beyond_capability', 'route'],
      ['execution_failed', 'route'],
      ['cross_team', 'route'],
      ['resource_conflict', 'defer'],
      ['policy_decision', 'execute'],
      ['emergency', 'execute'],
      ['approval_required', 'execute'],
    ]);
  });
});
