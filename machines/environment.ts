/**
 * What the agent statecharts need from outside, as one interface: decisions (routing,
 * escalation, approvals — pure functions the runtime builds from strategies and policies),
 * ids and time, and one edge for reporting to the host. The charts know nothing else.
 */
import type { TaskError } from '../src/errors.js';
import type { Candidate } from '../src/delegation/types.js';
import type { ApproverDecision } from '../src/approval/approvers.js';
import type { ResolutionMode } from '../src/escalation/types.js';
import type {
  ApprovalDecision,
  ApprovalRequest,
  ApprovalRequirement,
  EscalationReason,
  EscalationRequest,
  ExecutionPolicy,
  JoinPolicy,
  PartialFailurePolicy,
  Settlement,
  Task,
} from '../src/types.js';
import type { ExecutorInput } from './execution.machine.js';
import type { Join, JoinProgress } from '../src/delegation/join.js';

/** A unit of work in an agent's pipeline: a task, and how the agent should treat it. */
export interface Job {
  readonly task: Task;
  /** `route` by capability; `execute` it here (an escalation's target deciding); `defer` until resources free up. */
  readonly mode: ResolutionMode;
  /** The child to send it to (a subtask its decomposer addressed). */
  readonly to?: string;
}

/**
 * What to do with a job, as decided by the environment. A step may carry `job`: the job as the
 * decision changed it (an escalation the agent resolved itself is recorded on the task, say).
 */
export type Step = (
  /** Hand it to a child: go on to `delegating`, where the strategy picks one of these. */
  | { readonly kind: 'delegate'; readonly candidates: readonly Candidate[] }
  /** Send it to this child. */
  | { readonly kind: 'assign'; readonly childId: string }
  /** Execute it here, after approval when `approval` is given. */
  | { readonly kind: 'execute'; readonly approval?: ApprovalRequirement }
  /** Raise an escalation to `to` (an ancestor, or `'human'`). */
  | { readonly kind: 'escalate'; readonly reason: EscalationReason; readonly to: string; readonly message: string; readonly error?: TaskError }
  /** Split it: send these subtasks out (through this agent's pipeline) and join their results. */
  | {
      readonly kind: 'fanout';
      readonly subtasks: readonly { readonly task: Task; readonly to?: string }[];
      readonly join: JoinPolicy;
      readonly onFailure: PartialFailurePolicy;
    }
  /** Hold it until these resources are released, then route it. */
  | { readonly kind: 'defer'; readonly resources: readonly string[] }
  /** End it here. */
  | { readonly kind: 'fail'; readonly error: TaskError; readonly status?: 'failed' | 'rejected' | 'cancelled'; readonly executedBy?: string }
) & { readonly job?: Job };

/** What agents tell the host: the raw material of lifecycle events, status and the journal. */
export type AgentReport =
  | { readonly type: 'task.delegated'; readonly task: Task; readonly from: string; readonly to: string }
  | { readonly type: 'task.queued'; readonly task: Task; readonly agent: string }
  | { readonly type: 'task.started'; readonly task: Task; readonly agent: string; readonly attempt: number }
  | { readonly type: 'task.retrying'; readonly task: Task; readonly agent: string; readonly attempt: number; readonly delayMs: number; readonly error: TaskError }
  | { readonly type: 'task.deferred'; readonly task: Task; readonly agent: string; readonly resources: readonly string[] }
  /** A task ended at this agent (it executed it, or it was cancelled or failed here). */
  | { readonly type: 'task.ended'; readonly task: Task; readonly agent: string; readonly settlement: Settlement }
  /** A task was split into subtasks at `agent`. */
  | { readonly type: 'task.decomposed'; readonly task: Task; readonly agent: string; readonly subtasks: readonly Task[] }
  /** A subtask came back to the agent that split its parent. */
  | { readonly type: 'subtask.settled'; readonly task: Task; readonly settlement: Settlement }
  /** An agent needs these tasks cancelled wherever they are (the losers of a join, say). */
  | { readonly type: 'tasks.cancel'; readonly agent: string; readonly taskIds: readonly string[]; readonly reason: string }
  /** A task reached its entry agent with its final settlement: its submitter gets the outcome. */
  | { readonly type: 'task.settled'; readonly task: Task; readonly settlement: Settlement }
  | { readonly type: 'escalation.raised'; readonly escalation: EscalationRequest; readonly resolutionTaskId: string }
  | { readonly type: 'escalation.resolved'; readonly escalationId: string; readonly resolvedBy: string; readonly settlement: Settlement }
  | { readonly type: 'approval.requested'; readonly approval: ApprovalRequest; readonly asked: readonly string[] }
  | { readonly type: 'approval.decision'; readonly approvalId: string; readonly decision: ApprovalDecision }
  | { readonly type: 'approval.settled'; readonly approvalId: string; readonly status: 'approved' | 'rejected' | 'expired' | 'cancelled' }
  | { readonly type: 'approval.refused'; readonly approvalId: string; readonly by: string; readonly error: TaskError }
  | { readonly type: 'agent.state'; readonly agent: string; readonly state: string }
  /** Something the agent could not process; the host surfaces it and fails the task if one is named. */
  | { readonly type: 'agent.fault'; readonly agent: string; readonly error: TaskError; readonly task?: Task };

/** What a decision that may take time gets: a signal, aborted when the agent stops waiting. */
export interface DecisionControl {
  readonly signal: AbortSignal;
}

/** Everything the agent, execution and approval charts ask of the outside world. */
export interface AgentEnvironment {
  /** The agents that report to `agentId`, spawned when it starts. */
  childIds(agentId: string): readonly string[];
  /** Decides what an agent does with a job: escalate, delegate, execute, defer or fail. */
  evaluate(agentId: string, job: Job, load: Readonly<Record<string, number>>): Step | Promise<Step>;
  /** Picks the child for a job the agent delegates (the strategy), or falls back when it picks none. */
  select(agentId: string, job: Job, candidates: readonly Candidate[], control: DecisionControl): Step | Promise<Step>;
  /** What the agent does after its executor failed for good, or asked to escalate. */
  escalateAfter(agentId: string, task: Task, reason: EscalationReason, message: string, error?: TaskError): Step;
  /**
   * Why the host was asked to cancel this task, if it was. A cancellation can overtake the task
   * it chases (a delegation still on its way, an escalation raised as its task was cancelled):
   * an agent asks when a task enters its pipeline, and ends a cancelled one at once.
   */
  cancellation(task: Task): string | undefined;
  /** How an escalation's target resolves it. */
  resolutionMode(reason: EscalationReason): ResolutionMode;
  /** How many tasks the agent executes at once. */
  concurrency(agentId: string): number;
  /** The timeout and retries for a task at an agent. */
  executionPolicy(agentId: string, task: Task): ExecutionPolicy;
  /** Runs the agent's executor for one attempt; `signal` aborts when the attempt is abandoned. */
  execute(input: ExecutorInput, signal: AbortSignal): Promise<unknown>;
  /** Whether a failed attempt at an agent may be retried. */
  retryable(agentId: string, thrown: unknown): boolean;
  /** How long an approval waits for a decision when its requirement names no timeout (`undefined`: no limit). */
  readonly approvalTimeoutMs: number | undefined;
  /** The approval request for a task parked at an agent, or why none can be made. */
  approvalRequest(agentId: string, task: Task, requirement: ApprovalRequirement, approvalId: string): ApprovalRequest | TaskError;
  /** Whether `by` may decide the request now (undefined = yes). */
  authorize(request: ApprovalRequest, decisions: readonly ApprovalDecision[], by: string): TaskError | undefined;
  /** The next approver up (and the level it brings), when a request expires; `undefined` at the root. */
  nextApprover(request: ApprovalRequest): { readonly approver: string; readonly requiredLevel: number } | undefined;
  /** An agent's own decision on a request sent to it; `undefined` leaves it to a person. */
  decideApproval(agentId: string, request: ApprovalRequest, control: DecisionControl): ApproverDecision | undefined | Promise<ApproverDecision | undefined>;
  /** Records a subtask's settlement in its parent's join, and decides what the parent does. */
  joinAfter(join: Join, taskId: string, settlement: Settlement, chain: readonly string[]): JoinProgress;
  /** Cancels a join: its running subtasks are to be cancelled. */
  cancelJoin(join: Join, error: TaskError): JoinProgress;
  /** The parent's settlement once its join is done: merged results, the subtask tree, the failures. */
  settleJoin(agentId: string, join: Join): Settlement;
  /** Resources of a task held by other agents. */
  claimResources(agentId: string, task: Task): void;
  releaseResources(agentId: string, taskId: string): void;
  /**
   * When set, messages between actors go through the system clock after this many ms instead of
   * being delivered at once: with a controllable clock, a scenario can be stepped message by message.
   */
  readonly messageDelayMs: number | undefined;
  now(): number;
  random(): number;
  newId(prefix: string): string;
  report(report: AgentReport): void;
}
