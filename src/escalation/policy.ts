/**
 * The reference's default escalation policy, with its gaps filled: flags escalate once per
 * task, resource conflicts and cross-team work go to the right ancestor, and a task nobody
 * below can do escalates wherever it lands (not just at leaves).
 */
import type { AgentNode } from '../hierarchy/types.js';
import type { EscalationReason, Task } from '../types.js';
import type { EscalationContext, EscalationPolicy, EscalationVerdict, ResolutionMode } from './types.js';
import { ownDecision } from '../sealed-task.js';

/** How targets resolve each reason by default. */
export const DEFAULT_RESOLUTIONS = {
  beyond_capability: 'route',
  execution_failed: 'route',
  cross_team: 'route',
  resource_conflict: 'defer',
  policy_decision: 'execute',
  emergency: 'execute',
  approval_required: 'execute',
} as const satisfies Record<EscalationReason, ResolutionMode>;

/** Options of {@link defaultEscalationPolicy}. */
export type DefaultEscalationPolicyOptions = {
  /** Which declared resources are exclusive (two agents may not hold them at once). Default: all. */
  readonly exclusive?: readonly string[] | ((resource: string) => boolean);
  /**
   * Reassign a task whose executor failed with an error a retry cannot fix (the execution option
   * `retryable` returned false for it — `isRetryableModelError` on a 401, say) to a capable sibling,
   * as for any other failure. Default `false`: such a failure is not escalated for reassignment —
   * the task fails with the executor's error (or, with `onEscalation`, goes to a person), since
   * siblings sharing the cause (a bad key, a bad request) would fail the same way.
   */
  readonly reassignNonRetryable?: boolean;
};

/**
 * The default policy. An agent escalates a task when:
 * - nobody in its subtree (itself included) can do it → `beyond_capability` (to the parent);
 * - it would execute the task and another agent holds an exclusive resource the task declares →
 *   `resource_conflict` (to the nearest common ancestor of the agents involved);
 * - it would execute the task and a flag asks for it: `requiresCrossTeam` → `cross_team` (to the
 *   nearest common ancestor of `context.teams`), `requiresPolicyDecision` → `policy_decision`
 *   (parent), `isEmergency` → `emergency` (nearest executive), `requiresApproval` →
 *   `approval_required` (an approval request to the parent).
 *
 * A failed execution (`execution_failed`) goes to the parent, which reassigns the task to a capable
 * sibling — unless a retry cannot fix the error (see `reassignNonRetryable`).
 *
 * Each flag escalates a task once: a task that already went through an escalation for that
 * reason is not escalated for it again.
 *
 * @example
 * ```ts
 * createOrchestrator({ hierarchy, executors, escalation: defaultEscalationPolicy({ exclusive: ['prod-db'] }) });
 * // Reassign even failures a retry cannot fix (a 401 from one agent's own key, say):
 * createOrchestrator({ hierarchy, executors, escalation: defaultEscalationPolicy({ reassignNonRetryable: true }) });
 * ```
 */
export function defaultEscalationPolicy(options: DefaultEscalationPolicyOptions = {}): EscalationPolicy {
  const exclusive = toPredicate(options.exclusive);
  const reassignNonRetryable = options.reassignNonRetryable ?? false;
  const policy: EscalationPolicy = {
    shouldEscalate(task: Task, agent: AgentNode, context: EscalationContext): EscalationVerdict | undefined {
      const already = (reason: EscalationReason) => task.escalations.some((hop) => hop.reason === reason);
      if (context.route === 'none') {
        const { cause } = task;
        // After a failure, capable agents may be left out (they failed it): say that, not "nobody can".
        const message =
          cause === undefined
            ? `${agent.id} cannot do "${task.type}" and nobody below it can.`
            : `${agent.id} has nobody left to give "${task.type}" to after ${cause.by} failed it: ${cause.error.message}`;
        return { reason: 'beyond_capability', message };
      }
      if (context.route !== 'execute') return undefined;
      const conflicts = context.claims.filter((claim) => exclusive(claim.resource));
      if (conflicts.length > 0) {
        const held = conflicts.map((claim) => `${claim.resource} (held by ${claim.agentId} for ${claim.taskId})`).join(', ');
        return { reason: 'resource_conflict', message: `${agent.id} needs ${held}.` };
      }
      if (task.context.requiresCrossTeam && !already('cross_team')) {
        return { reason: 'cross_team', message: `"${task.type}" needs ${task.context.teams?.join(' and ') ?? 'several teams'}.` };
      }
      if (task.context.requiresPolicyDecision && !already('policy_decision')) {
        return { reason: 'policy_decision', message: `"${task.type}" needs a policy decision above ${agent.id}.` };
      }
      if (task.context.isEmergency && !already('emergency')) {
        return { reason: 'emergency', message: `Emergency: "${task.type}" goes to the executive.` };
      }
      if ((task.context.requiresApproval || task.approval !== undefined) && task.approvedBy.length === 0) {
        return { reason: 'approval_required', message: task.approval?.reason ?? `"${task.type}" needs approval before ${agent.id} executes it.` };
      }
      return undefined;
    },

    target(agent: AgentNode, reason: EscalationReason, task: Task, context: EscalationContext): AgentNode | undefined {
      const { hierarchy } = context;
      switch (reason) {
        case 'emergency':
          return hierarchy.pathToRoot(agent.id).find((node) => node.role === 'executive') ?? hierarchy.root;
        case 'cross_team': {
          const teams = (task.context.teams ?? []).filter((id) => hierarchy.has(id));
          return teams.length > 0 ? hierarchy.nearestCommonAncestor(agent.id, ...teams) : hierarchy.parent(agent.id);
        }
        case 'resource_conflict': {
          const holders = context.claims.map((claim) => claim.agentId).filter((id) => hierarchy.has(id));
          return holders.length > 0 ? hierarchy.nearestCommonAncestor(agent.id, ...holders) : hierarchy.parent(agent.id);
        }
        case 'execution_failed':
          // Nobody to reassign to: the task fails with the executor's error (or goes to a person).
          if (task.cause?.retryable === false && !reassignNonRetryable) return undefined;
          return hierarchy.parent(agent.id);
        default:
          return hierarchy.parent(agent.id);
      }
    },

    resolution: (reason) => DEFAULT_RESOLUTIONS[reason],
  };
  // They change no task: they are handed the agent's record, not a copy (sealed-task.ts).
  ownDecision(policy.shouldEscalate);
  ownDecision(policy.target);
  return policy;
}

function toPredicate(exclusive: DefaultEscalationPolicyOptions['exclusive']): (resource: string) => boolean {
  if (exclusive === undefined) return () => true;
  if (typeof exclusive === 'function') return exclusive;
  const set = new Set(exclusive);
  return (resource) => set.has(resource);
}
