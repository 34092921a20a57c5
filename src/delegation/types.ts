/**
 * The delegation contract: a strategy picks which child gets a task, from the children
 * annotated with what the picking agent knows about them (capability, load, skills).
 */
import type { Hierarchy } from '../hierarchy/hierarchy.js';
import type { AgentNode } from '../hierarchy/types.js';
import type { Task } from '../types.js';

/** A child a task could be delegated to, as the delegating agent sees it. */
export interface Candidate {
  readonly id: string;
  readonly node: AgentNode;
  /** True when the child or someone below it can execute the task (and was not excluded). */
  readonly capable: boolean;
  /** Tasks the delegating agent has handed this child that have not come back yet. */
  readonly load: number;
}

/** What a strategy knows besides the task and the candidates. */
export interface DelegationContext {
  /** The agent delegating. */
  readonly agent: AgentNode;
  readonly hierarchy: Hierarchy;
  /** Aborted when the agent stops waiting for the answer (the task was cancelled, the organisation stopped). */
  readonly signal: AbortSignal;
  /** Charges the task's cost budget (a model's tokens, say); over budget it throws `budget_exceeded`. */
  reportCost(amount: number): void;
}

/**
 * Picks the child that gets a task. Return a candidate's id, or `undefined` to keep the task
 * (the agent then executes it if it can). Returning anything else fails that task with
 * `invalid_delegate`. Strategies should be pure; one may return a promise (a model choosing, say):
 * that task waits in `deciding` while the agent goes on with others, up to the agent's
 * `decisions.concurrency` and `decisions.timeoutMs` (then the task fails with `strategy_error`).
 *
 * @example
 * ```ts
 * const firstCapable: DelegationStrategy = {
 *   name: 'first-capable',
 *   select: (task, candidates) => candidates.find((c) => c.capable)?.id,
 * };
 * ```
 */
export interface DelegationStrategy {
  readonly name: string;
  select(task: Task, candidates: readonly Candidate[], context: DelegationContext): string | undefined | Promise<string | undefined>;
}

/** A strategy that kept a task its agent cannot do: it chose none of these children, which could. */
export interface Declined {
  readonly strategy: string;
  readonly children: readonly string[];
}
