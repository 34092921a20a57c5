/** What the agents' decisions are assembled from: the organisation's strategies, policies and limits. */
import type { Decomposer } from '../../delegation/decomposition.js';
import type { DelegationStrategy } from '../../delegation/types.js';
import type { EscalationPolicy } from '../../escalation/types.js';
import type { Hierarchy } from '../../hierarchy/hierarchy.js';
import type { AgentNode } from '../../hierarchy/types.js';
import type { ApprovalRequirement, Task } from '../../types.js';
import type { ResourceClaim } from '../../escalation/types.js';
import type { FanoutLimits } from '../../delegation/fanout.js';

/** Decides whether a task needs approval before an agent executes it (besides task flags). */
export type ApprovalRule = (task: Task, agent: AgentNode) => ApprovalRequirement | boolean | undefined;

export interface DecisionConfig {
  readonly hierarchy: Hierarchy;
  readonly strategyFor: (agentId: string) => DelegationStrategy;
  readonly policy: EscalationPolicy;
  readonly approvalRule: ApprovalRule | undefined;
  readonly hasExecutor: (agentId: string) => boolean;
  /** Who holds the task's declared resources (the runtime's registry). */
  readonly resources: { conflicts(agentId: string, task: Task, anyAgent?: boolean): readonly ResourceClaim[] };
  readonly maxDepth: number;
  readonly maxEscalations: number;
  /** The decomposer that may split `task` at `agentId`, if any. */
  readonly decomposerFor: (agentId: string, task: Task) => Decomposer | undefined;
  readonly fanout: FanoutLimits;
  /** Charges a task's cost budget (throws `budget_exceeded` over it). */
  readonly reportCost: (task: Task, amount: number) => void;
  /** What a task's budget account has spent so far (its planning, say): its subtasks share the rest. */
  readonly costSpent: (task: Task) => number;
  /** True when escalations that reach the top go to a person instead of failing. */
  readonly human: boolean;
}
