/**
 * The storage contract: what an organisation writes so that it can come back after a crash,
 * and the one interface every store implements (in memory, SQLite, your own). Stores keep
 * data, they do not interpret it: every decision about what to write and when lives in the
 * runtime, so one conformance suite can hold every store to the same contract.
 */
import type { ResourceClaim } from '../escalation/types.js';
import type { Approval, BudgetInput, Escalation, Outcome, Task } from '../types.js';
import type { StoreHolder } from './lock.js';

/** An agent of the stored organisation and the agent it reports to (`null` for the root). */
export interface StoredAgentLink {
  readonly id: string;
  readonly parent: string | null;
}

/** What a store says about the organisation it holds, before anything is loaded. */
export interface StoreHeader {
  /** The organisation's shape when it was first stored; a resume needs the same one. */
  readonly agents: readonly StoredAgentLink[];
  /** The format of the agent snapshots (changes when echelon's statecharts change incompatibly). */
  readonly snapshotFormat: number;
  /** Sessions started on this store so far: each orchestrator created on it starts one. */
  readonly sessions: number;
}

/**
 * An agent's statechart, as XState's `getPersistedSnapshot` gives it, without its child agents
 * (each agent is stored on its own, so a change at one agent rewrites only that agent).
 */
export type PersistedSnapshot = { readonly [key: string]: unknown };

/** A task an agent's snapshot refers to, stored once under its key (see `parts.ts`). */
export interface SnapshotPart {
  readonly key: string;
  readonly value: unknown;
}

/** An agent's snapshot as written: the snapshot, the parts it refers to for the first time, and those it no longer does. */
export interface StoredSnapshot {
  readonly id: string;
  readonly snapshot: PersistedSnapshot;
  readonly addedParts: readonly SnapshotPart[];
  readonly removedParts: readonly string[];
}

/** A submitted task's books: what its tree used and went through. */
export interface TaskBook {
  /** The budget as submitted, when there was one. */
  readonly budget?: BudgetInput;
  /** Cost reported per budget account. */
  readonly costs: Readonly<Record<string, number>>;
  /** Subtasks its tree created. */
  readonly subtasks: number;
  /** Its escalations and approvals, by id, oldest first. */
  readonly escalations: readonly string[];
  readonly approvals: readonly string[];
}

/** An active task: the task as its holder got it, who holds it, and a cancellation on its way. */
export interface StoredTask {
  readonly task: Task;
  /** The agent holding it now; `null` while it waits for a person. */
  readonly holder: string | null;
  /** Set once its cancellation was asked for. */
  readonly cancel: string | null;
  /** For a submitted task (`task.id === task.rootId`): its books. */
  readonly book: TaskBook | null;
}

/** An escalation or approval, with the submitted task it belongs to. */
export interface StoredEscalation {
  readonly rootId: string;
  readonly escalation: Escalation;
}
export interface StoredApproval {
  readonly rootId: string;
  readonly approval: Approval;
}

/** Who holds which declared resources, and who waits for them. */
export interface ResourceState {
  readonly claims: readonly ResourceClaim[];
  /** Agents waiting for each resource. */
  readonly waiting: Readonly<Record<string, readonly string[]>>;
}

/** Everything a resume needs: the agents' statecharts and the host's books for active work. */
export interface StoredOrganisation extends StoreHeader {
  readonly snapshots: Readonly<Record<string, PersistedSnapshot>>;
  /** Each agent's parts, by key. */
  readonly parts: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** Active tasks: submitted ones and those derived from them. */
  readonly tasks: readonly StoredTask[];
  /** Escalations and approvals of active submitted tasks. */
  readonly escalations: readonly StoredEscalation[];
  readonly approvals: readonly StoredApproval[];
  readonly resources: ResourceState;
}

/** Kinds of journal entries: the lifecycle of tasks, escalations, approvals and the organisation. */
export type JournalEntryType =
  | 'organisation.started'
  | 'organisation.resumed'
  | 'task.submitted'
  | 'task.delegated'
  | 'task.queued'
  | 'task.started'
  | 'task.retrying'
  | 'task.deferred'
  | 'task.decomposed'
  | 'task.ended'
  | 'task.settled'
  | 'task.cancelling'
  | 'task.redelivered'
  | 'subtask.settled'
  | 'escalation.raised'
  | 'escalation.assigned'
  | 'escalation.resolved'
  | 'approval.requested'
  | 'approval.decided'
  | 'approval.settled'
  | 'approval.refused'
  | 'agent.fault';

/** One line of the audit log, as written. */
export interface JournalRecord {
  readonly type: JournalEntryType;
  /** The orchestrator clock's time. */
  readonly at: number;
  /** Who acted: an agent id, `human:<name>`, `submitter` or `orchestrator`. */
  readonly actor: string;
  readonly taskId?: string;
  /** The submitted task the entry belongs to. */
  readonly rootId?: string;
  /** The facts of the entry (ids, decisions, reasons — never whole payloads). */
  readonly data?: Readonly<Record<string, unknown>>;
}

/** One line of the audit log, as read: numbered in order of writing, with its session. */
export interface JournalEntry extends JournalRecord {
  readonly seq: number;
  readonly session: number;
}

/** Which journal entries to read. */
export interface JournalQuery {
  /** Entries of this task, and of every task derived from it when it is a submitted task. */
  readonly taskId?: string;
  /** Only entries after this sequence number. */
  readonly after?: number;
  /** At most this many entries (the oldest first). */
  readonly limit?: number;
}

/** Which finished work `Store.forget` removes (`org.forget` checks it before a store sees it). */
export interface ForgetQuery {
  /** Finished submitted tasks whose outcome's `settledAt` is before this time (ms on the orchestrator's clock). */
  readonly settledBefore: number;
  /** At most this many tasks (a whole number ≥ 1): those that settled first, by `settledAt`, then by id. */
  readonly limit?: number;
}

/** What a forget removed. */
export interface Forgotten {
  /** Finished submitted tasks: their outcomes, with the rows of their derived tasks. */
  readonly tasks: number;
  readonly escalations: number;
  readonly approvals: number;
  /** Journal lines of those tasks (see `Store.forget`). */
  readonly journalEntries: number;
}

/** One write: everything that changed since the last one, applied in a single transaction. */
export interface StoreBatch {
  /** The session this batch belongs to; a batch that starts a session records it. */
  readonly session: number;
  /** Written with the first batch of a store. */
  readonly header?: Omit<StoreHeader, 'sessions'>;
  readonly snapshots: readonly StoredSnapshot[];
  /** Active tasks that changed (inserted or replaced by task id). */
  readonly tasks: readonly StoredTask[];
  /** Tasks no longer active that left no outcome (derived tasks that finished). */
  readonly removedTasks: readonly string[];
  /** Submitted tasks that finished: each replaces the task's active row. */
  readonly outcomes: readonly Outcome[];
  readonly escalations: readonly StoredEscalation[];
  readonly approvals: readonly StoredApproval[];
  /** The resource registry, when it changed. */
  readonly resources?: ResourceState;
  /** Appended in order. */
  readonly journal: readonly JournalRecord[];
}

/**
 * Where an organisation keeps its state. Writes are synchronous and all-or-nothing: a batch is
 * one transaction, so a crash leaves the store as it was after the last whole batch. Values are
 * plain JSON data; a store must refuse (throw) what it cannot store rather than store part of it.
 * One live orchestrator at a time: it `lock`s the store before reading it and `unlock`s it when
 * it stops; a claim ends with the process that made it, however that process ends.
 *
 * @example
 * ```ts
 * import { createOrchestrator, memoryStore } from 'echelon';
 * import { sqliteStore } from 'echelon/sqlite';
 *
 * const store = process.env.DB ? sqliteStore(process.env.DB) : memoryStore();
 * const org = createOrchestrator({ hierarchy, executors, store, resume: true });
 * ```
 */
export interface Store {
  /** A short name for messages: `memory`, or the SQLite file's path. */
  readonly name: string;
  /**
   * Claims the store for `holder`. Until `unlock(holder)`, `close()` or the end of the holder's
   * process (SIGKILL included), every other claim — from this process or any other that opens
   * the same store — throws an `EchelonError` `store_locked` naming the holder (see `storeLocked`).
   * Claiming again as the same holder does nothing.
   */
  lock(holder: StoreHolder): void;
  /** Gives up `holder`'s claim; does nothing when `holder` holds none. */
  unlock(holder: StoreHolder): void;
  /** What the store holds, or `undefined` when nothing was ever written. Throws when it cannot be read. */
  header(): StoreHeader | undefined;
  /** Loads everything a resume needs. */
  load(): StoredOrganisation;
  /** Applies one batch atomically, or throws and applies none of it. */
  write(batch: StoreBatch): void;
  /** A finished submitted task's outcome. */
  outcome(taskId: string): Outcome | undefined;
  escalation(id: string): Escalation | undefined;
  approval(id: string): Approval | undefined;
  /** Reads the journal, oldest first. */
  journal(query?: JournalQuery): JournalEntry[];
  /**
   * Optional: runs `read` on one state of the store — a write another process commits meanwhile
   * shows in none of its reads (`forkStore` copies a store an organisation is running on through
   * it). A store that only its own process writes needs none: its reads and writes never interleave.
   */
  reading?<T>(read: () => T): T;
  /**
   * Optional: removes, in one transaction, every finished submitted task whose outcome settled
   * before `query.settledBefore` (the first `query.limit` of them, oldest first): its outcome, the
   * rows of tasks derived from it, its escalations and approvals, and its journal lines (those
   * whose `rootId` is the task, and those without a `rootId` whose `taskId` is the task or one
   * filed under it elsewhere in the journal). Active tasks and
   * lines of no task (`organisation.started`, `organisation.resumed`) stay. Journal `seq` numbers
   * are never used again: the next line written is numbered after the last one ever written.
   * Without it, `org.forget` is refused (`invalid_option`); stores written before it keep working.
   */
  forget?(query: ForgetQuery): Forgotten;
  /** Releases the store (closes the file, ending any claim on it). Idempotent. */
  close(): void;
}
