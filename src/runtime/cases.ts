/**
 * The ledger's case books: every escalation and every approval request of the active work, with
 * the submitted task each belongs to, and the recently closed ones (bounded by `retain`). The
 * ledger links them to their submitted tasks and closes them when a task finishes.
 */
import type { AgentReport } from '../../machines/ports.js';
import type { TaskError } from '../errors.js';
import { sealedError, sealedSettlement } from '../sealed-settlement.js';
import type { Approval, ApprovalDecision, ApprovalRequest, Escalation, EscalationRequest, Settlement } from '../types.js';

/**
 * Freezes a case as the book files it, with the lists echelon keeps on it (an approval's decisions
 * and the approvers asked): `pending()`, `get()`, `onEscalation`, events and outcomes hand out the
 * book's own record, and a caller setting `status` or pushing a decision on it changed the
 * organisation's books (an escalation left `active()` and could not be resolved), and so are an
 * escalation's error and resolution (`sealedSettlement`). What it carries of the user's — a request's
 * payload, a resolution's result, an error's details — is left as it is.
 */
function sealed<T extends object>(item: T): T {
  if (Object.isFrozen(item)) return item;
  const { decisions, askedApprovers, resolution, error } = item as { decisions?: unknown; askedApprovers?: unknown; resolution?: Settlement; error?: TaskError };
  if (Array.isArray(decisions)) for (const decision of decisions) Object.freeze(decision);
  for (const list of [decisions, askedApprovers]) if (Array.isArray(list)) Object.freeze(list);
  // An escalation's resolution is the settlement its task goes on with (an escalation.resolved listener changing it failed the task).
  if (resolution !== undefined) sealedSettlement(resolution);
  sealedError(error);
  return Object.freeze(item);
}

/** What a book tells persistence when a case changes. */
export type CaseWatch<T> = (item: T, rootId: string) => void;

/** A bounded, insertion-ordered map: the oldest entries go first. */
export class Recent<V> {
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
  delete(key: string): boolean {
    return this.#map.delete(key);
  }
  values(): V[] {
    return [...this.#map.values()];
  }
}

/** Open and recently closed cases of one kind, by id, each with the submitted task it belongs to. */
class Book<T extends { readonly id: string; readonly taskId: string }> {
  readonly open = new Map<string, T>();
  readonly closed: Recent<T>;
  readonly #rootOf = new Map<string, string>();
  readonly #watch: CaseWatch<T>;

  constructor(retain: number, watch: CaseWatch<T>) {
    this.closed = new Recent(retain);
    this.#watch = watch;
  }

  get(id: string): T | undefined {
    return this.open.get(id) ?? this.closed.get(id);
  }

  /** Files a new or changed case. */
  put(item: T, rootId?: string): T {
    sealed(item);
    this.open.set(item.id, item);
    if (rootId !== undefined) this.#rootOf.set(item.id, rootId);
    this.#watch(item, this.#rootOf.get(item.id) ?? item.taskId);
    return item;
  }

  /** Moves an open case to the recently closed, as `closing` makes it (told only when it changed). */
  close(id: string, closing: (item: T) => T): T {
    const item = this.open.get(id)!;
    this.open.delete(id);
    const closed = sealed(closing(item));
    this.closed.set(id, closed);
    if (closed !== item) this.#watch(closed, this.#rootOf.get(id) ?? closed.taskId);
    this.#rootOf.delete(id);
    return closed;
  }

  /** Drops the closed cases `gone` says were forgotten; returns how many. Open cases belong to active work and stay. */
  forget(gone: (id: string) => boolean): number {
    let dropped = 0;
    for (const { id } of this.closed.values()) if (gone(id) && this.closed.delete(id)) dropped++;
    return dropped;
  }

  /** Brings back a case from a store. */
  restore(item: T, rootId: string): void {
    this.open.set(item.id, sealed(item));
    this.#rootOf.set(item.id, rootId);
  }
}

export class EscalationBook {
  readonly #book: Book<Escalation>;
  #closedCount = 0;

  constructor(retain: number, watch: CaseWatch<Escalation>) {
    this.#book = new Book(retain, watch);
  }

  raise(request: EscalationRequest): Escalation {
    const { task, ...rest } = request;
    return this.#book.put({ ...rest, taskId: task.id, rootId: task.rootId, taskType: task.type, status: 'active' }, task.rootId);
  }

  resolve(report: Extract<AgentReport, { type: 'escalation.resolved' }>, now: number): Escalation | undefined {
    const escalation = this.#book.open.get(report.escalationId);
    if (escalation === undefined || escalation.status !== 'active') return undefined;
    return this.#book.put({
      ...escalation,
      status: report.settlement.status === 'completed' ? 'resolved' : 'failed',
      resolvedBy: report.settlement.executedBy ?? report.settlement.splitBy ?? report.resolvedBy,
      resolvedAt: now,
      resolution: report.settlement,
    });
  }

  /** A person handed an escalation to an agent: it is no longer theirs to resolve. */
  assign(id: string, agentId: string): void {
    const escalation = this.#book.open.get(id);
    if (escalation === undefined || escalation.status !== 'active') return;
    this.#book.put({ ...escalation, assignedTo: agentId });
  }

  get(id: string): Escalation | undefined {
    return this.#book.get(id);
  }

  active(): Escalation[] {
    return [...this.#book.open.values()].filter((escalation) => escalation.status === 'active');
  }

  resolved(): Escalation[] {
    return [...this.#book.closed.values(), ...[...this.#book.open.values()].filter((escalation) => escalation.status !== 'active')];
  }

  resolvedCount(): number {
    return this.#closedCount + [...this.#book.open.values()].filter((escalation) => escalation.status !== 'active').length;
  }

  /** The task it belongs to finished: an escalation still active fails with it. */
  close(id: string, settlement: Settlement, now: number): Escalation {
    this.#closedCount += 1;
    return this.#book.close(id, (escalation) =>
      escalation.status === 'active'
        ? { ...escalation, status: 'failed', resolvedAt: now, resolution: { status: settlement.status, attempts: 0, ...(settlement.error ? { error: settlement.error } : {}) } }
        : escalation,
    );
  }

  forget(gone: (id: string) => boolean): number {
    return this.#book.forget(gone);
  }

  restore(escalation: Escalation, rootId: string): void {
    this.#book.restore(escalation, rootId);
  }
}

export class ApprovalBook {
  readonly #book: Book<Approval>;

  constructor(retain: number, watch: CaseWatch<Approval>) {
    this.#book = new Book(retain, watch);
  }

  /** A request was made (or moved up to another approver); returns it, and whether it is new. */
  request(request: ApprovalRequest, asked: readonly string[], rootId: string): { approval: Approval; isNew: boolean } {
    const existing = this.#book.open.get(request.id);
    const approval = this.#book.put({ ...request, status: 'pending', decisions: existing?.decisions ?? [], askedApprovers: asked }, rootId);
    return { approval, isNew: existing === undefined };
  }

  decide(approvalId: string, decision: ApprovalDecision): void {
    const approval = this.#book.open.get(approvalId);
    if (approval !== undefined) this.#book.put({ ...approval, decisions: [...approval.decisions, decision] });
  }

  settle(approvalId: string, status: Approval['status'], now: number): Approval | undefined {
    const approval = this.#book.open.get(approvalId);
    return approval === undefined ? undefined : this.#book.put({ ...approval, status, decidedAt: now });
  }

  get(id: string): Approval | undefined {
    return this.#book.get(id);
  }

  pending(): Approval[] {
    return [...this.#book.open.values()].filter((approval) => approval.status === 'pending');
  }

  /** The task it belongs to finished: a request still pending is cancelled with it. */
  close(id: string, now: number): Approval {
    return this.#book.close(id, (approval) => (approval.status === 'pending' ? { ...approval, status: 'cancelled', decidedAt: now } : approval));
  }

  forget(gone: (id: string) => boolean): number {
    return this.#book.forget(gone);
  }

  restore(approval: Approval, rootId: string): void {
    this.#book.restore(approval, rootId);
  }
}
