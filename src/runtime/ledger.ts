/**
 * The orchestrator's books: every active task (submitted ones and those derived from them to
 * resolve escalations), who holds each, the escalations and approvals they went through, and
 * the outcomes of recently finished tasks. Memory stays bounded: finished work is dropped
 * after `retain` records.
 */
import type { AgentReport } from '../../machines/ports.js';
import type { StoredApproval, StoredEscalation, StoredTask, TaskBook } from '../store/types.js';
import type { Approval, ApprovalDecision, ApprovalRequest, BudgetInput, BudgetReport, Escalation, EscalationRequest, Outcome, Settlement, Task } from '../types.js';

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

/** A task in flight and the agent holding it now. */
export interface TaskRecord {
  task: Task;
  holder: string | undefined;
  /** Set once its cancellation was asked for (`org.cancel`, a join that no longer needs it); agents it reaches end it on arrival. */
  cancel: string | undefined;
}

/** A submitted task: its derived tasks, escalations, approvals and whoever awaits its outcome. */
interface RootRecord {
  readonly task: Task;
  /** The budget as submitted, when there was one (reported in the outcome). */
  readonly budget: BudgetInput | undefined;
  readonly tasks: Set<string>;
  /** Cost reported per budget account, and subtasks created, over the whole tree. */
  readonly costs: Map<string, number>;
  subtasks: number;
  readonly escalations: string[];
  readonly approvals: string[];
  readonly waiters: Array<{ resolve: (outcome: Outcome) => void; reject: (error: unknown) => void }>;
}

/** A bounded, insertion-ordered map: the oldest entries go first. */
class Recent<V> {
  readonly #map = new Map<string, V>();
  constructor(readonly limit: number) {}
  set(key: string, value: V): void {
    this.#map.delete(key);
    this.#map.set(key, value);
    if (this.#map.size > this.limit) this.#map.delete(this.#map.keys().next().value as string);
  }
  get(key: string): V | undefined {
    return this.#map.get(key);
  }
  values(): V[] {
    return [...this.#map.values()];
  }
}

export class Ledger {
  readonly tasks = new Map<string, TaskRecord>();
  readonly #roots = new Map<string, RootRecord>();
  readonly #escalations = new Map<string, Escalation>();
  readonly #approvals = new Map<string, Approval>();
  readonly #outcomes: Recent<Outcome>;
  readonly #resolvedEscalations: Recent<Escalation>;
  readonly #decidedApprovals: Recent<Approval>;
  /** The submitted task of each open escalation and approval. */
  readonly #rootOf = new Map<string, string>();
  readonly #watch: LedgerWatcher;
  #resolvedCount = 0;

  constructor(retain: number, watcher: LedgerWatcher = NO_WATCHER) {
    this.#watch = watcher;
    this.#outcomes = new Recent(retain);
    this.#resolvedEscalations = new Recent(retain);
    this.#decidedApprovals = new Recent(retain);
  }

  // ─── tasks ────────────────────────────────────────────────────────────────────────────

  submit(task: Task, holder: string, budget?: BudgetInput): void {
    this.#roots.set(task.id, { task, budget, tasks: new Set([task.id]), costs: new Map(), subtasks: 0, escalations: [], approvals: [], waiters: [] });
    this.tasks.set(task.id, { task, holder, cancel: undefined });
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
    this.tasks.set(task.id, { task, holder, cancel: this.tasks.get(task.parentId ?? '')?.cancel });
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
    const total = (root.costs.get(account) ?? 0) + amount;
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
    this.#watch.task(task.id);
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
    const promise = new Promise<Outcome>((resolve, reject) => root.waiters.push({ resolve, reject }));
    // Stopping rejects whoever waits; a submit nobody awaits must not crash the process for it.
    promise.catch(() => undefined);
    return promise;
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
    const escalations = root.escalations.map((id) => this.#closeEscalation(id, settlement, now));
    const approvals = root.approvals.map((id) => this.#closeApproval(id, now));
    const outcome: Outcome = {
      taskId: root.task.id,
      type: root.task.type,
      status: settlement.status,
      ...(settlement.result === undefined ? {} : { result: settlement.result }),
      ...(settlement.error === undefined ? {} : { error: settlement.error }),
      ...(settlement.executedBy === undefined ? {} : { executedBy: settlement.executedBy }),
      ...(settlement.splitBy === undefined ? {} : { splitBy: settlement.splitBy }),
      delegationChain: task.chain,
      escalations,
      approvals,
      ...(settlement.subtasks === undefined ? {} : { subtasks: settlement.subtasks }),
      ...(settlement.failures === undefined ? {} : { failures: settlement.failures }),
      ...(root.budget === undefined ? {} : { budget: budgetReport(root, now) }),
      attempts: settlement.attempts,
      submittedAt: root.task.submittedAt,
      settledAt: now,
    };
    this.#outcomes.set(outcome.taskId, outcome);
    this.#watch.finished(outcome);
    if (root.waiters.length > 0) {
      this.#watch.settle(
        () => root.waiters.forEach((waiter) => waiter.resolve(outcome)),
        (error) => root.waiters.forEach((waiter) => waiter.reject(error)),
      );
    }
    return outcome;
  }

  /** Rejects everyone waiting (the orchestrator stopped); the books stay as they are. */
  abandon(error: unknown): void {
    for (const root of this.#roots.values()) {
      for (const waiter of root.waiters.splice(0)) waiter.reject(error);
    }
  }

  activeRoots(): Task[] {
    return [...this.#roots.values()].map((root) => root.task);
  }

  /** How many submitted tasks are active (without listing them: checked on every settlement). */
  activeCount(): number {
    return this.#roots.size;
  }

  // ─── escalations ──────────────────────────────────────────────────────────────────────

  raise(request: EscalationRequest): Escalation {
    const { task, ...rest } = request;
    const escalation: Escalation = { ...rest, taskId: task.id, taskType: task.type, status: 'active' };
    this.#escalations.set(escalation.id, escalation);
    this.#rootOf.set(escalation.id, task.rootId);
    this.#roots.get(task.rootId)?.escalations.push(escalation.id);
    this.#watch.escalation(escalation, task.rootId);
    this.#watch.task(task.rootId);
    return escalation;
  }

  resolve(report: Extract<AgentReport, { type: 'escalation.resolved' }>, now: number): Escalation | undefined {
    const escalation = this.#escalations.get(report.escalationId);
    if (escalation === undefined || escalation.status !== 'active') return undefined;
    const resolved: Escalation = {
      ...escalation,
      status: report.settlement.status === 'completed' ? 'resolved' : 'failed',
      resolvedBy: report.settlement.executedBy ?? report.settlement.splitBy ?? report.resolvedBy,
      resolvedAt: now,
      resolution: report.settlement,
    };
    this.#escalations.set(resolved.id, resolved);
    this.#watch.escalation(resolved, this.#rootOf.get(resolved.id) ?? resolved.taskId);
    return resolved;
  }

  /** A person handed an escalation to an agent: it is no longer theirs to resolve. */
  assign(id: string, agentId: string): void {
    const escalation = this.#escalations.get(id);
    if (escalation === undefined || escalation.status !== 'active') return;
    const assigned: Escalation = { ...escalation, assignedTo: agentId };
    this.#escalations.set(id, assigned);
    this.#watch.escalation(assigned, this.#rootOf.get(id) ?? assigned.taskId);
  }

  escalation(id: string): Escalation | undefined {
    return this.#escalations.get(id) ?? this.#resolvedEscalations.get(id);
  }

  activeEscalations(): Escalation[] {
    return [...this.#escalations.values()].filter((escalation) => escalation.status === 'active');
  }

  resolvedEscalations(): Escalation[] {
    return [...this.#resolvedEscalations.values(), ...[...this.#escalations.values()].filter((escalation) => escalation.status !== 'active')];
  }

  resolvedEscalationCount(): number {
    return this.#resolvedCount + [...this.#escalations.values()].filter((escalation) => escalation.status !== 'active').length;
  }

  #closeEscalation(id: string, settlement: Settlement, now: number): Escalation {
    const escalation = this.#escalations.get(id)!;
    this.#escalations.delete(id);
    const closed: Escalation =
      escalation.status === 'active'
        ? { ...escalation, status: 'failed', resolvedAt: now, resolution: { status: settlement.status, attempts: 0, ...(settlement.error ? { error: settlement.error } : {}) } }
        : escalation;
    this.#resolvedEscalations.set(id, closed);
    this.#resolvedCount += 1;
    this.#watch.escalation(closed, this.#rootOf.get(id) ?? closed.taskId);
    this.#rootOf.delete(id);
    return closed;
  }

  // ─── approvals ────────────────────────────────────────────────────────────────────────

  request(request: ApprovalRequest, asked: readonly string[], rootId: string): Approval {
    const existing = this.#approvals.get(request.id);
    const approval: Approval = { ...request, status: 'pending', decisions: existing?.decisions ?? [], askedApprovers: asked };
    this.#approvals.set(request.id, approval);
    this.#rootOf.set(request.id, rootId);
    const root = this.#roots.get(rootId);
    if (existing === undefined && root !== undefined) {
      root.approvals.push(request.id);
      this.#watch.task(rootId);
    }
    this.#watch.approval(approval, rootId);
    return approval;
  }

  decide(approvalId: string, decision: ApprovalDecision): void {
    const approval = this.#approvals.get(approvalId);
    if (approval === undefined) return;
    const decided = { ...approval, decisions: [...approval.decisions, decision] };
    this.#approvals.set(approvalId, decided);
    this.#watch.approval(decided, this.#rootOf.get(approvalId) ?? approval.taskId);
  }

  settleApproval(approvalId: string, status: Approval['status'], now: number): Approval | undefined {
    const approval = this.#approvals.get(approvalId);
    if (approval === undefined) return undefined;
    const settled: Approval = { ...approval, status, decidedAt: now };
    this.#approvals.set(approvalId, settled);
    this.#watch.approval(settled, this.#rootOf.get(approvalId) ?? approval.taskId);
    return settled;
  }

  approval(id: string): Approval | undefined {
    return this.#approvals.get(id) ?? this.#decidedApprovals.get(id);
  }

  pendingApprovals(): Approval[] {
    return [...this.#approvals.values()].filter((approval) => approval.status === 'pending');
  }

  #closeApproval(id: string, now: number): Approval {
    const approval = this.#approvals.get(id)!;
    this.#approvals.delete(id);
    const closed: Approval = approval.status === 'pending' ? { ...approval, status: 'cancelled', decidedAt: now } : approval;
    this.#decidedApprovals.set(id, closed);
    if (closed !== approval) this.#watch.approval(closed, this.#rootOf.get(id) ?? closed.taskId);
    this.#rootOf.delete(id);
    return closed;
  }

  // ─── persistence ──────────────────────────────────────────────────────────────────────

  /** An active task as a store keeps it: its record, and its books when it is a submitted task. */
  stored(taskId: string): StoredTask | undefined {
    const record = this.tasks.get(taskId);
    if (record === undefined) return undefined;
    const root = this.#roots.get(taskId);
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

  /** Brings back the books of active work from a store (nobody awaits the outcomes yet). */
  restore(tasks: readonly StoredTask[], escalations: readonly StoredEscalation[], approvals: readonly StoredApproval[]): void {
    for (const { task, holder, cancel, book } of tasks) {
      this.tasks.set(task.id, { task, holder: holder ?? undefined, cancel: cancel ?? undefined });
      if (book === null) continue;
      this.#roots.set(task.id, {
        task,
        budget: book.budget,
        tasks: new Set([task.id]),
        costs: new Map(Object.entries(book.costs)),
        subtasks: book.subtasks,
        escalations: [...book.escalations],
        approvals: [...book.approvals],
        waiters: [],
      });
    }
    for (const { task } of tasks) if (task.id !== task.rootId) this.#roots.get(task.rootId)?.tasks.add(task.id);
    for (const { rootId, escalation } of escalations) {
      this.#escalations.set(escalation.id, escalation);
      this.#rootOf.set(escalation.id, rootId);
    }
    for (const { rootId, approval } of approvals) {
      this.#approvals.set(approval.id, approval);
      this.#rootOf.set(approval.id, rootId);
    }
  }
}

function budgetReport(root: RootRecord, now: number): BudgetReport {
  const limit = root.budget!;
  let cost = 0;
  for (const used of root.costs.values()) cost += used;
  const used = { cost, subtasks: root.subtasks, timeMs: now - root.task.submittedAt };
  return {
    limit,
    used,
    left: {
      ...(limit.cost === undefined ? {} : { cost: limit.cost - used.cost }),
      ...(limit.maxSubtasks === undefined ? {} : { subtasks: limit.maxSubtasks - used.subtasks }),
      ...(limit.timeMs === undefined ? {} : { timeMs: limit.timeMs - used.timeMs }),
    },
  };
}
