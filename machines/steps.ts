/**
 * What the agent's decisions say about a task: the job in the pipeline (a task and how to treat
 * it), and the step the policy decided for it.
 */
import type { Fanout } from '../src/delegation/fanout.js';
import type { Candidate } from '../src/delegation/types.js';
import type { TaskError } from '../src/errors.js';
import type { ResolutionMode } from '../src/escalation/types.js';
import type { ApprovalRequirement, EscalationReason, Task } from '../src/types.js';

/** A unit of work in an agent's pipeline: a task, and how the agent should treat it. */
export interface Job {
  readonly task: Task;
  /** `route` by capability; `execute` it here (an escalation's target deciding); `defer` until resources free up. */
  readonly mode: ResolutionMode;
  /** The child to send it to (a subtask its decomposer addressed). */
  readonly to?: string;
}

/**
 * What to do with a job, as the policy decided. A step may carry `job`: the job as the decision
 * changed it (an escalation the agent resolved itself is recorded on the task, say).
 */
export type Step = (
  /** Hand it to a child: go on to `delegating`, where the strategy picks one of these. */
  | { readonly kind: 'delegate'; readonly candidates: readonly Candidate[] }
  /** Send it to this child. */
  | { readonly kind: 'assign'; readonly childId: string }
  /** Execute it here, after approval when `approval` is given. */
  | { readonly kind: 'execute'; readonly approval?: ApprovalRequirement }
  /** Raise an escalation to `to` (an ancestor, or `'human'`). */
  | {
      readonly kind: 'escalate';
      readonly reason: EscalationReason;
      readonly to: string;
      readonly message: string;
      readonly error?: TaskError;
      /** `false` when a retry cannot fix `error` (recorded in the task's `cause`). */
      readonly retryable?: false;
    }
  /** Split it: send these subtasks out (through this agent's pipeline) and join their results. */
  | Fanout
  /** Hold it until these resources are released, then route it. */
  | { readonly kind: 'defer'; readonly resources: readonly string[] }
  /** End it here; `executedBy` and `attempts` when the error is an executor's (its task's cause). */
  | { readonly kind: 'fail'; readonly error: TaskError; readonly status?: 'failed' | 'rejected' | 'cancelled'; readonly executedBy?: string; readonly attempts?: number }
) & { readonly job?: Job };
