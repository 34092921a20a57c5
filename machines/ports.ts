/**
 * What the agent statechart is given, as three ports: the **policy** (pure decisions: routing,
 * escalation, approvals, decomposition — each may answer at once or with a promise), the
 * **settings** (numbers resolved per agent), and the **host** (everything with an effect:
 * messages, timers, executors, time, ids, reports). Handling a message yields a list of
 * {@link Effect}s; a host carries them out. The in-process XState host is one; a durable engine
 * is another. The host port offers only what every host can do: nothing here reads shared
 * in-process state synchronously.
 */
import type { ApproverDecision } from '../src/approval/approvers.js';
import type { Candidate } from '../src/delegation/types.js';
import type { Join } from '../src/delegation/join.js';
import type { TaskError } from '../src/errors.js';
import type { ResolutionMode } from '../src/escalation/types.js';
import type {
  AgentMessage,
  ApprovalDecision,
  ApprovalRequest,
  ApprovalRequirement,
  EscalationReason,
  EscalationRequest,
  ExecutionPolicy,
  Settlement,
  Task,
} from '../src/types.js';
import type { AgentInternalEvent } from './agent.types.js';
import type { Job, Step } from './steps.js';

export type { Job, Step } from './steps.js';

/** What a decision that may take time gets: a signal, aborted when the agent stops waiting, and a cost meter. */
export interface DecisionControl {
  readonly signal: AbortSignal;
  /** Charges the task's cost budget (throws `budget_exceeded` over it). */
  reportCost(amount: number): void;
}

/** A decision's answer: now, or later. */
export type Answer<T> = T | Promise<T>;

/** Pure decisions: the same for every host; each may answer with a promise (a model deciding, say). */
export interface PolicyPort {
  /** Decides what an agent does with a job: escalate, delegate, execute, defer or fail. */
  evaluate(agentId: string, job: Job, load: Readonly<Record<string, number>>): Answer<Step>;
  /** Picks the child for a job the agent delegates (the strategy or a decomposer). */
  select(agentId: string, job: Job, candidates: readonly Candidate[], control: DecisionControl): Answer<Step>;
  /** The code a failed or timed-out `select` gets: `strategy_error`, or `decomposer_error` when a decomposer was asked. */
  failureCode(agentId: string, job: Job): 'strategy_error' | 'decomposer_error';
  /** What the agent does after its executor failed for good (`retryable: false` when a retry cannot fix `error`), or asked to escalate. */
  escalateAfter(agentId: string, task: Task, reason: EscalationReason, message: string, error?: TaskError, retryable?: boolean): Step;
  /** How an escalation's target resolves it. */
  resolutionMode(reason: EscalationReason): ResolutionMode;
  /** The approval request for a task parked at an agent, or why none can be made. */
  approvalRequest(agentId: string, task: Task, requirement: ApprovalRequirement, approvalId: string, now: number): ApprovalRequest | TaskError;
  /** Whether `by` may decide the request now (undefined = yes). */
  authorize(request: ApprovalRequest, decisions: readonly ApprovalDecision[], by: string): TaskError | undefined;
  /** The next approver up (and the level it brings), when a request expires; `undefined` at the root. */
  nextApprover(request: ApprovalRequest): { readonly approver: string; readonly requiredLevel: number } | undefined;
  /** An agent's own decision on a request sent to it; `undefined` leaves it to a person. */
  decideApproval(agentId: string, request: ApprovalRequest, control: DecisionControl): Answer<ApproverDecision | undefined>;
  /** The parent's settlement once its join is done: merged results, the subtask tree, the failures. */
  settleJoin(agentId: string, join: Join): Settlement;
}

/** Numbers and limits, resolved per agent once. */
export interface SettingsPort {
  /** The agents that report to `agentId`, spawned when it starts. */
  childIds(agentId: string): readonly string[];
  /** How many tasks the agent executes at once. */
  concurrency(agentId: string): number;
  /** How many asynchronous decisions the agent waits for at once; more tasks wait to be decided. */
  decisionConcurrency(agentId: string): number;
  /** How long an asynchronous decision may take before its task fails. */
  decisionTimeoutMs(agentId: string): number;
  /** The timeout and retries for a task at an agent (throws for overrides that cannot be merged). */
  executionPolicy(agentId: string, task: Task): ExecutionPolicy;
  /** Whether a failed attempt (what the executor threw, or a timeout) may be retried. */
  retryable(agentId: string, thrown: unknown): boolean;
  /** How long an approval waits for a decision when its requirement names no timeout (`undefined`: no limit). */
  readonly approvalTimeoutMs: number | undefined;
}

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
  /**
   * Something the agent could not process; the host surfaces it and fails the task if one is named.
   * An approver's fault names the request it was deciding instead (its task is the requester's, and goes on).
   */
  | { readonly type: 'agent.fault'; readonly agent: string; readonly error: TaskError; readonly task?: Task; readonly approvalId?: string };

/** One attempt of an executor, as the host runs it. */
export interface ExecutionRequest {
  readonly task: Task;
  readonly agentId: string;
  readonly attempt: number;
  /** The same for every attempt and every restart of this task at this agent. */
  readonly idempotencyKey: string;
}

/**
 * What handling one message asks the host to do, in order. Timers and awaited decisions come back
 * to the agent as its own events (`echelon.*`), tagged so that a stale one is recognised.
 */
export type Effect =
  | { readonly type: 'send'; readonly to: string; readonly message: AgentMessage }
  | { readonly type: 'execute'; readonly request: ExecutionRequest }
  /** Abort the task's running attempt, number `attempt` (a host that may see aborts late, Restate's, drops one for an earlier attempt). */
  | { readonly type: 'abort'; readonly taskId: string; readonly attempt: number | undefined }
  | { readonly type: 'arm'; readonly key: string; readonly delayMs: number; readonly event: AgentInternalEvent }
  | { readonly type: 'disarm'; readonly key: string }
  /**
   * Wait for a decision that answered with a promise; its answer (or its timeout) comes back as the
   * event `answer` (or `fail`) makes. A host that loses the promise (the process holding it
   * restarted) sends the agent `again()`: the agent asks the decision again, as after a restore.
   */
  | {
      readonly type: 'await';
      readonly key: string;
      readonly promise: Promise<unknown>;
      readonly timeoutMs: number;
      readonly abort: () => void;
      readonly answer: (value: unknown) => AgentInternalEvent;
      readonly fail: (error: unknown) => AgentInternalEvent;
      readonly again: () => AgentInternalEvent | AgentMessage;
    }
  /** Stop waiting for a decision (its task was cancelled, or it is no longer needed): its signal aborts. */
  | { readonly type: 'forget'; readonly key: string }
  /** Hold / free a task's declared resources: asked only for a task that declares some. */
  | { readonly type: 'claim'; readonly task: Task }
  | { readonly type: 'release'; readonly taskId: string }
  | { readonly type: 'report'; readonly report: AgentReport };

/** The failure every host gives an awaited decision (`await` effect) that did not answer within its timeout. */
export function decisionTimedOut(agentId: string, timeoutMs: number): Error {
  return new Error(`${agentId} waited ${timeoutMs} ms for a decision that did not answer.`);
}

/** The effects the agent statechart asks for, and the little it reads from its host. */
export interface HostPort {
  /** Carries out the effects one message produced at `agentId`. */
  perform(agentId: string, effects: readonly Effect[]): void;
  now(): number;
  random(): number;
  newId(prefix: string): string;
  /** Charges the cost budget of an active task (by id); throws `budget_exceeded` over it. */
  charge(taskId: string, amount: number): void;
  /**
   * Whether a task under this id is active anywhere in the organisation, subtasks included, as the
   * host knows it. Given, an agent asks it as it splits a task, in the turn the split is made: a
   * subtask id that is active fails the split with `duplicate_task`. (An agent refuses a second
   * task under an id it holds itself in any case.)
   */
  isActive?(taskId: string): boolean;
}

/** The three ports, as the agent statechart is built over them. */
export interface AgentPorts {
  readonly policy: PolicyPort;
  readonly settings: SettingsPort;
  readonly host: HostPort;
}
