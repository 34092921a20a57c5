/**
 * Executors: the async functions that do an agent's actual work, and the context they get —
 * the agent, an AbortSignal, the delegation chain, an idempotency key, and the means to
 * escalate or ask for approval instead of failing.
 */
import { textProblem } from '../shape/index.js';
import type { Hierarchy } from '../hierarchy/hierarchy.js';
import type { AgentNode } from '../hierarchy/types.js';
import { ApprovalSignal, EscalationSignal } from '../signals.js';
import { show } from '../show.js';
import { EchelonError } from '../errors.js';
import { checkApproval } from '../task-input.js';
import { ESCALATION_REASONS, type ApprovalRequirement, type EscalationReason, type Task } from '../types.js';
import { LazySignal, thunkAccessor } from '../lazy-signal.js';
import { followAbort, type AttemptState } from './attempts.js';

/** What an executor knows while it runs. */
export interface ExecutionContext {
  /** The agent executing. */
  readonly agent: AgentNode;
  readonly hierarchy: Hierarchy;
  /** Aborted when the attempt times out or the task is cancelled: pass it to your I/O. */
  readonly signal: AbortSignal;
  /** The agents the task came through, entry agent first, this agent last. */
  readonly chain: readonly string[];
  /** 1 for the first attempt, then 2, 3 … on retries. */
  readonly attempt: number;
  /** The same for every attempt and every restart of this task at this agent: use it to skip repeated side effects. */
  readonly idempotencyKey: string;
  /** True when the task was approved (it waited for approval and got it). */
  readonly approved: boolean;
  /** The orchestrator's clock (simulated in tests). */
  now(): number;
  /**
   * Adds to the task's cost (tokens, say), a finite number ≥ 0 (anything else throws
   * `invalid_option`). Over the task's budget it throws `budget_exceeded`: the attempt stops and
   * the task escalates.
   */
  reportCost(amount: number): void;
  /**
   * Reports progress — a text delta, a step name, a percentage: any JSON value — to whoever follows
   * the task (`org.stream`, `submit(task, { onProgress })`, the live view), tagged with the task,
   * this agent, the attempt and the task's path in the tree. Cheap when nobody listens; never
   * persisted. Throws `invalid_progress` for a value that is not JSON data.
   *
   * @example
   * ```ts
   * const executor: Executor = async (task, { progress }) => {
   *   for (const step of ['plan', 'build', 'test']) progress({ step });
   *   return 'done';
   * };
   * ```
   */
  progress(data: unknown): void;
  /** True while someone follows this task's progress: worth streaming (a model's tokens) rather than waiting for the whole answer. */
  readonly streaming: boolean;
  /** Stop here and escalate the task with this reason; the runtime routes it up. */
  escalate(reason: EscalationReason, message?: string): never;
  /** Stop here and park the task until it is approved; the executor then runs again with `approved: true`. */
  requestApproval(requirement?: ApprovalRequirement): never;
}

/**
 * Does an agent's work. Whatever it returns (or resolves to) is the task's result; whatever it
 * throws fails the attempt (retried per the execution policy, then escalated).
 *
 * @example
 * ```ts
 * const coder: Executor<{ feature: string }> = async (task, { agent, signal }) => {
 *   const response = await fetch(`https://example.com/build/${task.payload.feature}`, { signal });
 *   return { by: agent.id, status: response.status };
 * };
 * ```
 */
export type Executor<TPayload = unknown, TResult = unknown> = (task: Task<TPayload>, context: ExecutionContext) => TResult | Promise<TResult>;

/** What `executionContext` builds an attempt's context from. */
export interface ExecutionContextArgs {
  agent: AgentNode;
  hierarchy: Hierarchy;
  task: Task;
  /** Makes the attempt's signal (only when the executor reads it). */
  signal: () => AbortSignal;
  attempt: number;
  idempotencyKey: string;
  now: () => number;
  reportCost: (amount: number) => void;
  /** Where progress goes (default: nowhere) and whether anyone listens (default: nobody). */
  progress?: (data: unknown) => void;
  listening?: () => boolean;
  /** The attempt as the runtime follows it ({@link followAttemptAbort} reads it). */
  state?: AttemptState;
}

const nobodyListens = () => false;
const LISTENING = Symbol('listening');
const STATE = Symbol('attempt');
const nowhere = () => undefined;

/**
 * An attempt's context: own properties in the order the interface lists them, `signal` and
 * `streaming` read when asked through getters shared by every context (see `LazySignal`: an
 * object literal with getters made per attempt kept each attempt's garbage alive to the next full collection).
 */
class AttemptContext extends LazySignal implements ExecutionContext {
  declare readonly agent: AgentNode;
  declare readonly hierarchy: Hierarchy;
  declare readonly signal: AbortSignal;
  declare readonly chain: readonly string[];
  declare readonly attempt: number;
  declare readonly idempotencyKey: string;
  declare readonly approved: boolean;
  declare readonly now: () => number;
  declare readonly reportCost: (amount: number) => void;
  declare readonly progress: (data: unknown) => void;
  declare readonly streaming: boolean;
  declare readonly escalate: (reason: EscalationReason, message?: string) => never;
  declare readonly requestApproval: (requirement?: ApprovalRequirement) => never;
  readonly [LISTENING]: () => boolean;
  readonly [STATE]: AttemptState | undefined;

  static readonly #streaming = thunkAccessor(LISTENING);

  constructor(args: ExecutionContextArgs) {
    super(args.signal);
    this[LISTENING] = args.listening ?? nobodyListens;
    this[STATE] = args.state;
    this.agent = args.agent;
    this.hierarchy = args.hierarchy;
    this.defineSignal();
    this.chain = args.task.chain;
    this.attempt = args.attempt;
    this.idempotencyKey = args.idempotencyKey;
    this.approved = args.task.approvedBy.length > 0;
    this.now = args.now;
    this.reportCost = args.reportCost;
    this.progress = args.progress ?? nowhere;
    Object.defineProperty(this, 'streaming', AttemptContext.#streaming);
    this.escalate = (reason, message) => escalateFrom(args, reason, message);
    this.requestApproval = (requirement = {}) => approvalFrom(requirement);
  }
}

function escalateFrom(args: ExecutionContextArgs, reason: EscalationReason, message: string | undefined): never {
  // A reason that is none would travel up as an escalation no policy knows how to resolve.
  if (!(ESCALATION_REASONS as readonly unknown[]).includes(reason)) {
    throw new EchelonError('invalid_option', `context.escalate: ${show(reason)} is not an escalation reason (${ESCALATION_REASONS.join(', ')}).`);
  }
  if (message !== undefined && typeof message !== 'string') throw new EchelonError('invalid_option', `context.escalate: the message must be a string, got ${typeof message}.`);
  const problem = message === undefined ? undefined : textProblem(message, 'the message');
  if (problem !== undefined) throw new EchelonError('invalid_option', `context.escalate: ${problem}`);
  throw new EscalationSignal(reason, message ?? `${args.agent.id} escalated "${args.task.type}" (${reason}).`);
}

function approvalFrom(requirement: ApprovalRequirement): never {
  if (typeof requirement !== 'object' || requirement === null || Array.isArray(requirement)) {
    throw new EchelonError('invalid_option', `context.requestApproval takes an approval requirement { level?, role?, approver?, quorum?, timeoutMs?, reason? }, got ${show(requirement)}.`);
  }
  // The same numbers and role a task's own approval must have (a negative timeout would expire the request at once).
  checkApproval(requirement, (message) => new EchelonError('invalid_option', `context.requestApproval: ${message}`));
  throw new ApprovalSignal(requirement);
}

/**
 * @internal Calls `listener` with the reason when the runtime aborts the attempt `context` belongs
 * to (a timeout, a cancellation), at the moment its signal would abort, without making the signal;
 * false when it cannot (a context it did not make, an attempt already over): listen to `signal`.
 */
export function followAttemptAbort(context: ExecutionContext, listener: (reason: EchelonError) => void): boolean {
  const state = context instanceof AttemptContext ? context[STATE] : undefined;
  return state !== undefined && followAbort(state, listener);
}

/** Builds the context an executor gets for one attempt. */
export function executionContext(args: ExecutionContextArgs): ExecutionContext {
  return new AttemptContext(args);
}
