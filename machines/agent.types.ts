/**
 * The agent statechart's vocabulary: its context (one record per held task), the events it
 * handles, the names of its states, and the ids it gives things.
 */
import type { ApproverDecision } from '../src/approval/approvers.js';
import type { Candidate } from '../src/delegation/types.js';
import type { Join } from '../src/delegation/join.js';
import type { TaskError } from '../src/errors.js';
import type { ResolutionMode } from '../src/escalation/types.js';
import type { AgentMessage, ApprovalDecision, ApprovalRequest, ApprovalRequirement, EscalationReason, ExecutionPolicy, Task } from '../src/types.js';
import type { Step } from './steps.js';
import type { TaskPhase } from './task.machine.js';

export interface AgentInput {
  readonly agentId: string;
}

/** A request this agent made for one of its tasks, while it waits for decisions. */
export interface HeldApproval {
  request: ApprovalRequest;
  decisions: readonly ApprovalDecision[];
  /** Every approver asked so far, in order. */
  asked: readonly string[];
  /** How long each approver has before the request moves up; absent: no expiry. */
  readonly timeoutMs: number | undefined;
}

/**
 * Where one task is with this agent: its phase in the task lifecycle chart and what that phase
 * needs to know. The agent's whole state is one table of these, by task id.
 */
export interface HeldTask {
  task: Task;
  phase: TaskPhase;
  mode: ResolutionMode;
  /** The child its decomposer addressed it to. */
  readonly to?: string;
  /** While `deciding`: which decision, and the token its answer must carry. */
  decision?: { readonly phase: 'evaluate' | 'select'; readonly token: number };
  /** An awaited decision's answer, taken by the pipeline when the task comes back to it. */
  answer?: { readonly phase: 'evaluate' | 'select'; readonly step: Step };
  /** How many times its host lost the decision it awaited and it was asked again (a cap ends the task: see `redecide`). */
  reasked?: number;
  /** While `delegating`: the candidates the evaluation found. */
  candidates?: readonly Candidate[];
  /** While `queued`, `running` or in `backoff`. */
  policy?: ExecutionPolicy;
  attempt?: number;
  /** When the running attempt times out, or the backoff ends (host clock): what a restore re-arms from. */
  deadline?: number;
  error?: TaskError;
  /** While `parked`. */
  approval?: HeldApproval;
  /** While `escalated`. */
  escalationId?: string;
  /** While `split`. */
  join?: Join;
  /** While `deferred`. */
  resources?: readonly string[];
}

export interface AgentContext {
  readonly agentId: string;
  /**
   * One record per task this agent holds. The context is the agent's own: handlers change it in
   * place (no `assign` per hop) and bump `version`, which is what persistence compares.
   */
  readonly held: Record<string, HeldTask>;
  /** Tasks handed to each child that have not come back. */
  readonly load: Record<string, number>;
  /** Received tasks waiting for the pipeline, oldest first. */
  readonly ready: string[];
  /** Tasks accepted for execution, waiting for a free slot, oldest first. */
  readonly queue: string[];
  /** Approval ids of the requests this agent waits for → task id; escalation ids it raised → task id. */
  readonly approvals: Record<string, string>;
  readonly escalations: Record<string, string>;
  /** Cancellations that arrived before their task did (bounded): the task is ended when it arrives. */
  readonly cancelled: Record<string, string>;
  /**
   * The task in the pipeline during this step, if any (never between messages). A task that only
   * passes through — handed straight to a child — never enters the table.
   */
  current: HeldTask | null;
  /** Where the chart rests between messages, from what the agent holds. */
  rest: AgentStateName;
  running: number;
  /** Decisions awaited, and how many of them are escalation evaluations. */
  deciding: number;
  evaluating: number;
  parked: number;
  /** Tokens for decisions and timers (and the order of things), counting up. */
  seq: number;
  /** Changes on every handled message: persistence writes an agent when it moved. */
  version: number;
}

/** What an agent's host tells it: an attempt's result, a timer, an awaited decision's answer. */
export type AgentInternalEvent =
  | { readonly type: 'echelon.executed'; readonly taskId: string; readonly attempt: number; readonly result: ExecutionResult }
  | { readonly type: 'echelon.timer'; readonly taskId: string; readonly token: number; readonly what: 'attempt' | 'backoff' | 'approval' }
  | { readonly type: 'echelon.decided'; readonly taskId: string; readonly token: number; readonly phase: 'evaluate' | 'select'; readonly step: Step }
  | { readonly type: 'echelon.approver'; readonly request: ApprovalRequest; readonly decision: ApproverDecision | undefined; readonly error?: TaskError }
  /** The host lost the decision this task awaited (the process holding it restarted): decide the task again. */
  | { readonly type: 'echelon.redecide'; readonly taskId: string; readonly token: number }
  /** Resources this agent waited for were released. */
  | { readonly type: 'echelon.released'; readonly resources: readonly string[] }
  /** Take up what a restore brought back (re-run attempts, re-ask decisions). */
  | { readonly type: 'echelon.resume' };

/** How one attempt ended, as data. */
export type ExecutionResult =
  | { readonly kind: 'ok'; readonly value: unknown }
  | { readonly kind: 'error'; readonly error: TaskError; readonly retryable: boolean }
  | { readonly kind: 'escalate'; readonly reason: EscalationReason; readonly message: string }
  | { readonly kind: 'approval'; readonly requirement: ApprovalRequirement };

/** Every event an agent handles: the messages between agents, and its host's reports. */
export type AgentEvent = AgentMessage | AgentInternalEvent;

/** The five states every agent moves through (part of the API: tests and inspectors show them). */
export const AGENT_STATES = ['receiving', 'evaluatingEscalation', 'delegating', 'executing', 'awaitingApproval'] as const;
export type AgentStateName = (typeof AGENT_STATES)[number];

/** The id of a child agent's actor in its parent (its `systemId` is the agent id itself). */
export const agentChildId = (agentId: string) => `agent:${agentId}`;

/**
 * The id of the task an escalation's target works on to resolve it: the escalated task's id with
 * the escalation's id in place of an earlier escalation's (`<task>!<escalation>`), so it stays
 * short however often a task escalates. (Subtasks of a resolution keep their own ids:
 * `<task>!<escalation>.<key>`.)
 */
export function resolutionTaskId(taskId: string, escalationId: string): string {
  const bang = taskId.lastIndexOf('!');
  const base = bang >= 0 && !taskId.includes('.', bang) ? taskId.slice(0, bang) : taskId;
  return `${base}!${escalationId}`;
}

/** The escalation a resolution task resolves, read off its id. */
export function escalationOfResolution(taskId: string): string | undefined {
  const bang = taskId.lastIndexOf('!');
  return bang < 0 ? undefined : taskId.slice(bang + 1);
}
