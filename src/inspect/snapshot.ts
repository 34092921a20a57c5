/**
 * The organisation as the live view draws it: every agent (in org-chart order, with its state,
 * mailbox and load), the status counts, active escalations and pending approvals — plain JSON
 * without task payloads, so any task data stays on the server.
 */
import type { Role } from '../hierarchy/types.js';
import type { Orchestrator, OrchestratorStatus } from '../runtime/orchestrator.js';
import type { Approval, EscalationReason } from '../types.js';
import { approvalDeciders, escalationAssignees, escalationDeciders } from './deciders.js';

/** One agent in the live view. */
export interface LiveAgent {
  readonly id: string;
  readonly role: Role;
  readonly level: number;
  readonly parent: string | null;
  readonly capabilities: readonly string[];
  /** The agent statechart's state, or `stopped` once the organisation stopped. */
  readonly state: string;
  /** Every active state of its statechart, as paths (`delegating`, `delegating.consulting`): what its chart lights. */
  readonly statePath: readonly string[];
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
  /** True when it reached the top and waits for a person (who may resolve it from the page). */
  readonly waitingForPerson: boolean;
  /** The agent a person handed it to, if any. */
  readonly assignedTo?: string;
  /** Whom a person may act for when resolving it. */
  readonly deciders: readonly string[];
  /** The agents it may be assigned to (they have the capability). */
  readonly assignees: readonly string[];
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
      return { ...base, state: 'stopped', statePath: [], queued: 0, running: 0, awaitingApproval: 0, escalated: 0, load: {}, totalLoad: 0 };
    }
    return {
      ...base,
      state: status.state,
      statePath: activePaths(org.actor.system.get(node.id)?.getSnapshot().value),
      queued: status.queued,
      running: status.running.length,
      awaitingApproval: status.awaitingApproval.length,
      escalated: status.escalated.length,
      load: status.load,
      totalLoad: Object.values(status.load).reduce((sum, n) => sum + n, 0),
    };
  });
  const escalations = org.escalations.active().map(
    (escalation): LiveEscalation => {
      const { id, taskId, taskType, reason, from, to, message, raisedAt, assignedTo } = escalation;
      const waitingForPerson = to === 'human' && assignedTo === undefined;
      return {
        id,
        taskId,
        taskType,
        reason,
        from,
        to,
        message,
        raisedAt,
        waitingForPerson,
        ...(assignedTo === undefined ? {} : { assignedTo }),
        deciders: waitingForPerson ? escalationDeciders(hierarchy, escalation) : [],
        assignees: waitingForPerson ? escalationAssignees(hierarchy, escalation) : [],
      };
    },
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
      eligible: approvalDeciders(hierarchy, approval),
    }),
  );
  return { status: org.status(), agents, escalations, approvals };
}

/** A statechart value as the paths of its active states: `{ delegating: 'consulting' }` → `['delegating', 'delegating.consulting']`. */
function activePaths(value: unknown, prefix = ''): string[] {
  if (typeof value === 'string') return [`${prefix}${value}`];
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, inner]) => [`${prefix}${key}`, ...activePaths(inner, `${prefix}${key}.`)]);
}
