/**
 * Who may decide an approval: only an ancestor of the requester at the required level or
 * above, never the requester, and each approver once. The same rules serve agents and humans.
 */
import { EchelonError, type TaskError } from '../errors.js';
import type { Hierarchy } from '../hierarchy/hierarchy.js';
import type { AgentNode } from '../hierarchy/types.js';
import type { ApprovalDecision, ApprovalRequest, ApprovalRequirement } from '../types.js';

/** Where an approval request goes first, and the level of authority it needs. */
export interface ApproverChoice {
  readonly approver: AgentNode;
  readonly requiredLevel: number;
}

/**
 * The approver a requirement names: `approver` if given, else the nearest ancestor with `role`,
 * else the ancestor at `level`, else the requester's parent (the reference's "one level up").
 * Fails when the requirement names nobody above the requester.
 *
 * @example
 * ```ts
 * chooseApprover(developmentTeam(), 'backend_dev_1', {});               // api_specialist, level 2
 * chooseApprover(developmentTeam(), 'backend_dev_1', { role: 'manager' }); // backend_lead, level 1
 * ```
 */
export function chooseApprover(hierarchy: Hierarchy, requesterId: string, requirement: ApprovalRequirement): ApproverChoice | TaskError {
  const ancestors = hierarchy.ancestors(requesterId);
  const refuse = (message: string): TaskError => ({ code: 'approval_unauthorized', message, details: { requester: requesterId } });
  if (ancestors.length === 0) {
    return refuse(`"${requesterId}" is the root: nobody above it can approve its work, and nobody approves their own request.`);
  }
  let approver: AgentNode | undefined;
  if (requirement.approver !== undefined) {
    approver = ancestors.find((node) => node.id === requirement.approver);
    if (approver === undefined) return refuse(`"${requirement.approver}" is not above "${requesterId}", so it cannot approve its work.`);
  } else if (requirement.role !== undefined) {
    approver = ancestors.find((node) => node.role === requirement.role);
    if (approver === undefined) return refuse(`No ${requirement.role} above "${requesterId}" to approve its work.`);
  } else if (requirement.level !== undefined) {
    approver = ancestors.find((node) => node.level === requirement.level);
    if (approver === undefined) return refuse(`Nobody at level ${requirement.level} above "${requesterId}" to approve its work.`);
  } else {
    approver = ancestors[0]!;
  }
  const requiredLevel = requirement.level ?? approver.level;
  if (approver.level > requiredLevel) {
    return refuse(`"${approver.id}" (level ${approver.level}) is below the required level ${requiredLevel}.`);
  }
  return { approver, requiredLevel };
}

/**
 * Checks that `by` may decide `request` now: a known agent, not the requester, an ancestor of
 * the requester at `requiredLevel` or above, and not one who already decided. Returns the
 * error (as data) or `undefined` when allowed.
 *
 * @example
 * ```ts
 * checkAuthority(developmentTeam(), request, [], 'db_specialist')?.code; // 'approval_unauthorized' (a sibling)
 * checkAuthority(developmentTeam(), request, [], 'api_specialist');      // undefined (the parent may decide)
 * ```
 */
export function checkAuthority(
  hierarchy: Hierarchy,
  request: ApprovalRequest,
  decisions: readonly ApprovalDecision[],
  by: string,
): TaskError | undefined {
  const details = { approvalId: request.id, requester: request.requester, by };
  const node = hierarchy.find(by);
  if (node === undefined) return { code: 'unknown_agent', message: `No agent "${by}" in this hierarchy to decide approval ${request.id}.`, details };
  // A request kept from before the hierarchy changed (a redeploy, a restore with a new hierarchy) whose requester is gone: no one is its ancestor.
  if (!hierarchy.has(request.requester)) {
    return { code: 'unknown_agent', message: `Approval ${request.id} was requested by "${request.requester}", which is no agent of this hierarchy any more (removed since): nobody can decide it.`, details };
  }
  if (by === request.requester) {
    return { code: 'self_approval', message: `"${by}" requested approval ${request.id} and cannot decide its own request.`, details };
  }
  if (!hierarchy.isAncestor(by, request.requester) || node.level > request.requiredLevel) {
    // An ancestor below the level: one asked before the request expired and moved up, say. Who is asked now tells them.
    const now = hierarchy.isAncestor(by, request.requester) ? ` It is "${request.approver}"'s to decide now.` : '';
    return {
      code: 'approval_unauthorized',
      message: `"${by}" cannot decide approval ${request.id}: it needs an ancestor of "${request.requester}" at level ${request.requiredLevel} or above.${now}`,
      details,
    };
  }
  if (decisions.some((decision) => decision.by === by)) {
    return { code: 'duplicate_decision', message: `"${by}" already decided approval ${request.id}.`, details };
  }
  return undefined;
}

/** Throws the authority error, if any, as an {@link EchelonError}. */
export function assertAuthority(...args: Parameters<typeof checkAuthority>): void {
  const error = checkAuthority(...args);
  if (error !== undefined) throw new EchelonError(error.code, error.message, error.details === undefined ? undefined : { details: { ...error.details } });
}
