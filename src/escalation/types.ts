/**
 * The escalation contract: a policy says whether an agent should escalate a task, to whom,
 * and how the target resolves it.
 */
import type { Route } from '../delegation/route.js';
import type { Hierarchy } from '../hierarchy/hierarchy.js';
import type { AgentNode } from '../hierarchy/types.js';
import type { EscalationReason, Task } from '../types.js';

/** A resource held by a task at an agent. */
export interface ResourceClaim {
  readonly resource: string;
  readonly taskId: string;
  readonly agentId: string;
}

/** What a policy knows when it decides. */
export interface EscalationContext {
  readonly hierarchy: Hierarchy;
  /** What the agent would do without escalating: delegate, execute, or nothing (nobody can). */
  readonly route: Route;
  /** Resources this task declares that other agents' tasks hold right now. */
  readonly claims: readonly ResourceClaim[];
}

/** A decision to escalate. */
export interface EscalationVerdict {
  readonly reason: EscalationReason;
  /** Why, for the target and the journal. */
  readonly message?: string;
}

/**
 * How a target resolves an escalation:
 * - `route`: hand the task to someone capable in its subtree (away from agents the task excludes),
 *   or execute it itself, or escalate further;
 * - `execute`: decide it itself, with its own executor;
 * - `defer`: wait until the conflicting resources are free, then route it.
 */
export type ResolutionMode = 'route' | 'execute' | 'defer';

/**
 * Decides escalations. `shouldEscalate` is asked for every task an agent receives, and may answer
 * with a promise (a model judging, say: the agent goes on with other tasks meanwhile, under the
 * `decisions.timeoutMs` limit); a reason outside the seven fails the task with `policy_error`.
 * `target` names the agent to escalate to (the agent itself means "resolve it here").
 *
 * @example
 * ```ts
 * const strict: EscalationPolicy = {
 *   ...defaultEscalationPolicy(),
 *   shouldEscalate: (task, agent, context) =>
 *     task.payload && (task.payload as { cost?: number }).cost! > 1000 ? { reason: 'policy_decision' }
 *       : defaultEscalationPolicy().shouldEscalate(task, agent, context),
 * };
 * ```
 */
export interface EscalationPolicy {
  shouldEscalate(
    task: Task,
    agent: AgentNode,
    context: EscalationContext,
  ): EscalationVerdict | EscalationReason | null | undefined | Promise<EscalationVerdict | EscalationReason | null | undefined>;
  /** The agent to escalate to; `undefined` when there is nobody (the root). */
  target(agent: AgentNode, reason: EscalationReason, task: Task, context: EscalationContext): AgentNode | string | undefined;
  /** How the target resolves an escalation for `reason` (default: {@link DEFAULT_RESOLUTIONS}). */
  resolution?(reason: EscalationReason): ResolutionMode;
}
