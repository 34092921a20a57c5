/**
 * The data echelon moves around: tasks, their outcomes, escalations, approvals, and the
 * typed messages agents send each other. Everything here is plain, JSON-safe data, so it
 * can travel in events, show in inspectors and be persisted.
 */
import type { TaskError } from './errors.js';
import type { Role } from './hierarchy/types.js';

// ─── Tasks ──────────────────────────────────────────────────────────────────────────────

/** Flags that escalation and approval policies read. Any other keys are yours. */
export interface TaskContext {
  /** The task needs several teams: it escalates to their nearest common ancestor. */
  readonly requiresCrossTeam?: boolean;
  /** Agents (or team leads) whose teams the task spans; used with `requiresCrossTeam`. */
  readonly teams?: readonly string[];
  /** The task needs a decision above the agent that would execute it. */
  readonly requiresPolicyDecision?: boolean;
  /** The task goes straight to the nearest executive. */
  readonly isEmergency?: boolean;
  /** The task waits for approval before it executes. */
  readonly requiresApproval?: boolean;
  readonly [flag: string]: unknown;
}

/**
 * Retry policy for executors: exponential backoff with jitter. A failure that says how long to
 * wait — an `EchelonError` with `details.retryAfterMs`, as `echelon/ai` gives a rate limit's
 * `retry-after` — waits that long instead when it is longer, up to `maxDelayMs`.
 */
export interface RetryPolicy {
  /** Total attempts, including the first (1 = no retry). */
  readonly attempts: number;
  /** Delay before the second attempt, in ms. */
  readonly initialDelayMs: number;
  /** Each further delay is multiplied by this. */
  readonly factor: number;
  /** No delay exceeds this, in ms. */
  readonly maxDelayMs: number;
  /** 0–1: each delay is spread by ±jitter×delay at random, so retries do not stampede. */
  readonly jitter: number;
}

/** How an agent runs an executor: its timeout and retries. */
export interface ExecutionPolicy {
  /** An attempt still running after this many ms is aborted and counts as a failure. */
  readonly timeoutMs: number;
  readonly retry: RetryPolicy;
}

/** Overrides of an execution policy; anything left out keeps the agent's default. */
export interface ExecutionPolicyInput {
  readonly timeoutMs?: number;
  readonly retry?: Partial<RetryPolicy>;
}

/** Who must approve a task before it executes, and how many of them. */
export interface ApprovalRequirement {
  /** The approver must be an ancestor at this level or above (0 = root). Default: the requester's parent's level. */
  readonly level?: number;
  /** The approver must be the nearest ancestor with this role. */
  readonly role?: Role;
  /** Ask this ancestor first (it must have the authority). */
  readonly approver?: string;
  /** Approvals needed; one rejection ends it. Default 1. */
  readonly quorum?: number;
  /** Undecided after this many ms, the request moves one level up (at the root it is rejected as expired). */
  readonly timeoutMs?: number;
  /** Why approval is needed, for the approver. */
  readonly reason?: string;
}

/** What users submit. Only `type` is required. */
export interface TaskInput<TPayload = unknown> {
  /** Unique among active tasks; generated when left out. */
  readonly id?: string;
  /** The kind of work: matched against agents' capabilities. */
  readonly type: string;
  readonly payload?: TPayload;
  readonly context?: TaskContext;
  /** Resources the task uses; a policy can declare them exclusive (see `resource_conflict`). */
  readonly resources?: readonly string[];
  /** Skills the task needs, for skill-based delegation (`payload.required_skills` also works). */
  readonly requiredSkills?: readonly string[];
  /** Overrides of the executing agent's timeout and retries for this task. */
  readonly execution?: ExecutionPolicyInput;
  /** Require approval before execution (same as `context.requiresApproval`, with details). */
  readonly approval?: ApprovalRequirement;
  /** Limits for the task and everything it is split into. */
  readonly budget?: BudgetInput;
}

/** Limits a submitted task carries down its tree of subtasks. */
export interface BudgetInput {
  /** The whole tree must finish within this many ms of submission; work still running then is stopped. */
  readonly timeMs?: number;
  /** Most subtasks the tree may create, all levels together. */
  readonly maxSubtasks?: number;
  /** Most levels of decomposition below the task. */
  readonly maxDepth?: number;
  /** A limit on the cost executors report (`context.reportCost`), e.g. tokens. */
  readonly cost?: number;
}

/** A task's share of its tree's budget, as it travels. */
export interface TaskBudget {
  /** The task whose share this is: subtasks get their own, escalations keep their task's. */
  readonly account: string;
  /** Absolute time (orchestrator clock) by which the work must finish. */
  readonly deadline?: number;
  readonly maxSubtasks?: number;
  readonly maxDepth?: number;
  readonly cost?: number;
}

/** How a decomposed task's subtasks join into its result. */
export type JoinPolicy =
  /** Every subtask must complete (the default). */
  | { readonly kind: 'all' }
  /** The first subtask to complete wins; the rest are cancelled. */
  | { readonly kind: 'any' }
  /** `n` completions win; the rest are cancelled. */
  | { readonly kind: 'quorum'; readonly n: number };

/** What a failing subtask does to its parent: fail it at once, or let the rest finish and report partial results. */
export type PartialFailurePolicy = 'fail-fast' | 'partial';

/** Where a task's outcome goes when it is settled at its entry agent. */
export type TaskOrigin =
  /** The orchestrator's caller: `org.submit` resolves. */
  | { readonly kind: 'submitter' }
  /** An agent resolving an escalation: the outcome resolves it. */
  | { readonly kind: 'escalation'; readonly escalationId: string; readonly raisedBy: string }
  /** An agent that decomposed a task: the outcome joins its parent's. */
  | { readonly kind: 'subtask'; readonly agent: string; readonly parentId: string; readonly key: string };

/** A step of a task's escalation history. */
export interface EscalationHop {
  readonly id: string;
  readonly reason: EscalationReason;
  readonly from: string;
  readonly to: string;
}

/** A task inside the organisation, as agents pass it around. */
export interface Task<TPayload = unknown> {
  readonly id: string;
  readonly type: string;
  readonly payload: TPayload;
  readonly context: TaskContext;
  readonly resources: readonly string[];
  readonly requiredSkills: readonly string[];
  readonly execution?: ExecutionPolicyInput;
  readonly approval?: ApprovalRequirement;
  /** The submitted task this one serves (itself, for a submitted task). */
  readonly rootId: string;
  /** The task this one was derived from (an escalation's resolution), if any. */
  readonly parentId?: string;
  readonly origin: TaskOrigin;
  /** Agents the task travelled through from its entry agent, in order; the last one holds it. */
  readonly chain: readonly string[];
  /** Escalations the task (and the tasks it derives from) went through, oldest first. */
  readonly escalations: readonly EscalationHop[];
  /** Agents that must not get this task again (they failed it or could not do it). */
  readonly excluded: readonly string[];
  /** Approvals granted to this task so far, by approval id. */
  readonly approvedBy: readonly string[];
  /** Levels of decomposition above this task (0 for a submitted task). */
  readonly depth: number;
  readonly budget?: TaskBudget;
  /** The failure that set the task on its current course: the executor error it is escalated for, and whose it was. */
  readonly cause?: TaskCause;
  readonly submittedAt: number;
}

/**
 * An executor's failure that a task carries on: every later escalation of the task shows it (in
 * its message and `error`), and a task nobody resolves fails with it.
 */
export interface TaskCause {
  readonly error: TaskError;
  /** The agent whose executor failed. */
  readonly by: string;
  /** The attempts its executor made. */
  readonly attempts?: number;
  /**
   * `false` when a retry cannot fix it (the execution option `retryable` said so, or it was a
   * cancellation or an overrun budget): the default escalation policy then does not reassign the
   * task to a sibling that would fail the same way (see `reassignNonRetryable`).
   */
  readonly retryable?: false;
}

// ─── Outcomes ───────────────────────────────────────────────────────────────────────────

/** The terminal states of a task: every submitted task ends in exactly one. */
export const TERMINAL_STATUSES = ['completed', 'failed', 'rejected', 'cancelled'] as const;
export type TerminalStatus = (typeof TERMINAL_STATUSES)[number];

/** How a task ended at the agent that settled it, before it travels back. */
export interface Settlement<TResult = unknown> {
  readonly status: TerminalStatus;
  readonly result?: TResult;
  readonly error?: TaskError;
  /**
   * The agent whose executor produced the result (or failed last) — only when an executor ran;
   * `human:<by>` when a person gave the result. Absent for a split task (see `splitBy`) and for a
   * task that ended before any attempt (refused, cancelled, out of time, unroutable).
   */
  readonly executedBy?: string;
  /** For a decomposed task: the agent that split it and joined its subtasks' results (its own executor did not run). */
  readonly splitBy?: string;
  /** Executor attempts made by `executedBy` (0 when no executor ran). */
  readonly attempts: number;
  /** For a decomposed task: how each subtask ended. */
  readonly subtasks?: readonly SubtaskOutcome[];
  /** For a decomposed task completed with partial results: the subtasks that did not complete. */
  readonly failures?: readonly SubtaskFailure[];
}

/** One node of a decomposed task's tree. */
export interface SubtaskOutcome {
  /** `<parent>.<key>`: the parent's id and the subtask's key (so `feature.backend`, `feature.backend.db` a level down). */
  readonly taskId: string;
  /** The subtask's name within its parent (its key in the merged result). */
  readonly key: string;
  readonly type: string;
  readonly status: TerminalStatus;
  readonly result?: unknown;
  readonly error?: TaskError;
  /** The agent whose executor produced its result (or failed last); absent when it was split further or no executor ran. */
  readonly executedBy?: string;
  /** When it was split further: the agent that split it. */
  readonly splitBy?: string;
  readonly delegationChain: readonly string[];
  readonly subtasks?: readonly SubtaskOutcome[];
}

/** A subtask that did not complete, in a partial result. */
export interface SubtaskFailure {
  readonly key: string;
  readonly taskId: string;
  readonly status: Exclude<TerminalStatus, 'completed'>;
  readonly error?: TaskError;
}

/** What a task's budget allowed, and what its tree used. */
export interface BudgetReport {
  readonly limit: BudgetInput;
  readonly used: { readonly cost: number; readonly subtasks: number; readonly timeMs: number };
  /** What is left of each limit that was set. */
  readonly left: { readonly cost?: number; readonly subtasks?: number; readonly timeMs?: number };
}

/** What `org.submit` resolves to once the task reaches a terminal state. */
export interface Outcome<TResult = unknown> {
  /** The submitted task's id (yours, or generated). */
  readonly taskId: string;
  readonly type: string;
  readonly status: TerminalStatus;
  readonly result?: TResult;
  readonly error?: TaskError;
  /**
   * The agent whose executor produced the result (or failed last) — wherever that was, after
   * escalations too; `human:<by>` when a person gave the result. Absent when no executor ran: a
   * split task (see `splitBy`), or one that failed, was rejected or cancelled before any attempt.
   */
  readonly executedBy?: string;
  /** For a decomposed task: the agent that split it (the executors that ran are in `subtasks`). */
  readonly splitBy?: string;
  /** The agents the task was delegated through, entry agent first, down to where it settled. */
  readonly delegationChain: readonly string[];
  /** Every escalation the task went through, in order, with how each ended. */
  readonly escalations: readonly Escalation[];
  /** Every approval the task waited for, with the decisions. */
  readonly approvals: readonly Approval[];
  /** For a decomposed task: its tree of subtasks, each with its own outcome. */
  readonly subtasks?: readonly SubtaskOutcome[];
  /** For a decomposed task completed with partial results: what did not complete. */
  readonly failures?: readonly SubtaskFailure[];
  /** For a task submitted with a budget: its limits, use and leftovers. */
  readonly budget?: BudgetReport;
  /** Executor attempts made by `executedBy` (0 when no executor ran). */
  readonly attempts: number;
  readonly submittedAt: number;
  readonly settledAt: number;
}

// ─── Escalations ────────────────────────────────────────────────────────────────────────

/** Why a task moves up the hierarchy. */
export const ESCALATION_REASONS = [
  'beyond_capability',
  'resource_conflict',
  'policy_decision',
  'cross_team',
  'emergency',
  'approval_required',
  'execution_failed',
] as const;
export type EscalationReason = (typeof ESCALATION_REASONS)[number];

/** An escalation as it travels in `escalation.raised`. */
export interface EscalationRequest {
  readonly id: string;
  readonly reason: EscalationReason;
  /** The agent that raised it (it holds the task until the escalation resolves). */
  readonly from: string;
  /** The agent asked to resolve it, or `'human'` for the orchestrator's escalation handler. */
  readonly to: string;
  readonly message: string;
  readonly task: Task;
  /**
   * The executor error behind it: for `execution_failed`, and for every later escalation of a task
   * whose executor failed (the task's `cause`, also named in `message`).
   */
  readonly error?: TaskError;
  readonly raisedAt: number;
}

/** An escalation's record: the request, and how it ended. */
export interface Escalation extends Omit<EscalationRequest, 'task'> {
  /**
   * The task that was escalated: the submitted task (or a subtask, `<parent>.<key>`) for the first
   * escalation; a later one is raised by an agent resolving the one before, on its resolution task
   * `<task>!<the escalation before's id>` (so `t`, then `t!esc_1`, then `t!esc_2`).
   */
  readonly taskId: string;
  /**
   * The submitted task `taskId` belongs to: the one to cancel (`org.cancel(escalation.rootId)`) or
   * to await, since `taskId` is often a subtask or a resolution task. Absent only on an escalation
   * a store kept from before it was recorded.
   */
  readonly rootId?: string;
  readonly taskType: string;
  readonly status: 'active' | 'resolved' | 'failed';
  /** The agent a person handed it to (`org.escalations.resolve(id, { assignTo })`): that agent's work resolves it. */
  readonly assignedTo?: string;
  /** Who resolved it: the agent whose work settled it, or `human:<by>`. */
  readonly resolvedBy?: string;
  readonly resolvedAt?: number;
  readonly resolution?: Settlement;
}

/** A person's answer to an escalation that reached the top (`org.escalations.resolve`). */
export type EscalationResolution =
  /** The task completes with this result. */
  | { readonly result: unknown; readonly by?: string }
  /** The task fails with this reason. */
  | { readonly fail: string; readonly by?: string }
  /** This agent executes the task; its outcome resolves the escalation. */
  | { readonly assignTo: string; readonly by?: string };

// ─── Approvals ──────────────────────────────────────────────────────────────────────────

/** A request for approval, as it travels in `approval.requested`. */
export interface ApprovalRequest {
  readonly id: string;
  readonly taskId: string;
  /** The submitted task `taskId` belongs to (the task itself when it was submitted): whoever the request travels to can file what it reports there. */
  readonly rootId: string;
  readonly taskType: string;
  /** The agent whose task waits. */
  readonly requester: string;
  /** The agent asked now (an ancestor of the requester). */
  readonly approver: string;
  /** Approvers must be ancestors of the requester at this level or above (0 = root). */
  readonly requiredLevel: number;
  readonly quorum: number;
  readonly reason: string;
  readonly requestedAt: number;
  /** When the current approver's time is up (absent: never). */
  readonly expiresAt?: number;
  /**
   * The waiting task's cost budget (its `budget.cost`), when it has one: what an approver's
   * `reportCost` charges counts against. A model-backed approver that cannot tell what its call
   * cost (no usage reported) refuses to decide when this is set.
   */
  readonly costBudget?: number;
  readonly payload: unknown;
}

/** One approver's decision. */
export interface ApprovalDecision {
  readonly by: string;
  readonly decision: 'approved' | 'rejected';
  /** The approver's comment or rejection reason. */
  readonly note?: string;
  readonly at: number;
}

export type ApprovalStatus = 'pending' | 'approved' | 'rejected' | 'expired' | 'cancelled';

/** An approval's record: the request, the decisions so far, and its status. */
export interface Approval extends ApprovalRequest {
  readonly status: ApprovalStatus;
  readonly decisions: readonly ApprovalDecision[];
  /** Approvers asked so far, in order (the request moves up when it expires). */
  readonly askedApprovers: readonly string[];
  readonly decidedAt?: number;
}

// ─── Messages between agents ────────────────────────────────────────────────────────────

/**
 * Every message agents exchange: one discriminated union on `type`.
 * Down the tree: `task.assign`, `task.cancel`, `approval.granted`, `approval.denied`,
 * `escalation.resolved`. Up the tree: `task.completed`, `task.failed`, `escalation.raised`,
 * `approval.requested`, `approval.withdrawn` (the request no longer needs that approver).
 */
export type AgentMessage =
  /** `mode` defaults to `route`; `execute` makes the receiver do it itself (a person assigning it, say). */
  | { readonly type: 'task.assign'; readonly task: Task; readonly mode?: 'route' | 'execute' }
  | { readonly type: 'task.cancel'; readonly taskId: string; readonly reason?: string }
  | { readonly type: 'task.completed'; readonly task: Task; readonly settlement: Settlement }
  | { readonly type: 'task.failed'; readonly task: Task; readonly settlement: Settlement }
  | { readonly type: 'escalation.raised'; readonly escalation: EscalationRequest }
  | { readonly type: 'escalation.resolved'; readonly escalationId: string; readonly resolvedBy: string; readonly settlement: Settlement }
  | { readonly type: 'approval.requested'; readonly approval: ApprovalRequest }
  | { readonly type: 'approval.granted'; readonly approvalId: string; readonly by: string; readonly comment?: string }
  | { readonly type: 'approval.denied'; readonly approvalId: string; readonly by: string; readonly reason?: string }
  | { readonly type: 'approval.withdrawn'; readonly approvalId: string };

export type AgentMessageType = AgentMessage['type'];
