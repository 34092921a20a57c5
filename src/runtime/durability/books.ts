/**
 * What durability reads and restores of the orchestrator's books — the active tasks, their
 * escalations and approvals, the resource registry — and what it is told as they change.
 * Declared here, where it is needed: the runtime's `Ledger` and `ResourceRegistry` satisfy these
 * shapes where the orchestrator hands them over, so durability never imports the runtime that
 * drives it (dependencies point down, and folders do not import each other both ways).
 */
import type { Approval, Escalation, Task } from '../../types.js';
import type { ResourceState, StoredApproval, StoredEscalation, StoredTask } from '../../store/types.js';

/** An active task as the books hold it: the task, the agent holding it, and a cancellation on its way. */
export interface ActiveTask {
  readonly task: Task;
  readonly holder: string | undefined;
  readonly cancel: string | undefined;
}

/** The task books (the runtime's `Ledger`), as durability reads and restores them. */
export interface TaskBooks {
  /** Active tasks by id. */
  readonly tasks: ReadonlyMap<string, ActiveTask>;
  /** A task's row as stored, or `undefined` once it is no longer active. */
  stored(taskId: string): StoredTask | undefined;
  /** Brings back what a store holds (before the actors start). */
  restore(tasks: readonly StoredTask[], escalations: readonly StoredEscalation[], approvals: readonly StoredApproval[]): void;
  escalation(id: string): Escalation | undefined;
  approval(id: string): Approval | undefined;
  activeEscalations(): Iterable<Escalation>;
}

/** The resource registry, as durability reads and restores it. */
export interface ResourceBooks {
  state(): ResourceState;
  restore(state: ResourceState): void;
}
