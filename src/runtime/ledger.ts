/**
 * The orchestrator's books: every active task (submitted ones and those derived from them to
 * resolve escalations), who holds each, the escalations and approvals they went through, and
 * the outcomes of recently finished tasks. Memory stays bounded: finished work is dropped
 * after `retain` records.
 */
import type { AgentReport } from '../../machines/ports.js';
import type { StoredApproval, StoredEscalation, StoredTask } from '../store/types.js';
import type { Approval, ApprovalDecision, ApprovalRequest, BudgetInput, Escalation, EscalationRequest, Outcome, Settlement, Task } from '../types.js';
import { ApprovalBook, EscalationBook, Recent } from './cases.js';
import { budgetReport, outcomeOf } from './outcome.js';
import { addCosts } from '../settings/index.js';
import { unhandledIsFine, withResolvers } from '../thenable.js';
import { newRoot, restoredTask, storedTask, type RootRecord, type TaskRecord } from './task-records.js';

/**
 * What the ledger tells persistence about each change, as it happens; the store reads the
 * books at its next write point.
 */
export interface LedgerWatcher {
  /** A task's record (or a submitted task's books) appeared, changed or went away. */
  task(taskId: string): void;
  /** A submitted task finished with this outcome. */
  finished(outcome: Outcome): void;
  escalation(escalation: Escalation, rootId: string): void;
  approval(approval: Approval, rootId: string): void;
  /** Calls `resolve` once the change is durable (whoever awaits an outcome learns it only then), or `reject` if it cannot be. */
  settle(resolve: () => void, reject: (error: unknown) => void): void;
}

const NO_WATCHER: LedgerWatcher = {
  task: () => undefined,
  finished: () => undefined,
  escalation: () => undefined,
  approval: () => undefined,
  settle: (resolve) => resolve(),
};

/** Which closed cases a store no longer holds, once it forgot (`Ledger.forget`). */
export interface ForgottenCases {
  escalationGone(id: string): boolean;
  approvalGone(id: string): boolean;
}

export class Ledger {
  readonly tasks = new Map<string, TaskRecord>();
  readonly #roots = new Map<string, RootRecord>();
  readonly #outcomes: Recent<Outcome>;
  readonly #escalations: EscalationBook;
  readonly #approvals: ApprovalBook;
  readonly #watch: LedgerWatcher;

  constructor(retain: number, watcher: LedgerWatcher = NO_WATCHER) {
    this.#watch = watcher;
    this.#outcomes = new Recent(retain);
    this.#escalations = new EscalationBook(retain, (escalation, rootId) => watcher.escalation(escalation, rootId));
    this.#approvals = new ApprovalBook(retain, (approval, rootId) => watcher.approval(approval, rootId));
  }

  // ─── tasks ────────────────────────────────────────────────────────────────────────────

  submit(task: Task, holder: string, budget?: BudgetInput): void {
    this.#roots.set(task.id, newRoot(task, budget));
    this.tasks.set(task.id, { task, holder, cancel: undefined, ended: false });
    this.#watch.task(task.id);
  }

  isActive(taskId: string): boolean {
    return this.#roots.has(taskId);
  }

  /** A task derived from a submitted one (to resolve an escalation) starts at `holder`. */
  derive(task: Task, holder: string | undefined): void {
    const root = this.#roots.get(task.rootId);
    if (root === undefined) return;
    root.tasks.add(task.id);
    this.tasks.set(task.id, { task, holder, cancel: this.tasks.get(task.parentId ?? '')?.cancel, ended: false });
    this.#watch.task(task.id);
  }

  /** Subtasks were created at `holder`. */
  decompose(subtasks: readonly Task[], holder: string): void {
    for (const subtask of subtasks) this.derive(subtask, holder);
    const root = this.#roots.get(subtasks[0]?.rootId ?? '');
    if (root === undefined) return;
    root.subtasks += subtasks.length;
    this.#watch.task(root.task.id);
  }

  /** Active tasks derived (at any depth) from `taskId`, itself included. */
  lineage(taskId: string): TaskRecord[] {
    const record = this.tasks.get(taskId);
    if (record === undefined) return [];
    return this.family(record.task.rootId).filter((candidate) => {
      for (let task: Task | undefined = candidate.task; task !== undefined; task = this.tasks.get(task.parentId ?? '')?.task) {
        if (task.id === taskId) return true;
      }
      return false;
    });
  }

  /** Adds cost to a task's budget account; returns the account's total. */
  addCost(task: Task, amount: number): number {
    const root = this.#roots.get(task.rootId);
    const account = task.budget?.account ?? task.id;
    if (root === undefined) return amount;
    const total = addCosts(root.costs.get(account) ?? 0, amount);
    root.costs.set(account, total);
    this.#watch.task(root.task.id);
    return total;
  }

  /** What a task's budget account has spent so far. */
  spent(task: Task): number {
    return this.#roots.get(task.rootId)?.costs.get(task.budget?.account ?? task.id) ?? 0;
  }

  /** The task moved to `holder`. */
  move(task: Task, holder: string): void {
    const record = this.tasks.get(task.id);
    if (record === undefined) return;
    record.task = task;
    record.holder = holder;
    record.ended = false;
    this.#watch.task(task.id);
  }

  /** The task ended at `agent`; when that is its holder, nobody holds it any more (its result is on the way back). */
  ended(taskId: string, agent: string): void {
    const record = this.tasks.get(taskId);
    if (record?.holder === agent) record.ended = true;
  }

  /**
   * The agent to tell now that the task of `record` is cancelled: its holder (which holds it, or will
   * when it arrives), unless it ended there or a new task took its id. Once dropped from the books
   * (its lineage finished meanwhile — by the cancellation of its parent, say), only a holder that
   * `holds` it still: a resolution's executor may be running there; any other would keep the cancel
   * for a task that will never come, and end the next task of that id with it.
   */
  cancelTarget(record: TaskRecord, holds: (agentId: string, taskId: string) => boolean): string | undefined {
    const current = this.tasks.get(record.task.id);
    if (record.ended || record.holder === undefined || (current !== undefined && current !== record)) return undefined;
    return current === record || holds(record.holder, record.task.id) ? record.holder : undefined;
  }

  /** Marks a task to be cancelled (its holders are told); returns its record. */
  requestCancel(taskId: string, reason: string): TaskRecord | undefined {
    const record = this.tasks.get(taskId);
    if (record === undefined) return undefined;
    record.cancel = reason;
    this.#watch.task(taskId);
    return record;
  }

  /** A derived task is finished (its escalation resolved). */
  drop(taskId: string): void {
    const record = this.tasks.get(taskId);
    if (record === undefined) return;
    this.tasks.delete(taskId);
    this.#roots.get(record.task.rootId)?.tasks.delete(taskId);
    this.#watch.task(taskId);
  }

  /** Active tasks of a submitted task (itself and its derived tasks). */
  family(rootId: string): TaskRecord[] {
    const root = this.#roots.get(rootId);
    if (root === undefined) return [];
    return [...root.tasks].map((id) => this.tasks.get(id)).filter((record): record is TaskRecord => record !== undefined);
  }

  wait(taskId: string): Promise<Outcome> | undefined {
    const root = this.#roots.get(taskId);
    if (root === undefined) return undefined;
    if (root.waiting === undefined) {
      root.waiting = withResolvers<Outcome>();
      // Stopping rejects whoever waits; a submit nobody awaits must not crash the process for it.
      unhandledIsFine(root.waiting.promise);
    }
    return root.waiting.promise;
  }

  outcome(taskId: string): Outcome | undefined {
    return this.#outcomes.get(taskId);
  }

  /** Finishes a submitted task: builds its outcome, forgets its books, resolves whoever waits. */
  finish(task: Task, settlement: Settlement, now: number): Outcome | undefined {
    const root = this.#roots.get(task.rootId);
    if (root === undefined) return undefined;
    this.#roots.delete(task.rootId);
    for (const id of root.tasks) {
      this.tasks.delete(id);
      if (id !== root.task.id) this.#watch.task(id);
    }
    const escalations = root.escalations.map((id) => this.#escalations.close(id, settlement, now));
    const approvals = root.approvals.map((id) => this.#approvals.close(id, now));
    const outcome = outcomeOf(root.task, task.chain, settlement, { escalations, approvals, budget: root.budget === undefined ? undefined : budgetReport(root.budget, root, now) }, now);
    this.#outcomes.set(outcome.taskId, outcome);
    this.#watch.finished(outcome);
    const { waiting } = root;
    if (waiting !== undefined) this.#watch.settle(() => waiting.resolve(outcome), waiting.reject);
    return outcome;
  }

  /**
   * Drops recent outcomes settled before `settledBefore` — those `pick` takes of them, given
   * oldest first (by `settledAt`, then id) — with their closed escalations and approvals, and the
   * closed cases `stored` says the store no longer holds: a task with more cases than outcomes
   * has kept its cases in memory after its outcome left (`retain`), and the store forgot them too.
   */
  forget(settledBefore: number, pick: (settled: readonly Outcome[]) => readonly Outcome[], stored?: ForgottenCases): { tasks: number; escalations: number; approvals: number } {
    const settled = this.#outcomes.values().filter((outcome) => outcome.settledAt < settledBefore);
    settled.sort((a, b) => a.settledAt - b.settledAt || (a.taskId < b.taskId ? -1 : a.taskId > b.taskId ? 1 : 0));
    const picked = pick(settled);
    for (const outcome of picked) this.#outcomes.delete(outcome.taskId);
    const named = (cases: (outcome: Outcome) => ReadonlyArray<{ readonly id: string }>) => new Set(picked.flatMap((outcome) => cases(outcome).map(({ id }) => id)));
    const escalations = named((outcome) => outcome.escalations);
    const approvals = named((outcome) => outcome.approvals);
    return {
      tasks: picked.length,
      escalations: this.#escalations.forget((id) => escalations.has(id) || stored?.escalationGone(id) === true),
      approvals: this.#approvals.forget((id) => approvals.has(id) || stored?.approvalGone(id) === true),
    };
  }

  /** Rejects everyone waiting (the orchestrator stopped); the books stay as they are. */
  abandon(error: unknown): void {
    for (const root of this.#roots.values()) {
      root.waiting?.reject(error);
      root.waiting = undefined;
    }
  }

  activeRoots(): Task[] {
    return [...this.#roots.values()].map((root) => root.task);
  }

  /** How many submitted tasks are active (without listing them: checked on every settlement). */
  activeCount(): number {
    return this.#roots.size;
  }

  // ─── escalations and approvals (the books in cases.ts, linked here to their submitted tasks) ───

  raise(request: EscalationRequest): Escalation {
    const escalation = this.#escalations.raise(request);
    const { rootId } = request.task;
    this.#roots.get(rootId)?.escalations.push(escalation.id);
    this.#watch.task(rootId);
    return escalation;
  }

  resolve(report: Extract<AgentReport, { type: 'escalation.resolved' }>, now: number): Escalation | undefined {
    return this.#escalations.resolve(report, now);
  }

  /** A person handed an escalation to an agent: it is no longer theirs to resolve. */
  assign(id: string, agentId: string): void {
    this.#escalations.assign(id, agentId);
  }

  escalation(id: string): Escalation | undefined {
    return this.#escalations.get(id);
  }

  activeEscalations(): Escalation[] {
    return this.#escalations.active();
  }

  resolvedEscalations(): Escalation[] {
    return this.#escalations.resolved();
  }

  resolvedEscalationCount(): number {
    return this.#escalations.resolvedCount();
  }

  request(request: ApprovalRequest, asked: readonly string[], rootId: string): Approval {
    const { approval, isNew } = this.#approvals.request(request, asked, rootId);
    const root = this.#roots.get(rootId);
    if (isNew && root !== undefined) {
      root.approvals.push(request.id);
      this.#watch.task(rootId);
    }
    return approval;
  }

  decide(approvalId: string, decision: ApprovalDecision): void {
    this.#approvals.decide(approvalId, decision);
  }

  settleApproval(approvalId: string, status: Approval['status'], now: number): Approval | undefined {
    return this.#approvals.settle(approvalId, status, now);
  }

  approval(id: string): Approval | undefined {
    return this.#approvals.get(id);
  }

  pendingApprovals(): Approval[] {
    return this.#approvals.pending();
  }

  // ─── persistence ──────────────────────────────────────────────────────────────────────

  /** An active task as a store keeps it: its record, and its books when it is a submitted task. */
  stored(taskId: string): StoredTask | undefined {
    const record = this.tasks.get(taskId);
    return record === undefined ? undefined : storedTask(record, this.#roots.get(taskId));
  }

  /** Brings back the books of active work from a store (nobody awaits the outcomes yet). */
  restore(tasks: readonly StoredTask[], escalations: readonly StoredEscalation[], approvals: readonly StoredApproval[]): void {
    for (const stored of tasks) {
      const { record, root } = restoredTask(stored);
      this.tasks.set(record.task.id, record);
      if (root !== undefined) this.#roots.set(root.task.id, root);
    }
    for (const { task } of tasks) if (task.id !== task.rootId) this.#roots.get(task.rootId)?.tasks.add(task.id);
    for (const { rootId, escalation } of escalations) this.#escalations.restore(escalation, rootId);
    for (const { rootId, approval } of approvals) this.#approvals.restore(approval, rootId);
  }
}
