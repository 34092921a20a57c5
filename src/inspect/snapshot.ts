/**
 * The organisation as the live view draws it: every agent (in org-chart order, with its state,
 * mailbox and load), the status counts, active escalations and pending approvals — plain JSON
 * without task payloads, so any task data stays on the server.
 */
import { checkAuthority } from '../approval/authority.js';
import type { Role } from '../hierarchy/types.js';
import type { Orchestrator, OrchestratorStatus } from '../runtime/orchestrator.js';
import type { Approval, EscalationReason } from '../types.js';

/** One agent in the live view. */
export interface LiveAgent {
  readonly id: string;
  readonly role: Role;
  readonly level: number;
  readonly parent: string | null;
  readonly capabilities: readonly string[];
  /** The agent statechart's state, or `stopped` once the organisation stopped. */
  readonly state: string;
  /** Tasks waiting in its mailbox (inbox and execution queue). */
  readonly queued: number;
  readonly running: number;
  readonly awaitingApproval: number;
  readonly escalated: number;
  /** In-flight tasks per child, and their sum. */
  readonly load: Readonly<Record<string, number>>;
  readonly totalLoad: number;
}

export interface LiveEscalation {
  readonly id: string;
  readonly taskId: string;
  readonly taskType: string;
  readonly reason: EscalationReason;
  readonly from: string;
  readonly to: string;
  readonly message: string;
  readonly raisedAt: number;
}

export interface LiveApproval extends Pick<Approval, 'id' | 'taskId' | 'taskType' | 'requester' | 'approver' | 'requiredLevel' | 'quorum' | 'reason' | 'status'> {
  /** Approvals given so far. */
  readonly approvals: number;
  /** Agents with the authority to decide it: the requester's ancestors at the required level or above. */
  readonly eligible: readonly string[];
}

/** Everything the page shows, at one moment. */
export interface LiveViewSnapshot {
  readonly status: OrchestratorStatus;
  readonly agents: readonly LiveAgent[];
  readonly escalations: readonly LiveEscalation[];
  readonly approvals: readonly LiveApproval[];
}

/**
 * Reads the organisation now.
 *
 * @example
 * ```ts
 * const { agents } = liveSnapshot(org);
 * agents.find((agent) => agent.id === 'backend_dev_1')?.state; // 'awaitingApproval'
 * ```
 */
export function liveSnapshot(org: Orchestrator): LiveViewSnapshot {
  const { hierarchy } = org;
  const agents = hierarchy.nodes().map((node): LiveAgent => {
    const base = { id: node.id, role: node.role, level: node.level, parent: node.parentId ?? null, capabilities: node.capabilities };
    let status;
    try {
      status = org.agentState(node.id);
    } catch {
      return { ...base, state: 'stopped', queued: 0, running: 0, awaitingApproval: 0, escalated: 0, load: {}, totalLoad: 0 };
    }
    return {
      ...base,
      state: status.state,
      queued: status.queued,
      running: status.running.length,
      awaitingApproval: status.awaitingApproval.length,
      escalated: status.escalated.length,
      load: status.load,
      totalLoad: Object.values(status.load).reduce((sum, n) => sum + n, 0),
    };
  });
  const escalations = org.escalations.active().map(
    ({ id, taskId, taskType, reason, from, to, message, raisedAt }): LiveEscalation => ({ id, taskId, taskType, reason, from, to, message, raisedAt }),
  );
  const approvals = org.approvals.pending().map(
    (approval): LiveApproval => ({
      id: approval.id,
      taskId: approval.taskId,
      taskType: approval.taskType,
      requester: approval.requester,
      approver: approval.approver,
      requiredLevel: approval.requiredLevel,
      quorum: approval.quorum,
      approvals: approval.decisions.filter((decision) => decision.decision === 'approved').length,
      reason: approval.reason,
      status: approval.status,
      eligible: hierarchy
        .ancestors(approval.requester)
        .filter((node) => checkAuthority(hierarchy, approval, approval.decisions, node.id) === undefined)
        .map((node) => node.id),
    }),
  );
  return { status: org.status(), agents, escalations, approvals };
}
