/**
 * Who may decide what waits for a person, as the live view offers it: an approval's eligible
 * approvers (the approvals API's own authority rule), and for an escalation that reached the top,
 * the agents above the one that raised it (a person acts for one of them) and the agents that may
 * take the task over. The page offers only these, and the server refuses anyone else.
 */
import { checkAuthority } from '../approval/authority.js';
import { EchelonError } from '../errors.js';
import type { Hierarchy } from '../hierarchy/hierarchy.js';
import type { Approval, Escalation } from '../types.js';

/**
 * The agents that may decide an approval now: the requester's ancestors with the authority,
 * less those who decided already.
 *
 * @example
 * ```ts
 * approvalDeciders(org.hierarchy, org.approvals.pending()[0]); // ['api_specialist', 'backend_lead', 'cto']
 * ```
 */
export function approvalDeciders(hierarchy: Hierarchy, approval: Approval): string[] {
  return hierarchy
    .ancestors(approval.requester)
    .filter((node) => checkAuthority(hierarchy, approval, approval.decisions, node.id) === undefined)
    .map((node) => node.id);
}

/**
 * The agents a person may act for on an escalation waiting for one: those above the agent that
 * raised it (the root, when the root raised it itself).
 *
 * @example
 * ```ts
 * escalationDeciders(team, escalation); // ['backend_lead', 'cto'] for one raised by api_specialist
 * ```
 */
export function escalationDeciders(hierarchy: Hierarchy, escalation: Pick<Escalation, 'from'>): string[] {
  const above = hierarchy.ancestors(escalation.from).map((node) => node.id);
  return above.length === 0 ? [hierarchy.root.id] : above;
}

/**
 * The agents an escalated task may be handed to: those that have the task's capability
 * themselves (they execute it), except the one that raised the escalation.
 *
 * @example
 * ```ts
 * escalationAssignees(team, { from: 'frontend_dev_1', taskType: 'python' }); // ['backend_dev_1']
 * ```
 */
export function escalationAssignees(hierarchy: Hierarchy, escalation: Pick<Escalation, 'from' | 'taskType'>): string[] {
  return hierarchy
    .nodes()
    .filter((node) => node.id !== escalation.from && node.capabilities.includes(escalation.taskType))
    .map((node) => node.id);
}

/** Throws `escalation_unauthorized` unless `by` (and the agent assigned, if any) are among those offered. */
export function assertEscalationDecision(hierarchy: Hierarchy, escalation: Escalation, by: string, assignTo?: string): void {
  hierarchy.get(by);
  const deciders = escalationDeciders(hierarchy, escalation);
  if (!deciders.includes(by)) {
    throw new EchelonError('escalation_unauthorized', `${by} cannot decide escalation ${escalation.id}: it was raised by ${escalation.from}; decide as one of ${deciders.join(', ')}.`, {
      details: { escalationId: escalation.id, by, deciders },
    });
  }
  if (assignTo === undefined) return;
  hierarchy.get(assignTo);
  const assignees = escalationAssignees(hierarchy, escalation);
  if (!assignees.includes(assignTo)) {
    throw new EchelonError(
      'escalation_unauthorized',
      `${assignTo} cannot take ${escalation.taskType} task ${escalation.taskId}: ${assignees.length === 0 ? 'no other agent has that capability' : `assign it to one of ${assignees.join(', ')}`}.`,
      { details: { escalationId: escalation.id, assignTo, assignees } },
    );
  }
}
