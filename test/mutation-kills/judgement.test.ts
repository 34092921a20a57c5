/**
 * The agents' judgement on a job, called as the agent calls it: deferred jobs and whose claims
 * hold them, jobs to execute here, subtasks addressed to a child, tasks a decomposer will split,
 * and what becomes of a policy's verdict — approval, a default message, an escalation nobody
 * above can take (the agent resolves it itself, as the reason's resolution mode says).
 */
import { describe, expect, it } from 'vitest';
import { decomposeWith, defaultEscalationPolicy, type EscalationPolicy, type Step, type Task } from '../../src/index.js';
import type { Job } from '../../machines/ports.js';
import type { DecisionConfig } from '../../src/runtime/decisions/index.js';
import { ResourceRegistry } from '../../src/runtime/resources.js';
import type { EscalationContext } from '../../src/escalation/types.js';
import { decisionsFor } from '../support/decisions.js';
import { makeTask } from '../support/helpers.js';

const task = (fields: Partial<Task>) => makeTask({ id: 't', type: 'python', ...fields });
const judge = (agentId: string, job: Job, config: Partial<DecisionConfig> = {}) => decisionsFor(config).evaluate(agentId, job, {}) as Step;
const ids = (step: Step) => (step.kind === 'delegate' ? step.candidates.map((candidate) => candidate.id) : step.kind);
/** A policy that always gives this verdict, targets as the default policy does. */
const always = (verdict: ReturnType<EscalationPolicy['shouldEscalate']>, resolution?: EscalationPolicy['resolution']): EscalationPolicy => ({
  ...defaultEscalationPolicy(),
  shouldEscalate: () => verdict,
  ...(resolution === undefined ? {} : { resolution }),
});

describe('resources', () => {
  const registry = () => {
    const resources = new ResourceRegistry(() => undefined);
    resources.claim('api_specialist', makeTask({ id: 'held-here', type: 'python', resources: ['db'] }));
    resources.claim('db_specialist', makeTask({ id: 'held-there', type: 'sql', resources: ['db', 'cache'] }));
    return resources;
  };

  it('a deferred job waits while anyone holds what it needs — its own agent included — naming each resource once', () => {
    const mine = new ResourceRegistry(() => undefined);
    mine.claim('api_specialist', makeTask({ id: 'held-here', type: 'python', resources: ['db'] }));
    const job: Job = { task: task({ chain: ['cto', 'backend_lead', 'api_specialist'], resources: ['db'] }), mode: 'defer' };
    expect(judge('api_specialist', job, { resources: mine })).toEqual({ kind: 'defer', resources: ['db'] });
    expect(judge('api_specialist', { ...job, task: { ...job.task, resources: ['db', 'cache'] } }, { resources: registry() })).toEqual({ kind: 'defer', resources: ['db', 'cache'] });
  });

  it('a job routed as usual is not held up by its own agent\'s claims, only by others\'', () => {
    const mine = new ResourceRegistry(() => undefined);
    mine.claim('backend_dev_1', makeTask({ id: 'held-here', type: 'python', resources: ['db'] }));
    const job: Job = { task: task({ chain: ['backend_dev_1'], resources: ['db'] }), mode: 'route' };
    expect(judge('backend_dev_1', job, { resources: mine })).toEqual({ kind: 'execute' });
    expect(judge('backend_dev_1', job, { resources: registry() })).toMatchObject({ kind: 'escalate', reason: 'resource_conflict', message: 'backend_dev_1 needs db (held by api_specialist for held-here), db (held by db_specialist for held-there).' });
  });
});

describe('where the job goes', () => {
  it('an agent asked to execute a job without an executor cannot: nobody can, so it escalates', () => {
    const job: Job = { task: task({ chain: ['api_specialist'] }), mode: 'execute' };
    expect(judge('api_specialist', job, { hasExecutor: () => false })).toMatchObject({ kind: 'escalate', reason: 'beyond_capability', to: 'backend_lead' });
    expect(judge('api_specialist', job)).toEqual({ kind: 'execute' });
    // Routing that would execute here, with no executor here: the same.
    const leaf: Job = { task: task({ chain: ['backend_dev_1'] }), mode: 'route' };
    expect(judge('backend_dev_1', leaf, { hasExecutor: () => false })).toMatchObject({ kind: 'escalate', reason: 'beyond_capability', to: 'api_specialist' });
  });

  it('a subtask addressed to a child goes to that child alone, even one that cannot do it', () => {
    const job: Job = { task: task({ type: 'css', chain: ['cto'] }), mode: 'route', to: 'backend_lead' };
    expect(ids(judge('cto', job))).toEqual(['backend_lead']);
    expect(ids(judge('cto', { task: job.task, mode: 'route' }))).toEqual(['backend_lead', 'frontend_lead']);
  });

  it('a task a decomposer will split is handed down though nobody can do it whole', () => {
    const job: Job = { task: task({ type: 'full_stack_feature', chain: ['cto'] }), mode: 'route' };
    const splitter = decomposeWith('halves', () => [{ type: 'backend' }, { type: 'frontend' }]);
    expect(ids(judge('cto', job, { decomposerFor: () => splitter }))).toEqual(['backend_lead', 'frontend_lead']);
    expect(judge('cto', job)).toMatchObject({ kind: 'fail', error: { code: 'unroutable' } });
  });

  it('when the decomposer declines and the strategy keeps the task, the agent executes it', async () => {
    const declines = decomposeWith('declines', () => undefined);
    const decisions = decisionsFor({ decomposerFor: () => declines, strategyFor: () => ({ name: 'keep', select: () => undefined }) });
    const job: Job = { task: task({ type: 'api_design', chain: ['cto', 'backend_lead', 'api_specialist'] }), mode: 'route' };
    const control = { signal: new AbortController().signal, reportCost: () => undefined };
    expect(await decisions.select('api_specialist', job, [], control)).toEqual({ kind: 'execute' });
  });
});

describe('the verdict', () => {
  const atLead = (policy: EscalationPolicy, fields: Partial<Task> = {}, config: Partial<DecisionConfig> = {}) =>
    judge('api_specialist', { task: task({ chain: ['cto', 'backend_lead', 'api_specialist'], ...fields }), mode: 'route' }, { policy, ...config });
  const atRoot = (policy: EscalationPolicy, fields: Partial<Task> = {}, config: Partial<DecisionConfig> = {}) =>
    judge('cto', { task: task({ chain: ['cto'], ...fields }), mode: 'route' }, { policy, ...config });

  it('approval asked for a task about to execute here: it executes after approval, with the verdict\'s reason', () => {
    const leaf = judge('backend_dev_1', { task: task({ chain: ['backend_dev_1'], context: { requiresApproval: true } }), mode: 'route' });
    expect(leaf).toEqual({ kind: 'execute', approval: { reason: '"python" needs approval before backend_dev_1 executes it.' } });
  });

  it('approval asked for a task handed down is asked where it executes, not here', () => {
    expect(ids(atLead(always({ reason: 'approval_required', message: 'money' })))).toEqual(['backend_dev_1']);
  });

  it('an escalation without a message says who escalates what, and why', () => {
    expect(atLead(always({ reason: 'policy_decision' }))).toEqual({
      kind: 'escalate',
      reason: 'policy_decision',
      to: 'backend_lead',
      message: 'api_specialist escalates "python" (policy_decision).',
    });
  });

  it('at the root, with nobody above, the agent resolves it itself and records that it did', () => {
    const step = atRoot(always({ reason: 'policy_decision', message: 'decide' }), { escalations: [{ id: 'e', reason: 'emergency', from: 'x', to: 'cto' }] });
    expect(step).toEqual({
      kind: 'execute',
      job: {
        mode: 'route',
        task: expect.objectContaining({
          escalations: [
            { id: 'e', reason: 'emergency', from: 'x', to: 'cto' },
            { id: 't#1', reason: 'policy_decision', from: 'cto', to: 'cto' },
          ],
        }),
      },
    });
  });

  it('resolving it itself, it goes on as the resolution mode says: execute only with an executor, route otherwise', () => {
    expect(atRoot(always({ reason: 'policy_decision' }), {}, { hasExecutor: () => false })).toMatchObject({ kind: 'delegate', job: { mode: 'route' } });
    expect(atRoot(always({ reason: 'cross_team' }))).toMatchObject({ kind: 'delegate', job: { mode: 'route' } });
    // The policy's own resolution mode wins over the default (execute for a policy decision).
    expect(atRoot(always({ reason: 'policy_decision' }, () => 'route'))).toMatchObject({ kind: 'delegate' });
  });

  it('a resource conflict resolved at the top defers the task while its resources are held, else routes it', () => {
    const resources = new ResourceRegistry(() => undefined);
    resources.claim('frontend_dev_1', makeTask({ id: 'other', type: 'css', resources: ['db'] }));
    resources.claim('react_specialist', makeTask({ id: 'third', type: 'react', resources: ['db'] }));
    const conflict = always({ reason: 'resource_conflict' });
    expect(atRoot(conflict, { resources: ['db'] }, { resources })).toEqual({
      kind: 'defer',
      resources: ['db'],
      job: { mode: 'defer', task: expect.objectContaining({ escalations: [{ id: 't#0', reason: 'resource_conflict', from: 'cto', to: 'cto' }] }) },
    });
    expect(atRoot(conflict)).toMatchObject({ kind: 'delegate', job: { mode: 'route' } });
    // Another reason resolved at the top is routed, resources held or not.
    expect(atRoot(always({ reason: 'cross_team' }), { resources: ['db'] }, { resources })).toMatchObject({ kind: 'delegate', job: { mode: 'route' } });
  });

  it('at the root, a task nobody can do that the policy escalates anyway fails with that reason', () => {
    expect(atRoot(always({ reason: 'policy_decision', message: 'decide' }), { type: 'astrology' })).toEqual({
      kind: 'fail',
      error: {
        code: 'escalation_unresolved',
        message: 'decide — cto escalated "astrology" (policy_decision) and nobody above it can resolve it.',
        details: { taskId: 't', reason: 'policy_decision', agentId: 'cto' },
      },
    });
  });
});

describe('resolution modes and targets after a failure', () => {
  it('a policy without resolution() resolves each reason as DEFAULT_RESOLUTIONS says; one with it, as it says', () => {
    const { resolution: _, ...bare } = defaultEscalationPolicy();
    expect(decisionsFor({ policy: bare }).resolutionMode('resource_conflict')).toBe('defer');
    expect(decisionsFor({ policy: { ...bare, resolution: () => 'execute' } }).resolutionMode('resource_conflict')).toBe('execute');
  });

  it('the policy picks the target of a failed execution as for a task about to execute, with no claims', () => {
    const seen: EscalationContext[] = [];
    const policy: EscalationPolicy = { ...defaultEscalationPolicy(), target: (agent, _reason, _task, context) => (seen.push(context), 'api_specialist') };
    const failed = task({ chain: ['cto', 'backend_lead', 'api_specialist', 'backend_dev_1'] });
    expect(decisionsFor({ policy }).escalateAfter('backend_dev_1', failed, 'execution_failed', 'broke')).toMatchObject({ kind: 'escalate', to: 'api_specialist' });
    expect(seen.map(({ route, claims }) => ({ route, claims }))).toEqual([{ route: 'execute', claims: [] }]);
  });
});
