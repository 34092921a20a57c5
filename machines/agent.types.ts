/**
 * The agent statechart's vocabulary: its input and context, the events it handles, the names
 * of its states, and the ids of the actors it spawns.
 */
import type { Candidate } from '../src/delegation/types.js';
import type { ApproverDecision } from '../src/approval/approvers.js';
import type { Join } from '../src/delegation/join.js';
import type { TaskError } from '../src/errors.js';
import type { AgentMessage, ApprovalRequest, Task } from '../src/types.js';
import type { ApprovalSettled } from './approval.machine.js';
import type { Job, Step } from './environment.js';
import type { ExecutionReport } from './execution.machine.js';

export interface AgentInput {
  readonly agentId: string;
}

/** A decision still being made (a strategy or policy returned a promise). */
export type PendingStep = {
  readonly kind: 'pending';
  readonly key: string;
  readonly phase: 'evaluate' | 'select';
  /** The candidates the strategy is choosing among (phase `select`). */
  readonly candidates: readonly Candidate[];
};

export interface AgentContext {
  readonly agentId: string;
  /** Tasks handed to each child that have not come back. */
  readonly load: Readonly<Record<string, number>>;
  /** Jobs waiting for the pipeline (only non-empty while a decision is pending). */
  readonly inbox: readonly Job[];
  /** The job in the pipeline, and what was decided for it. */
  readonly job: Job | null;
  readonly step: Step | PendingStep | null;
  /** Tasks accepted for execution, waiting for a free slot. */
  readonly queue: readonly Task[];
  /** Tasks executing now, by task id (each has an `exec:<taskId>` child). */
  readonly running: Readonly<Record<string, Task>>;
  /** Tasks awaiting approval, by approval id (each has an `approval:<approvalId>` child). */
  readonly parked: Readonly<Record<string, Task>>;
  /** Tasks this agent escalated, by escalation id, until the escalation resolves. */
  readonly escalated: Readonly<Record<string, Task>>;
  /** Jobs waiting for resources to be released. */
  readonly deferred: readonly Job[];
  /** Tasks this agent split, by task id, until their subtasks join. */
  readonly joins: Readonly<Record<string, Join>>;
}

/** What an agent's own helpers tell it. */
export type AgentInternalEvent =
  | ExecutionReport
  | ApprovalSettled
  | { readonly type: 'approver.decided'; readonly request: ApprovalRequest; readonly decision: ApproverDecision | undefined; readonly error?: TaskError }
  | { readonly type: 'resource.released'; readonly resources: readonly string[] }
  /** A request this agent was asked to decide no longer needs its decision (decided, moved up, withdrawn). */
  | { readonly type: 'approval.withdrawn'; readonly approvalId: string };

/** Every event an agent handles: the messages between agents, and its helpers' reports. */
export type AgentEvent = AgentMessage | AgentInternalEvent;

/** The five states every agent moves through (part of the API: tests and inspectors show them). */
export const AGENT_STATES = ['receiving', 'evaluatingEscalation', 'delegating', 'executing', 'awaitingApproval'] as const;
export type AgentStateName = (typeof AGENT_STATES)[number];

/** The id of a child agent's actor in its parent (its `systemId` is the agent id itself). */
export const agentChildId = (agentId: string) => `agent:${agentId}`;
export const executionChildId = (taskId: string) => `exec:${taskId}`;
export const approvalChildId = (approvalId: string) => `approval:${approvalId}`;
export const approverChildId = (approvalId: string) => `approver:${approvalId}`;

/** The id of the task an escalation's target works on to resolve it. */
export const resolutionTaskId = (taskId: string, escalationId: string) => `${taskId}!${escalationId}`;

/** Shared empty values for a fresh context (frozen: contexts are never mutated). */
export const NOTHING: Readonly<Record<string, never>> = Object.freeze({});
export const NONE: readonly never[] = Object.freeze([]);
