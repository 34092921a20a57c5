/**
 * The books of one submitted task, as its case object keeps them in Restate state: the
 * in-process `Ledger` (holders, cancellation marks, costs, escalations, approvals) restored from
 * one state key per record, changed by the same report handling as in-process, and written back
 * record by record; the task's journal in chunks, one per batch of reports.
 */
import type { ObjectContext } from '@restatedev/restate-sdk';
import { journalRecord } from '../runtime/durability/journal.js';
import { Ledger, type LedgerWatcher } from '../runtime/ledger.js';
import type { JournalEntry, JournalRecord, StoredApproval, StoredEscalation, StoredTask } from '../store/types.js';
import type { AgentReport } from '../../machines/ports.js';
import type { Outcome } from '../types.js';

/** State keys of a case object. */
export const CASE_KEYS = { task: 't:', escalation: 'e:', approval: 'a:', journal: 'j:', journalCount: 'jn', outcome: 'outcome', open: 'open', sent: 'd:', awakeable: 'w' } as const;

/** A case's books, open for one handler. */
export interface CaseBooks {
  readonly ledger: Ledger;
  /** The outcome, once the task finished (now or earlier). */
  outcome(): Outcome | undefined;
  /** Files journal lines for `report` (before it changes the books: the lookups read them as they were). */
  journal(report: AgentReport, at: number): void;
  note(record: JournalRecord): void;
  /** Takes back `by`'s decision on an approval (recorded when it was made, then refused by the requester). */
  withdrawDecision(approvalId: string, by: string): void;
  /** Writes back what changed; returns the outcome when the task finished in this handler. */
  save(): Outcome | undefined;
}

/** Opens the case's books from its object state. */
export async function openBooks(ctx: ObjectContext, retain: number): Promise<CaseBooks> {
  const dirtyTasks = new Set<string>();
  const dirtyEscalations = new Map<string, StoredEscalation>();
  const dirtyApprovals = new Map<string, StoredApproval>();
  let finished: Outcome | undefined;
  const watcher: LedgerWatcher = {
    task: (taskId) => void dirtyTasks.add(taskId),
    finished: (outcome) => {
      finished = outcome;
    },
    escalation: (escalation, rootId) => void dirtyEscalations.set(escalation.id, { rootId, escalation }),
    approval: (approval, rootId) => void dirtyApprovals.set(approval.id, { rootId, approval }),
    settle: (resolve) => resolve(),
  };
  const ledger = new Ledger(retain, watcher);
  const keys = await ctx.stateKeys();
  const read = <T>(prefix: string) => Promise.all(keys.filter((key) => key.startsWith(prefix)).map((key) => ctx.get<T>(key) as Promise<T>));
  const [tasks, escalations, approvals] = await Promise.all([read<StoredTask>(CASE_KEYS.task), read<StoredEscalation>(CASE_KEYS.escalation), read<StoredApproval>(CASE_KEYS.approval)]);
  ledger.restore(tasks, escalations, approvals);
  const earlier = (await ctx.get<Outcome>(CASE_KEYS.outcome)) ?? undefined;
  let count = (await ctx.get<number>(CASE_KEYS.journalCount)) ?? 0;
  const lines: JournalRecord[] = [];
  const lookup = {
    rootOf: (taskId: string) => ledger.tasks.get(taskId)?.task.rootId,
    approval: (id: string) => ledger.approval(id),
    escalation: (id: string) => ledger.escalation(id),
  };
  return {
    ledger,
    outcome: () => finished ?? earlier,
    journal(report, at) {
      const line = journalRecord(report, at, lookup);
      if (line !== undefined) lines.push(line);
    },
    note: (record) => void lines.push(record),
    withdrawDecision(approvalId, by) {
      const approval = ledger.approval(approvalId);
      if (approval === undefined) return;
      const stored = { rootId: ctx.key, approval: { ...approval, decisions: approval.decisions.filter((decision) => decision.by !== by) } };
      ledger.restore([], [], [stored]);
      dirtyApprovals.set(approvalId, stored);
    },
    save() {
      for (const taskId of dirtyTasks) {
        const stored = ledger.stored(taskId);
        if (stored === undefined) ctx.clear(CASE_KEYS.task + taskId);
        else ctx.set(CASE_KEYS.task + taskId, stored);
      }
      for (const [id, stored] of dirtyEscalations) ctx.set(CASE_KEYS.escalation + id, stored);
      for (const [id, stored] of dirtyApprovals) ctx.set(CASE_KEYS.approval + id, stored);
      if (lines.length > 0) {
        ctx.set(CASE_KEYS.journal + count, lines);
        count += 1;
        ctx.set(CASE_KEYS.journalCount, count);
      }
      if (finished === undefined) return undefined;
      for (const key of keys) if (key.startsWith(CASE_KEYS.task)) ctx.clear(key);
      for (const taskId of dirtyTasks) ctx.clear(CASE_KEYS.task + taskId);
      ctx.set(CASE_KEYS.outcome, finished);
      ctx.clear(CASE_KEYS.open);
      return finished;
    },
  };
}

/**
 * The cancellations a report says must follow a task marked for cancellation: Restate orders
 * messages per sender only, so a cancel the case sent to the agent it knew may find that agent has
 * handed the task on (a `task.delegated` the case had not heard yet) or raised an escalation whose
 * resolution task the mark now covers. The agent the task moved to is told too; one told twice,
 * or before the task reaches it, ends it on arrival, as in-process.
 */
export function cancelsFollowing(ledger: Ledger, report: AgentReport): Array<{ readonly to: string; readonly taskId: string; readonly reason: string }> {
  const moved =
    report.type === 'task.delegated'
      ? { to: report.to, taskId: report.task.id }
      : report.type === 'escalation.raised' && report.escalation.to !== 'human'
        ? { to: report.escalation.to, taskId: report.resolutionTaskId }
        : undefined;
  const reason = moved === undefined ? undefined : ledger.tasks.get(moved.taskId)?.cancel;
  return moved === undefined || reason === undefined ? [] : [{ ...moved, reason }];
}

/** A case's journal as read: its chunks in order, numbered. */
export function journalEntries(chunks: readonly (readonly JournalRecord[])[]): JournalEntry[] {
  return chunks.flat().map((record, index) => ({ ...record, seq: index + 1, session: 1 }));
}
