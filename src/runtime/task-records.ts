/**
 * The ledger's records of active work — each task in flight with its holder, and each submitted
 * task's books — and how a store keeps them (`StoredTask`): written from them, and read back into them.
 */
import type { StoredTask, TaskBook } from '../store/types.js';
import type { BudgetInput, Outcome, Task } from '../types.js';
import type { Resolvers } from '../thenable.js';

/** A task in flight and the agent holding it now. */
export interface TaskRecord {
  task: Task;
  holder: string | undefined;
  /** Set once its cancellation was asked for (`org.cancel`, a join that no longer needs it); agents it reaches end it on arrival. */
  cancel: string | undefined;
  /** True once it ended at its holder (its result on the way back): no agent holds it to cancel it, until it moves again. */
  ended: boolean;
}

/** A submitted task: its derived tasks, escalations, approvals and whoever awaits its outcome. */
export interface RootRecord {
  readonly task: Task;
  /** The budget as submitted, when there was one (reported in the outcome). */
  readonly budget: BudgetInput | undefined;
  readonly tasks: Set<string>;
  /** Cost reported per budget account, and subtasks created, over the whole tree. */
  readonly costs: Map<string, number>;
  subtasks: number;
  readonly escalations: string[];
  readonly approvals: string[];
  /**
   * The one promise everyone awaiting its outcome shares (submit, outcome, cancel), made when first
   * asked for: a caller polling `org.outcome(id)` on a task parked for weeks adds nothing per call.
   */
  waiting: Resolvers<Outcome> | undefined;
}

/** A submitted task's books as it starts: itself its only task, nothing spent, raised or asked yet. */
export function newRoot(task: Task, budget: BudgetInput | undefined): RootRecord {
  return { task, budget, tasks: new Set([task.id]), costs: new Map(), subtasks: 0, escalations: [], approvals: [], waiting: undefined };
}

/** An active task as a store keeps it: its record, and its books when it is a submitted task (`root`). */
export function storedTask(record: TaskRecord, root: RootRecord | undefined): StoredTask {
  const book: TaskBook | null =
    root === undefined
      ? null
      : {
          ...(root.budget === undefined ? {} : { budget: root.budget }),
          costs: Object.fromEntries(root.costs),
          subtasks: root.subtasks,
          escalations: [...root.escalations],
          approvals: [...root.approvals],
        };
  return { task: record.task, holder: record.holder ?? null, cancel: record.cancel ?? null, book };
}

/** The record of a task a store kept, and its books when it has them (nobody awaits its outcome yet). */
export function restoredTask({ task, holder, cancel, book }: StoredTask): { record: TaskRecord; root: RootRecord | undefined } {
  const record: TaskRecord = { task, holder: holder ?? undefined, cancel: cancel ?? undefined, ended: false };
  if (book === null) return { record, root: undefined };
  const root = { ...newRoot(task, book.budget), costs: new Map(Object.entries(book.costs)), subtasks: book.subtasks, escalations: [...book.escalations], approvals: [...book.approvals] };
  return { record, root };
}
