/**
 * Approver policies: how an agent decides the approval requests sent to it, when it decides
 * them itself (rules, a model) instead of leaving them to a person.
 */
import { EchelonError } from '../errors.js';
import { textProblem } from '../shape/index.js';
import type { Hierarchy } from '../hierarchy/hierarchy.js';
import type { AgentNode } from '../hierarchy/types.js';
import type { ApprovalRequest } from '../types.js';

/** An agent's decision on an approval request. */
export type ApproverDecision =
  | { readonly approve: true; readonly comment?: string }
  | { readonly approve: false; readonly reason: string };

/** What an approver policy knows. */
export interface ApproverContext {
  /** The agent deciding. */
  readonly approver: AgentNode;
  readonly hierarchy: Hierarchy;
  /** Aborted when the request no longer needs this decision (decided otherwise, withdrawn, the organisation stopped). */
  readonly signal: AbortSignal;
  /** Charges the waiting task's cost budget (a model's tokens, say); over budget it throws `budget_exceeded`. */
  reportCost(amount: number): void;
}

/**
 * Decides an approval request as the agent it is attached to. Return `undefined` to leave the
 * request to a person (`org.approvals.approve/reject`). May return a promise.
 *
 * @example
 * ```ts
 * const approveSmall: ApproverPolicy = (request) =>
 *   (request.payload as { cost?: number }).cost! < 100 ? { approve: true, comment: 'small change' } : undefined;
 * ```
 */
export type ApproverPolicy = (
  request: ApprovalRequest,
  context: ApproverContext,
) => ApproverDecision | undefined | Promise<ApproverDecision | undefined>;

/**
 * An approver policy from a predicate: approve what it accepts, reject the rest with `reason`.
 *
 * @example
 * ```ts
 * approveWhen((request) => request.taskType !== 'deploy_production', 'production deploys need a human');
 * ```
 */
export function approveWhen(accept: (request: ApprovalRequest, context: ApproverContext) => boolean, reason = 'rejected by policy'): ApproverPolicy {
  // Refused where it is built: otherwise every request sent to the agent faults (policy_error) and waits for a person.
  if (typeof accept !== 'function') throw new EchelonError('invalid_option', `approveWhen(predicate, reason?) needs a predicate, a function of the request, got ${typeof accept}.`);
  const problem = textProblem(reason, 'approveWhen: the reason');
  if (problem !== undefined) throw new EchelonError('invalid_option', problem);
  return (request, context) => (accept(request, context) ? { approve: true } : { approve: false, reason });
}
