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
import { statSync } from 'node:fs';
import { EchelonError } from '../errors.js';
import { checkShape, fields, number, shapeContext, string, type Shape } from '../shape/index.js';
import { record } from './history-catch-up.js';
import { historyBatches } from './history-file.js';
import { checkStore } from './history.js';
import { JOURNAL_PAGE, pagedJournal } from './paged.js';
import type { JournalEntry, JournalRecord, Store, StoreBatch } from './types.js';

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
  // The history as long as it is before that state is read: what an organisation appends later is past it (a line of a
  // batch it committed later names tasks the state does not know, which the check takes for lines the store forgot).
  const history = options.history === undefined ? undefined : { file: options.history, bytes: fileSize(options.history) };
  const copy = () => (options.at === undefined ? copyLatest(source, target) : copyUntil(source, target, options.at, history));
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

/** A history file, read up to `bytes` (its size when the fork began; undefined for one that is no file, which the reading refuses). */
interface HistoryRead {
  readonly file: string;
  readonly bytes: number | undefined;
}

const fileSize = (file: string): number | undefined => {
  const stats = statSync(file, { throwIfNoEntry: false });
  return stats?.isFile() ? stats.size : undefined;
};

/**
 * The organisation as of the source's history's last write that ends at or before entry `at`. The history
 * is read twice, a batch at a time, beside the store's journal a page at a time: once to check it is the
 * store's, once to apply it up to `at` (read whole, a long run's history did not fit in memory).
 */
function copyUntil(source: Store, target: Store, at: number, history: HistoryRead | undefined): { readonly seq: number; readonly at: number } | undefined {
  if (history === undefined) {
    throw new EchelonError('invalid_option', `forkStore at entry ${at} needs the store's history ({ history: file }, kept with keepHistory(store, file)): a store alone holds only its last write.`);
  }
  const { firstSeq, forgot } = checkHistory(source, history, at);
  if (firstSeq === undefined) throw new EchelonError('invalid_option', `${history.file} is not the history of ${source.name}: it holds no write of it.`);
  if (firstSeq > at) throw new EchelonError('invalid_option', `Entry ${at} is before the store's first write (it ends at entry ${firstSeq}): fork at ${firstSeq} or later.`);
  if (forgot !== undefined && target.forget === undefined) {
    throw new EchelonError('invalid_option', `forkStore: the source forgot finished tasks after entry ${forgot} (org.forget) and ${target.name} cannot forget (it has no forget method; memoryStore() and sqliteStore() have one): fork into one that can, or at an entry before ${forgot}.`);
  }
  // Each forget where it ran, after its batch: on the same batches it takes the same tasks.
  let point: { seq: number; at: number } | undefined;
  for (const { batch, lastSeq, forgets = [] } of historyBatches(history.file, history.bytes)) {
    if (lastSeq > at) break;
    target.write(batch);
    for (const query of forgets) target.forget!(query);
    // Its batches hold every line the source wrote up to there, so the fork's numbers are the source's (a forget may have taken the last ones).
    const record = batch.journal.at(-1);
    if (record !== undefined) point = { seq: lastSeq, at: record.at };
  }
  return point;
}

/**
 * Checks that `history` is the source's: its entries are the store's, one for one (a shorter history of
 * another store has the right length). A number the store no longer has — in a gap, or after its last line
 * once a forget took the last ones — is a line it forgot (Store.forget), which the history still holds; a
 * store forgets only lines of tasks, never the organisation's. Gives where its first write ends and the
 * first write up to `at` a forget followed.
 */
function checkHistory(source: Store, { file: history, bytes }: HistoryRead, at: number): { firstSeq?: number; forgot?: number } {
  const journal = pagedJournal(source);
  let entry = journal.next().value;
  let seq = 0;
  let firstSeq: number | undefined;
  let forgot: number | undefined;
  for (const { batch, lastSeq, forgets } of historyBatches(history, bytes)) {
    firstSeq ??= lastSeq;
    if (forgets !== undefined && lastSeq <= at) forgot ??= lastSeq;
    for (const record of batch.journal) {
      seq += 1;
      while (entry !== undefined && entry.seq < seq) entry = journal.next().value;
      const same = entry?.seq === seq ? entry : undefined;
      if (same === undefined && record.taskId === undefined && record.rootId === undefined) {
        throw new EchelonError('invalid_option', `${history} is not the history of ${source.name}: its entry ${seq} (${record.type} by ${record.actor}) is not in the store, and a store forgets only the lines of tasks.`);
      }
      if (same === undefined) continue;
      if (record.type !== same.type || record.at !== same.at || record.actor !== same.actor || record.taskId !== same.taskId) {
        throw new EchelonError('invalid_option', `${history} is not the history of ${source.name}: its entry ${seq} (${record.type} by ${record.actor}) is not the store's (${same.type} by ${same.actor}).`);
      }
    }
  }
  return { ...(firstSeq === undefined ? {} : { firstSeq }), ...(forgot === undefined ? {} : { forgot }) };
}

/** Writes `items` in batches of a page each, as `batchOf` makes them. */
function writePaged<T>(target: Store, items: Iterable<T>, batchOf: (page: T[]) => StoreBatch): void {
  let page: T[] = [];
  for (const item of items) {
    page.push(item);
    if (page.length < JOURNAL_PAGE) continue;
    target.write(batchOf(page));
    page = [];
  }
  if (page.length > 0) target.write(batchOf(page));
}

/**
 * The source as it is now: everything it holds, copied; returns its last entry (the fork's journal
 * is numbered from 1 again, without the gaps lines the source forgot left). The journal and the
 * finished work are read and written a page at a time; the organisation's state last, so the
 * target holds it whole only once everything before it is there.
 */
function copyLatest(source: Store, target: Store): JournalEntry | undefined {
  const header = source.header()!;

  // Finished work is what the journal names, read back by id: the ids, from one pass over it.
  const submitted = new Set<string>();
  const escalationIds = new Set<string>();
  const approvalIds = new Set<string>();
  const rootOf = new Map<string, string>();
  let last: JournalEntry | undefined;
  for (const entry of pagedJournal(source)) {
    last = entry;
    if (entry.taskId !== undefined) rootOf.set(entry.taskId, entry.rootId ?? entry.taskId);
    if (entry.type === 'task.submitted' && entry.taskId !== undefined) submitted.add(entry.taskId);
    const named = entry.type === 'escalation.raised' ? entry.data?.escalationId : entry.type === 'approval.requested' ? entry.data?.approvalId : undefined;
    if (typeof named === 'string') (entry.type === 'escalation.raised' ? escalationIds : approvalIds).add(named);
  }

  // The journal, in batches that each keep their entries' session (a session's entries follow one another).
  let first = true;
  let session: number | undefined;
  let lines: JournalRecord[] = [];
  const writeLines = () => {
    if (session === undefined) return;
    target.write({ ...empty, session, ...(first ? { header: { agents: header.agents, snapshotFormat: header.snapshotFormat } } : {}), journal: lines });
    first = false;
    lines = [];
  };
  for (const entry of pagedJournal(source)) {
    if (entry.session !== session || lines.length === JOURNAL_PAGE) writeLines();
    session = entry.session;
    lines.push(record(entry));
  }
  writeLines();

  // Finished work, a page at a time, under the last session; the open state then replaces what it holds anew.
  const stored = source.load();
  const at = { ...empty, session: header.sessions, ...(first ? { header: { agents: header.agents, snapshotFormat: header.snapshotFormat } } : {}) };
  const open = { escalations: new Set(stored.escalations.map((kept) => kept.escalation.id)), approvals: new Set(stored.approvals.map((kept) => kept.approval.id)) };
  writePaged(target, finished(submitted, (id) => source.outcome(id)), (outcomes) => ({ ...at, outcomes }));
  const rootId = (taskId: string) => rootOf.get(taskId) ?? taskId;
  writePaged(
    target,
    finished(escalationIds, (id) => (open.escalations.has(id) ? undefined : source.escalation(id))),
    (page) => ({ ...at, escalations: page.map((escalation) => ({ rootId: rootId(escalation.taskId), escalation })) }),
  );
  writePaged(
    target,
    finished(approvalIds, (id) => (open.approvals.has(id) ? undefined : source.approval(id))),
    (page) => ({ ...at, approvals: page.map((approval) => ({ rootId: rootId(approval.taskId), approval })) }),
  );
  target.write({
    ...at,
    snapshots: Object.entries(stored.snapshots).map(([id, snapshot]) => ({
      id,
      snapshot,
      addedParts: Object.entries(stored.parts[id] ?? {}).map(([key, value]) => ({ key, value })),
      removedParts: [],
    })),
    tasks: stored.tasks,
    escalations: stored.escalations,
    approvals: stored.approvals,
    resources: stored.resources,
  });
  return last;
}

/** The records `read` finds for `ids`, one at a time. */
function* finished<T>(ids: Iterable<string>, read: (id: string) => T | undefined): Generator<T> {
  for (const id of ids) {
    const found = read(id);
    if (found !== undefined) yield found;
  }
}
