/**
 * The in-memory store: the same contract as the SQLite store, kept in maps. Everything is
 * stored as JSON text, exactly as a database would hold it, so an organisation resumed from it
 * gets copies — never objects shared with the run that wrote them — and data that would not
 * survive a real store fails here too. It lives as long as the process: use it for tests, and
 * to stop and resume an organisation within one process. Its lock is a field: it cannot outlive
 * the process, because the store cannot either.
 */
import type { Approval, Escalation, Outcome } from '../types.js';
import { storeLocked, type StoreHolder } from './lock.js';
import type { Forgotten, ForgetQuery, JournalEntry, JournalQuery, PersistedSnapshot, ResourceState, Store, StoreBatch, StoredOrganisation, StoredTask, StoreHeader } from './types.js';

interface Row {
  readonly rootId: string;
  /** `active` for a task in flight (its `StoredTask`), else the terminal status (its `Outcome`). */
  readonly status: string;
  readonly json: string;
  /** An outcome's `settledAt`, read once for `forget`. */
  readonly settledAt?: number;
}

const EMPTY_RESOURCES: ResourceState = { claims: [], waiting: {} };

/**
 * A store in memory. Pass the same store to a new orchestrator with `resume: true` to bring a
 * stopped organisation back in the same process.
 *
 * @example
 * ```ts
 * const store = memoryStore();
 * const first = createOrchestrator({ hierarchy, executors, store });
 * first.submit({ id: 'deploy', type: 'python', context: { requiresApproval: true } });
 * await first.stop();
 * const second = createOrchestrator({ hierarchy, executors, store, resume: true });
 * second.approvals.pending(); // the deploy's approval, still pending
 * ```
 */
export function memoryStore(): Store {
  let header: string | undefined;
  let sessions = 0;
  const snapshots = new Map<string, string>();
  const parts = new Map<string, Map<string, string>>();
  const tasks = new Map<string, Row>();
  const escalations = new Map<string, { rootId: string; json: string }>();
  const approvals = new Map<string, { rootId: string; json: string }>();
  let resources = JSON.stringify(EMPTY_RESOURCES);
  // In order of `seq`, which only grows: a line forgotten leaves a gap, never a number to reuse.
  let journal: Array<{ seq: number; taskId: string | undefined; rootId: string | undefined; json: string }> = [];
  let lastSeq = 0;
  let holder: StoreHolder | undefined;

  const activeRoots = () => {
    const roots = new Set<string>();
    for (const [id, row] of tasks) if (row.status === 'active' && row.rootId === id) roots.add(id);
    return roots;
  };

  return {
    name: 'memory',

    lock(claimant: StoreHolder): void {
      if (holder !== undefined && holder.id !== claimant.id) throw storeLocked('memory', holder);
      holder = claimant;
    },

    unlock(claimant: StoreHolder): void {
      if (holder?.id === claimant.id) holder = undefined;
    },

    header(): StoreHeader | undefined {
      return header === undefined ? undefined : { ...(JSON.parse(header) as Omit<StoreHeader, 'sessions'>), sessions };
    },

    load(): StoredOrganisation {
      const roots = activeRoots();
      const parsed = (rows: Map<string, { rootId: string; json: string }>) => [...rows.values()].filter((row) => roots.has(row.rootId)).map((row) => JSON.parse(row.json));
      return {
        ...this.header()!,
        snapshots: Object.fromEntries([...snapshots].map(([id, json]) => [id, JSON.parse(json) as PersistedSnapshot])),
        parts: Object.fromEntries([...parts].map(([id, byKey]) => [id, Object.fromEntries([...byKey].map(([key, json]) => [key, JSON.parse(json) as unknown]))])),
        tasks: [...tasks.values()].filter((row) => row.status === 'active').map((row) => JSON.parse(row.json) as StoredTask),
        escalations: parsed(escalations),
        approvals: parsed(approvals),
        resources: JSON.parse(resources) as ResourceState,
      };
    },

    write(batch: StoreBatch): void {
      // Encode everything first: a value that cannot be stored throws before anything changes.
      const encoded = {
        header: batch.header === undefined ? undefined : JSON.stringify(batch.header),
        snapshots: batch.snapshots.map(({ id, snapshot, addedParts, removedParts }) => ({
          id,
          json: JSON.stringify(snapshot),
          added: addedParts.map(({ key, value }) => [key, JSON.stringify(value)] as const),
          removed: removedParts,
        })),
        tasks: batch.tasks.map((stored) => [stored.task.id, { rootId: stored.task.rootId, status: 'active', json: JSON.stringify(stored) }] as const),
        outcomes: batch.outcomes.map((outcome) => [outcome.taskId, { rootId: outcome.taskId, status: outcome.status, json: JSON.stringify(outcome), settledAt: outcome.settledAt }] as const),
        escalations: batch.escalations.map(({ rootId, escalation }) => [escalation.id, { rootId, json: JSON.stringify({ rootId, escalation }) }] as const),
        approvals: batch.approvals.map(({ rootId, approval }) => [approval.id, { rootId, json: JSON.stringify({ rootId, approval }) }] as const),
        resources: batch.resources === undefined ? undefined : JSON.stringify(batch.resources),
        journal: batch.journal.map((record, index) => ({
          seq: lastSeq + index + 1,
          taskId: record.taskId,
          rootId: record.rootId,
          json: JSON.stringify({ ...record, seq: lastSeq + index + 1, session: batch.session }),
        })),
      };
      if (encoded.header !== undefined && header === undefined) header = encoded.header;
      sessions = Math.max(sessions, batch.session);
      for (const { id, json, added, removed } of encoded.snapshots) {
        snapshots.set(id, json);
        const byKey = parts.get(id) ?? new Map<string, string>();
        for (const key of removed) byKey.delete(key);
        for (const [key, value] of added) byKey.set(key, value);
        parts.set(id, byKey);
      }
      for (const id of batch.removedTasks) tasks.delete(id);
      for (const [id, row] of encoded.tasks) tasks.set(id, row);
      for (const [id, row] of encoded.outcomes) tasks.set(id, row);
      for (const [id, row] of encoded.escalations) escalations.set(id, row);
      for (const [id, row] of encoded.approvals) approvals.set(id, row);
      if (encoded.resources !== undefined) resources = encoded.resources;
      // A loop, not push(...lines): spreading a batch of 100,000+ lines (20,000 tasks submitted at once) overflows the call stack.
      for (const line of encoded.journal) journal.push(line);
      lastSeq += encoded.journal.length;
    },

    outcome(taskId: string): Outcome | undefined {
      const row = tasks.get(taskId);
      return row === undefined || row.status === 'active' ? undefined : (JSON.parse(row.json) as Outcome);
    },

    escalation(id: string): Escalation | undefined {
      const row = escalations.get(id);
      return row === undefined ? undefined : (JSON.parse(row.json) as { escalation: Escalation }).escalation;
    },

    approval(id: string): Approval | undefined {
      const row = approvals.get(id);
      return row === undefined ? undefined : (JSON.parse(row.json) as { approval: Approval }).approval;
    },

    journal(query: JournalQuery = {}): JournalEntry[] {
      const { taskId, after = 0, limit = Number.POSITIVE_INFINITY } = query;
      const found: JournalEntry[] = [];
      for (let index = firstAfter(journal, after); index < journal.length && found.length < limit; index++) {
        const line = journal[index]!;
        if (taskId === undefined || line.taskId === taskId || line.rootId === taskId) found.push(JSON.parse(line.json) as JournalEntry);
      }
      return found;
    },

    forget(query: ForgetQuery): Forgotten {
      const { settledBefore, limit = Number.POSITIVE_INFINITY } = query;
      const settled = [...tasks].filter(([id, row]) => row.status !== 'active' && row.rootId === id && row.settledAt! < settledBefore);
      settled.sort(([a, rowA], [b, rowB]) => rowA.settledAt! - rowB.settledAt! || (a < b ? -1 : a > b ? 1 : 0));
      const roots = new Set(settled.slice(0, limit).map(([id]) => id));
      if (roots.size === 0) return { tasks: 0, escalations: 0, approvals: 0, journalEntries: 0 };
      for (const [id, row] of tasks) if (roots.has(row.rootId)) tasks.delete(id);
      const dropCases = (rows: Map<string, { rootId: string }>) => {
        let dropped = 0;
        for (const [id, row] of rows) if (roots.has(row.rootId)) (rows.delete(id), dropped++);
        return dropped;
      };
      const before = journal.length;
      // A line written once its task was no longer active names the task alone (its submitted task unknown by then).
      const named = new Set(roots);
      for (const line of journal) if (line.rootId !== undefined && line.taskId !== undefined && roots.has(line.rootId)) named.add(line.taskId);
      journal = journal.filter((line) => !(line.rootId === undefined ? line.taskId !== undefined && named.has(line.taskId) : roots.has(line.rootId)));
      return { tasks: roots.size, escalations: dropCases(escalations), approvals: dropCases(approvals), journalEntries: before - journal.length };
    },

    close(): void {
      // The data stays for the next orchestrator resumed from this store; only the claim ends.
      holder = undefined;
    },
  };
}

/** The index of the first line numbered after `seq` (numbers grow, with gaps where lines were forgotten). */
function firstAfter(lines: ReadonlyArray<{ readonly seq: number }>, seq: number): number {
  let [low, high] = [0, lines.length];
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (lines[middle]!.seq <= seq) low = middle + 1;
    else high = middle;
  }
  return low;
}
