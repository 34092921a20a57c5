/**
 * The agents' judgement, assembled from the user's strategy and policies: for each job an
 * agent takes, decide to escalate, delegate, execute (after approval if needed), defer or
 * fail — with loop and depth protection, and escalation targets checked to go up, never down.
 * This is the policy port's implementation: `evaluate` (`evaluate.ts`), `select` (`select.ts`),
 * and what follows a failed execution (`escalateAfter`, below).
 */
import type { Answer, DecisionControl, Job, Step } from '../../../machines/ports.js';
import type { Candidate } from '../../delegation/types.js';
import type { TaskError } from '../../errors.js';
import { DEFAULT_RESOLUTIONS } from '../../escalation/policy.js';
import { escalationTarget } from '../../escalation/target.js';
import type { ResolutionMode } from '../../escalation/types.js';
import type { EscalationReason, Task } from '../../types.js';
import type { DecisionConfig } from './config.js';
import { evaluator } from './evaluate.js';
import { outcomes, raise } from './outcomes.js';
import { selector } from './select.js';

export type { ApprovalRule, DecisionConfig } from './config.js';

export interface Decisions {
  evaluate(agentId: string, job: Job, load: Readonly<Record<string, number>>): Answer<Step>;
  select(agentId: string, job: Job, candidates: readonly Candidate[], control: DecisionControl): Answer<Step>;
  escalateAfter(agentId: string, task: Task, reason: EscalationReason, message: string, error?: TaskError, retryable?: boolean): Step;
  resolutionMode(reason: EscalationReason): ResolutionMode;
  /** Whether `select` will ask a decomposer for this job (its failures are then `decomposer_error`). */
  splits(agentId: string, job: Job): boolean;
}

/**
 * The decisions of one organisation.
 *
 * @example
 * ```ts
 * const decisions = createDecisions({ hierarchy, strategyFor: () => capabilityMatching(), policy: defaultEscalationPolicy(), … });
 * decisions.evaluate('cto', { task, mode: 'route' }, {}); // { kind: 'delegate', candidates: [...] }
 * ```
 */
export function createDecisions(config: DecisionConfig): Decisions {
  const { hierarchy, policy } = config;
  const resolutionMode = (reason: EscalationReason): ResolutionMode => policy.resolution?.(reason) ?? DEFAULT_RESOLUTIONS[reason];
  const steps = outcomes(config);
  const chooser = selector(config, (agentId, job, load, forced, declined) => evaluate(agentId, job, load, forced, declined));
  const evaluate = evaluator(config, steps, chooser.splits, resolutionMode);

  function escalateAfter(agentId: string, task: Task, reason: EscalationReason, message: string, error?: TaskError, retryable = true): Step {
    const node = hierarchy.get(agentId);
    if (reason === 'approval_required') return steps.execute(task, node, { reason, message }, undefined);
    // The policy sees the failure as the task will carry it (a retry cannot fix it: no reassigning, by default).
    if (error !== undefined) task = { ...task, cause: { error, by: agentId, ...(retryable ? {} : { retryable: false as const }) } };
    if (task.escalations.length >= config.maxEscalations) {
      return { kind: 'fail', error: error ?? task.cause?.error ?? { code: 'escalation_unresolved', message: `Task ${task.id} escalated too often (limit ${config.maxEscalations}).` } };
    }
    const target = escalationTarget(hierarchy, policy, node, reason, task, { hierarchy, route: 'execute', claims: [] });
    if (target.kind === 'refused') return { kind: 'fail', error: target.error };
    if (target.kind !== 'ancestor') return steps.dead(agentId, task, reason, message, error);
    return raise(task, reason, target.to, message);
  }

  return {
    evaluate: (agentId, job, load) => evaluate(agentId, job, load),
    select: chooser.select,
    escalateAfter,
    resolutionMode,
    splits: chooser.splits,
  };
}
