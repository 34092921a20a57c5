/**
 * Forking a stored organisation: a copy of everything a store holds, written into a new store, so
 * that a new organisation can resume there and take another course — reject the approval the
 * original will approve, resolve an escalation differently, cancel a task — while the original
 * goes on untouched.
 *
 * A store keeps the organisation as of its last write (a consistent cut, see the recorder), and a
 * journal of what led there; the journal holds facts, not agent snapshots or task payloads. So a
 * fork starts from the last write — the point the journal ends at — unless the store's batches
 * were kept (`keepHistory`): then it can start after any earlier write, by applying the batches up
 * to that point to the new store. Without a history an earlier point can be replayed
 * (`echelon replay`), not resumed.
 */
import { EchelonError } from '../errors.js';
import { checkShape, fields, number, shapeContext, string, type Shape } from '../shape/index.js';
import type { Outcome } from '../types.js';
import { record } from './history-catch-up.js';
import { readHistory } from './history-file.js';
import { checkStore } from './history.js';
import type { JournalEntry, Store, StoreBatch, StoredApproval, StoredEscalation } from './types.js';

/** Options of {@link forkStore}. */
export interface ForkOptions {
  /**
   * Start after this journal entry (`seq`) instead of at the end: the fork starts after the last
   * write that ends at or before it (the point returned says which). Needs `history`.
   */
  readonly at?: number;
  /** The source's history file (`keepHistory(store, file)`), for `at`. */
  readonly history?: string;
}

/** Where a fork starts: the last journal entry of the source, and what is still open there. */
export interface ForkPoint {
  /** The journal entry the fork starts after (`seq`), and its time. */
  readonly seq: number;
  readonly at: number;
  /** Submitted tasks still active, approvals still pending, escalations still open at that point. */
  readonly activeTasks: readonly string[];
  readonly pendingApprovals: readonly string[];
  readonly activeEscalations: readonly string[];
}

const FORK_OPTIONS = fields({ at: number, history: string } satisfies Record<keyof ForkOptions, Shape>);

const empty = { snapshots: [], tasks: [], removedTasks: [], outcomes: [], escalations: [], approvals: [], journal: [] } as const satisfies Omit<StoreBatch, 'session'>;

/**
 * Copies the organisation `source` holds into `target` (which must be empty): its shape, every
 * agent's statechart, the tasks in flight, escalations, approvals, budgets, resource claims, the
 * outcomes of finished tasks and the whole journal, session by session — as of now, or as of an
 * earlier write when its history was kept (`{ at, history }`). Resume a new organisation on
 * `target` (`createOrchestrator({ …, store: target, resume: true })`) to go on from there.
 *
 * @example
 * ```ts
 * const point = forkStore(sqliteStore('run.db'), sqliteStore('what-if.db'));
 * const fork = createOrchestrator({ hierarchy, executors, store: sqliteStore('what-if.db'), resume: true });
 * fork.approvals.reject(point.pendingApprovals[0], { by: 'cto', reason: 'what if we had said no?' });
 * ```
 */
export function forkStore(source: Store, target: Store, options: ForkOptions = {}): ForkPoint {
  checkStore('forkStore', source, 'a source store');
  checkStore('forkStore', target, 'a target store');
  checkShape(options, FORK_OPTIONS, '', shapeContext('forkStore', 'invalid_option'));
  if (options.at !== undefined && !(Number.isInteger(options.at) && options.at >= 0)) {
    throw new EchelonError('invalid_option', `forkStore: at is a journal entry's seq, a whole number ≥ 0, got ${String(options.at)}.`);
  }
  if (options.history !== undefined && options.at === undefined) {
    throw new EchelonError('invalid_option', 'forkStore: history is read only to fork at an earlier entry: add at (a journal entry\'s seq), or leave history out to fork the last write.');
  }
  const header = source.header();
  if (header === undefined) throw new EchelonError('invalid_option', `${source.name} holds no organisation: there is nothing to fork.`);
  if (target.header() !== undefined) throw new EchelonError('store_in_use', `${target.name} already holds an organisation: fork into an empty store.`);
  // One state of the source: an organisation running on it commits batches meanwhile, and a fork of
  // its state at one write and its journal at a later one would hold tasks that never come back.
  const copy = () => (options.at === undefined ? copyLatest(source, target) : copyUntil(source, target, options.at, options.history));
  const last = source.reading === undefined ? copy() : source.reading(copy);
  const stored = target.load();
  return {
    seq: last?.seq ?? 0,
    at: last?.at ?? 0,
    activeTasks: stored.tasks.filter((task) => task.task.id === task.task.rootId).map((task) => task.task.id),
    pendingApprovals: stored.approvals.filter((kept) => kept.approval.status === 'pending').map((kept) => kept.approval.id),
    activeEscalations: stored.escalations.filter((kept) => kept.escalation.status === 'active').map((kept) => kept.escalation.id),
  };
}

/** The organisation as of the source's history's last write that ends at or before entry `at`. */
function copyUntil(source: Store, target: Store, at: number, history: string | undefined): { readonly seq: number; readonly at: number } | undefined {
  if (history === undefined) {
    throw new EchelonError('invalid_option', `forkStore at entry ${at} needs the store's history ({ history: file }, kept with keepHistory(store, file)): a store alone holds only its last write.`);
  }
  const batches = readHistory(history);
  const entries = source.journal();
  const journal = new Map(entries.map((entry) => [entry.seq, entry]));
  if (batches.length === 0) throw new EchelonError('invalid_option', `${history} is not the history of ${source.name}: it holds no write of it.`);
  // Its entries are the store's, one for one (a shorter history of another store has the right length). A number
  // the store no longer has — in a gap, or after its last line once a forget took the last ones — is a line it
  // forgot (Store.forget), which the history still holds; a store forgets only lines of tasks, never the organisation's.
  let seq = 0;
  for (const { batch } of batches) {
    for (const record of batch.journal) {
      const entry = journal.get(++seq);
      if (entry === undefined && record.taskId === undefined && record.rootId === undefined) {
        throw new EchelonError('invalid_option', `${history} is not the history of ${source.name}: its entry ${seq} (${record.type} by ${record.actor}) is not in the store, and a store forgets only the lines of tasks.`);
      }
      if (entry === undefined) continue;
      if (record.type !== entry.type || record.at !== entry.at || record.actor !== entry.actor || record.taskId !== entry.taskId) {
        throw new EchelonError('invalid_option', `${history} is not the history of ${source.name}: its entry ${seq} (${record.type} by ${record.actor}) is not the store's (${entry.type} by ${entry.actor}).`);
      }
    }
  }
  const upTo = batches.filter((kept) => kept.lastSeq <= at);
  if (upTo.length === 0) throw new EchelonError('invalid_option', `Entry ${at} is before the store's first write (it ends at entry ${batches[0]!.lastSeq}): fork at ${batches[0]!.lastSeq} or later.`);
  const forgot = upTo.find((kept) => kept.forgets !== undefined);
  if (forgot !== undefined && target.forget === undefined) {
    throw new EchelonError('invalid_option', `forkStore: the source forgot finished tasks after entry ${forgot.lastSeq} (org.forget) and ${target.name} cannot forget (it has no forget method; memoryStore() and sqliteStore() have one): fork into one that can, or at an entry before ${forgot.lastSeq}.`);
  }
  // Each forget where it ran, after its batch: on the same batches it takes the same tasks.
  for (const { batch, forgets = [] } of upTo) {
    target.write(batch);
    for (const query of forgets) target.forget!(query);
  }
  // Its batches hold every line the source wrote up to there, so the fork's numbers are the source's (a forget may have taken the last ones).
  const last = upTo.findLast((kept) => kept.batch.journal.length > 0);
  const record = last?.batch.journal.at(-1);
  return last === undefined || record === undefined ? undefined : { seq: last.lastSeq, at: record.at };
}

/**
 * The source as it is now: everything it holds, copied; returns its last entry (the fork's journal
 * is numbered from 1 again, without the gaps lines the source forgot left).
 */
function copyLatest(source: Store, target: Store): JournalEntry | undefined {
  const header = source.header()!;
  const stored = source.load();
  const journal = source.journal();

  // Finished work: what the journal names, read back by id.
  const submitted = unique(journal.filter((entry) => entry.type === 'task.submitted').map((entry) => entry.taskId));
  const outcomes = submitted.map((id) => source.outcome(id)).filter((outcome): outcome is Outcome => outcome !== undefined);
  const rootOf = new Map(journal.map((entry) => [entry.taskId, entry.rootId ?? entry.taskId]));
  const escalations: StoredEscalation[] = unique(journal.map((entry) => (entry.type === 'escalation.raised' ? (entry.data?.escalationId as string | undefined) : undefined)))
    .map((id) => source.escalation(id))
    .filter((escalation) => escalation !== undefined)
    .map((escalation) => ({ rootId: rootOf.get(escalation.taskId) ?? escalation.taskId, escalation }));
  const approvals: StoredApproval[] = unique(journal.map((entry) => (entry.type === 'approval.requested' ? (entry.data?.approvalId as string | undefined) : undefined)))
    .map((id) => source.approval(id))
    .filter((approval) => approval !== undefined)
    .map((approval) => ({ rootId: rootOf.get(approval.taskId) ?? approval.taskId, approval }));

  // The journal, a batch per session so every entry keeps its session; the state with the last one.
  const sessions = [...new Set(journal.map((entry) => entry.session))];
  if (!sessions.includes(header.sessions)) sessions.push(header.sessions);
  sessions.forEach((session, index) => {
    const batch: StoreBatch = {
      ...empty,
      session,
      ...(index === 0 ? { header: { agents: header.agents, snapshotFormat: header.snapshotFormat } } : {}),
      journal: journal.filter((entry) => entry.session === session).map(record),
    };
    if (index < sessions.length - 1) return target.write(batch);
    target.write({
      ...batch,
      snapshots: Object.entries(stored.snapshots).map(([id, snapshot]) => ({
        id,
        snapshot,
        addedParts: Object.entries(stored.parts[id] ?? {}).map(([key, value]) => ({ key, value })),
        removedParts: [],
      })),
      tasks: stored.tasks,
      outcomes,
      escalations: [...escalations.filter((kept) => !stored.escalations.some((open) => open.escalation.id === kept.escalation.id)), ...stored.escalations],
      approvals: [...approvals.filter((kept) => !stored.approvals.some((open) => open.approval.id === kept.approval.id)), ...stored.approvals],
      resources: stored.resources,
    });
  });
  return journal.at(-1);
}

function unique(ids: ReadonlyArray<string | undefined>): string[] {
  return [...new Set(ids.filter((id): id is string => id !== undefined))];
}
