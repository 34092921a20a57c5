/**
 * Signals an executor throws to change a task's course instead of failing it: escalate it
 * with a reason, or park it until someone approves. `context.escalate()` and
 * `context.requestApproval()` throw these for you.
 */
import type { ApprovalRequirement, EscalationReason } from './types.js';

/**
 * Thrown by an executor to escalate its task (never retried). `context.escalate()` throws one.
 *
 * @example
 * ```ts
 * const executor: Executor = async (task) => {
 *   if (isProduction(task)) throw new EscalationSignal('policy_decision', 'production changes need a lead');
 *   return 'done';
 * };
 * ```
 */
export class EscalationSignal extends Error {
  override readonly name = 'EscalationSignal';
  constructor(
    readonly reason: EscalationReason,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Thrown by an executor to park its task until it is approved; it then runs again (never
 * retried). `context.requestApproval()` throws one.
 *
 * @example
 * ```ts
 * const executor: Executor = async (task, { approved }) => {
 *   if (!approved) throw new ApprovalSignal({ reason: 'about to spend money', role: 'manager' });
 *   return spend(task);
 * };
 * ```
 */
export class ApprovalSignal extends Error {
  override readonly name = 'ApprovalSignal';
  constructor(readonly requirement: ApprovalRequirement) {
    super(requirement.reason ?? 'approval requested by the executor');
  }
}
