/**
 * Where an escalation goes: the one place that asks the policy for a target and checks it —
 * used when an agent evaluates a task and after an execution failed for good.
 */
import type { TaskError } from '../errors.js';
import { taskErrorFromUnknown } from '../errors.js';
import type { Hierarchy } from '../hierarchy/hierarchy.js';
import type { AgentNode } from '../hierarchy/types.js';
import type { EscalationReason, Task } from '../types.js';
import type { EscalationContext, EscalationPolicy } from './types.js';
import { handedTo } from '../sealed-task.js';

/** The policy's answer, checked: an ancestor to send it to, this agent itself, nobody, or a refusal. */
export type TargetChoice =
  | { readonly kind: 'ancestor'; readonly to: string }
  | { readonly kind: 'self' }
  | { readonly kind: 'nobody' }
  | { readonly kind: 'refused'; readonly error: TaskError };

/**
 * Asks `policy` where `agent` escalates `task` for `reason`, and checks the answer: escalations
 * only go up (`invalid_escalation_target` otherwise); a policy that throws is a `policy_error`.
 *
 * @example
 * ```ts
 * escalationTarget(hierarchy, defaultEscalationPolicy(), hierarchy.get('backend_dev_1'), 'emergency', task, context); // { kind: 'ancestor', to: 'cto' }
 * ```
 */
export function escalationTarget(
  hierarchy: Hierarchy,
  policy: EscalationPolicy,
  agent: AgentNode,
  reason: EscalationReason,
  task: Task,
  context: EscalationContext,
): TargetChoice {
  let target: string | undefined;
  try {
    const chosen = policy.target(agent, reason, handedTo(policy.target, task), context);
    target = typeof chosen === 'string' ? chosen : chosen?.id;
  } catch (error) {
    return { kind: 'refused', error: taskErrorFromUnknown(error, 'policy_error') };
  }
  if (target === undefined) return { kind: 'nobody' };
  if (target === agent.id) return { kind: 'self' };
  if (!hierarchy.has(target) || !hierarchy.isAncestor(target, agent.id)) {
    return {
      kind: 'refused',
      error: {
        code: 'invalid_escalation_target',
        message: `The escalation policy sent "${task.type}" from ${agent.id} to "${target}", which is not above ${agent.id}: escalations only go up.`,
        details: { from: agent.id, to: target, reason },
      },
    };
  }
  return { kind: 'ancestor', to: target };
}
