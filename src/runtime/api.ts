/**
 * The orchestrator's public contract: what a running organisation offers its callers, and
 * the status and agent views it hands out.
 */
import type { AgentActorRef, AgentStateName } from '../../machines/agent.machine.js';
import type { TaskPhase } from '../../machines/task.machine.js';
import type { Hierarchy } from '../hierarchy/hierarchy.js';
import type { Role } from '../hierarchy/types.js';
import type { Forgotten, ForgetQuery, JournalEntry, JournalQuery } from '../store/types.js';
import type { ReplayStep } from '../replay/steps.js';
import type { Approval, Escalation, EscalationResolution, Outcome, TaskInput } from '../types.js';
import type { ProgressEvent, TaskStreamOptions } from '../stream/index.js';
import type { EventStreamOptions } from './event-stream.js';
import type { TaskStream } from './streaming.js';
import type { SubmitOptions } from './submit.js';
import type { EventOfType, Listener, OrchestratorEvent, OrchestratorEventType } from './events.js';

/** The reference's `get_status`, plus pending approvals. */
export interface OrchestratorStatus {
  readonly hierarchyDepth: number;
  readonly totalAgents: number;
  /**
   * Submitted tasks not yet settled. After `stop()` the tasks it interrupted stay counted: they have
   * no outcome (their submitters' promises rejected with `orchestrator_stopped`), and on a store an
   * organisation resumed from it (`resume: true`) takes them up again.
   */
  readonly activeTasks: number;
  readonly activeEscalations: number;
  readonly resolvedEscalations: number;
  readonly pendingApprovals: number;
  /** Executor attempts and awaited decisions (a strategy, policy or approver answering with a promise) still running. */
  readonly inFlight: number;
}

/** One agent, as its actor sees itself now. */
export interface AgentStatus {
  readonly id: string;
  readonly role: Role;
  readonly level: number;
  readonly state: AgentStateName;
  /** Tasks waiting for this agent: its inbox and its execution queue. */
  readonly queued: number;
  readonly running: readonly string[];
  readonly awaitingApproval: readonly string[];
  readonly escalated: readonly string[];
  /** Tasks this agent split, waiting for their subtasks. */
  readonly decomposed: readonly string[];
  /** Tasks whose decision (a strategy, policy or decomposer answering with a promise) is pending. */
  readonly deciding: readonly string[];
  /** Tasks waiting for resources to be released. */
  readonly deferred: readonly string[];
  /** Every task this agent holds, with where it is in the task lifecycle chart. */
  readonly held: Readonly<Record<string, TaskPhase>>;
  /** In-flight tasks per child. */
  readonly load: Readonly<Record<string, number>>;
}

/** A running organisation. */
export interface Orchestrator {
  readonly hierarchy: Hierarchy;
  /** The root agent's actor (the XState system's root), for inspection and advanced use. */
  readonly actor: AgentActorRef;
  /**
   * Aborted once the organisation has stopped — by `org.stop()`, or by a failure that stops it (a
   * store that cannot be written) — with why as its `reason` (an `EchelonError`,
   * `orchestrator_stopped` or the failure's own code). By then every submitter, `outcome` and
   * `drain` still waiting has been rejected, and event readers and task streams have ended. Hand
   * it to what should end with the organisation.
   *
   * @example
   * ```ts
   * org.signal.addEventListener('abort', () => console.log('stopped:', org.signal.reason.message), { once: true });
   * await fetch(url, { signal: org.signal }); // given up when the organisation stops
   * ```
   */
  readonly signal: AbortSignal;
  /**
   * Submits a task (to the root, or to `at`) and resolves with its outcome once it settles;
   * `onProgress` gets its progress (and its derived tasks') from before its first hop.
   */
  submit<TResult = unknown>(task: TaskInput, options?: SubmitOptions): Promise<Outcome<TResult>>;
  /**
   * A task's stream: its progress and lifecycle events, and those of everything derived from it
   * (subtasks, resolutions of its escalations, retries), in the order they happened, ending with
   * the submitted task's outcome. Given a task id, it follows an active task from now on (a
   * recently finished one yields its outcome and ends); given a task, it submits it and follows
   * it from before its first hop. Progress beyond `bufferSize` unread events drops oldest first
   * (a `stream.dropped` notice says how many); lifecycle events are never dropped. It ends on
   * `break`, when `signal` aborts, or when the organisation stops. Throws `unknown_task` for a
   * task id it does not know. One dropped unread is collected (held weakly while no `next()` waits).
   *
   * @example
   * ```ts
   * const stream = org.stream({ type: 'api_design' });
   * for await (const event of stream) {
   *   if (event.type === 'task.progress') console.log(event.path.join(' › '), event.agent, event.data);
   * }
   * (await stream.outcome).status; // 'completed'
   * ```
   */
  stream(task: string | TaskInput, options?: TaskStreamOptions & { readonly at?: string }): TaskStream;
  /**
   * Listens to every task's progress (a dashboard, the live view); returns the unsubscribe
   * function. While someone listens, executors that can stream (`llmExecutor`) do.
   */
  onProgress(listener: (event: ProgressEvent) => void): () => void;
  /**
   * The outcome of a task: waits while it is active; recent finished outcomes resolve at once.
   * Rejects with `orchestrator_stopped` for a task the organisation stopped before it settled.
   */
  outcome<TResult = unknown>(taskId: string): Promise<Outcome<TResult>>;
  /**
   * Cancels a task wherever it is (aborting its executor, cancelling its derived tasks); resolves with
   * its outcome (a recently finished task's too). Rejects with `unknown_task` for an id that is neither
   * active nor recent, or that is part of another task (a subtask, a resolution task: its message and
   * `details.rootId` name the task to cancel) — not awaited nor caught, an unhandled rejection, which
   * ends a Node process by default.
   *
   * @example
   * ```ts
   * await org.cancel('deploy-42', 'superseded');               // the outcome: 'cancelled', or how it had ended
   * void org.cancel(id).catch(() => undefined);                // fire and forget, whatever is still there
   * ```
   */
  cancel(taskId: string, reason?: string): Promise<Outcome>;
  status(): OrchestratorStatus;
  agentState(agentId: string): AgentStatus;
  /** Listens to one lifecycle event type, or `'*'` for all; returns the unsubscribe function. */
  on<T extends OrchestratorEventType | '*'>(type: T, listener: Listener<T>): () => void;
  /**
   * The same events as an async iterator (all, or one type), buffered between reads. It ends on
   * `break` / `return()`, when `signal` aborts, or when the orchestrator stops; a reader that
   * falls `maxBuffered` events behind (default 100,000) reads what was held, then gets `events_overflow`.
   * One dropped without `return()` is collected with what it held (held weakly while no `next()` waits).
   *
   * @example
   * ```ts
   * for await (const event of org.events('task.completed')) console.log(event.outcome.taskId);
   * ```
   */
  events<T extends OrchestratorEventType | '*' = '*'>(
    type?: T,
    options?: EventStreamOptions,
  ): AsyncIterableIterator<T extends OrchestratorEventType ? EventOfType<T> : OrchestratorEvent>;
  readonly escalations: {
    active(): Escalation[];
    resolved(): Escalation[];
    get(id: string): Escalation | undefined;
    /** Resolves an escalation that reached the top and waits for a person. */
    resolve(id: string, resolution: EscalationResolution): void;
  };
  readonly approvals: {
    pending(): Approval[];
    get(id: string): Approval | undefined;
    /** Approves as `by`, an agent with authority over the request (a person acting for that agent). */
    approve(id: string, decision: { readonly by: string; readonly comment?: string }): void;
    reject(id: string, decision: { readonly by: string; readonly reason?: string }): void;
  };
  /**
   * The audit log (with a `store`): every task, delegation hop, execution, escalation and
   * approval decision, with time and actor, oldest first — all of them, or one task's (a
   * submitted task's includes its subtasks and escalations).
   *
   * @example
   * ```ts
   * for (const entry of org.journal({ taskId: outcome.taskId })) console.log(entry.at, entry.actor, entry.type);
   * ```
   */
  journal(query?: JournalQuery): JournalEntry[];
  /**
   * The journal as replay steps (with a `store`): each entry — all of them, or one task's — with
   * every agent's state right after it, as `echelon replay` shows them.
   *
   * @example
   * ```ts
   * const parked = org.history('deploy-42').find((step) => step.entry.type === 'approval.requested');
   * parked?.agents.find((agent) => agent.id === 'backend_dev_1')?.state; // 'awaitingApproval'
   * ```
   */
  history(taskId?: string): ReplayStep[];
  /**
   * Forgets finished work, so that an organisation that runs for months keeps a store of bounded
   * size: every submitted task that finished before `settledBefore` (ms on the orchestrator's
   * clock; at most `limit` of them, oldest first) goes — its outcome, its escalations and
   * approvals, and its journal lines — from the store, at the next write point (with `limit` in one
   * transaction; without it in transactions of 10,000 tasks, the organisation running between them),
   * and from the recent outcomes kept in memory. Active tasks stay, however old, and so do the
   * organisation's own lines (`organisation.started`, `organisation.resumed`); journal `seq`
   * numbers are never used again. A forgotten task is then unknown, as one never submitted
   * (`org.outcome` rejects with `unknown_task`, `org.journal({ taskId })` is empty), and its id
   * can be submitted again. Each transaction that took something emits a `tasks.forgotten`
   * event (an open live view drops those tasks). Without a store it drops recent outcomes from memory
   * (`journalEntries: 0`). Refuses (`invalid_option`) a query with an unknown key, a
   * `settledBefore` that is no finite number, a `limit` that is no whole number ≥ 1, and a
   * store without `forget`, changing nothing.
   *
   * @example
   * ```ts
   * const DAY = 86_400_000;
   * // Once a day, forget what finished more than 30 days ago.
   * setInterval(() => void org.forget({ settledBefore: Date.now() - 30 * DAY }).catch(console.error), DAY).unref();
   * // At most 500 tasks, in one transaction.
   * await org.forget({ settledBefore: Date.now() - 30 * DAY, limit: 500 });
   * ```
   */
  forget(query: ForgetQuery): Promise<Forgotten>;
  /**
   * Resolves once everything that happened so far is written to the store (at once without one).
   *
   * @example
   * ```ts
   * org.submit({ id: 'deploy-42', type: 'deploy', context: { requiresApproval: true } });
   * await org.flush(); // from here on, a crash cannot lose the submission
   * ```
   */
  flush(): Promise<void>;
  /** Resolves when no submitted task is active; rejects with `orchestrator_stopped` if the organisation stops first. */
  drain(): Promise<void>;
  /** Stops every agent; tasks still waiting reject with `orchestrator_stopped`. */
  stop(): Promise<void>;
}
