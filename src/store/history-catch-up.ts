/**
 * A store's history brought up to its store when it is opened again. `keepHistory` appends each
 * batch after the store committed it, so a process killed in between leaves the history one write
 * behind — without that write's line, or with the line cut short — and the batches of the next
 * process would follow the hole: a fork, which checks the history's journal against the store's
 * entry for entry, refused the whole history (even at a point before the crash), and a cut line
 * followed by whole ones made the file unreadable. So the history is mended before anything is
 * appended to it: a cut line is dropped, and what the store holds beyond the history is appended
 * as one batch, which, applied after the history's batches, leaves a store exactly as this one is.
 * A forget is written the other way round (its line first), so a last forget line the store never
 * ran is dropped too.
 */
import { isDeepStrictEqual } from 'node:util';
import { appendFileSync, closeSync, existsSync, fstatSync, openSync, readSync, truncateSync } from 'node:fs';
import { EchelonError } from '../errors.js';
import { memoryStore } from './memory.js';
import { historyBatches } from './history-file.js';
import type { Outcome } from '../types.js';
import type { ForgetQuery, JournalEntry, JournalRecord, Store, StoreBatch, StoredOrganisation } from './types.js';

/** Makes the history at `path` the history of `store` as it is now (see the file's comment); run by the store's holder. */
export function catchUp(store: Store, path: string): void {
  const header = store.header();
  if (header === undefined || !existsSync(path)) return;
  const end = historyEnd(path);
  // Read from their ends, so that a start after a clean stop reads neither the history nor the journal whole.
  if (end === 'unreadable' || (end.record !== undefined && end.forget === undefined && same(end.record, end.session, lastEntry(store)))) return;
  const history = replayed(path, end.forget !== undefined);
  if (history === undefined) return;
  // A write the store committed after the forget, its line lost, is caught up after it like any other.
  if (end.forget !== undefined) settleForget(store, path, history, end.forget);
  const ahead = store.journal({ after: history.lastSeq });
  if (ahead.length === 0 && history.batches > 0) return;
  const missed = difference(store, history.batches === 0 ? undefined : history.organisation.load(), ahead);
  appendFileSync(path, `${JSON.stringify(history.batches === 0 ? { ...missed, header: { agents: header.agents, snapshotFormat: header.snapshotFormat } } : missed)}\n`);
}

/** The organisation a history builds, and what the catch-up needs to know of it. */
interface Replayed {
  /** The open state its batches and forgets leave, in memory (without the journal; of an outcome, what a forget reads). */
  readonly organisation: Store;
  readonly batches: number;
  /** The journal entry its last batch ends at. */
  readonly lastSeq: number;
  /** Its last forget, not run on `organisation`, with the ids of every outcome the history wrote (when asked to hold it). */
  readonly held?: { readonly query: ForgetQuery; readonly settled: ReadonlySet<string> };
}

/**
 * The history at `path` replayed a batch at a time (a long run's history is not read whole), holding back
 * its last forget when `holdLastForget`; `undefined` for one edited in the middle, which is left as it is
 * (forkStore says so, and the organisation runs on).
 */
function replayed(path: string, holdLastForget: boolean): Replayed | undefined {
  const organisation = memoryStore();
  const settled = new Set<string>();
  let batches = 0;
  let lastSeq = 0;
  let forgets: readonly ForgetQuery[] = [];
  try {
    for (const kept of historyBatches(path)) {
      // The batch before's forgets run before this batch, as they did.
      for (const query of forgets) organisation.forget!(query);
      const { batch } = kept;
      // Its journal is the store's to give (the lines after lastSeq); an outcome is kept as much as a forget reads of it.
      organisation.write({ ...batch, journal: [], outcomes: batch.outcomes.map(({ taskId, status, settledAt }) => ({ taskId, status, settledAt }) as Outcome) });
      if (holdLastForget) for (const outcome of batch.outcomes) settled.add(outcome.taskId);
      forgets = kept.forgets ?? [];
      batches += 1;
      lastSeq = kept.lastSeq;
    }
  } catch (error) {
    if (error instanceof EchelonError && error.code === 'store_corrupt') return undefined;
    throw error;
  }
  const held = holdLastForget ? forgets.at(-1) : undefined;
  for (const query of held === undefined ? forgets : forgets.slice(0, -1)) organisation.forget!(query);
  return { organisation, batches, lastSeq, ...(held === undefined ? {} : { held: { query: held, settled } }) };
}

/**
 * A forget is written before the store runs it (and taken back when it fails or takes nothing), so a
 * crash in between leaves its line last: it stays when the store ran it — the tasks it takes from the
 * history's organisation are gone from the store — and goes (the line starting at byte `start`) when not.
 * The history's organisation is the same either way: a forget takes finished work, which its open state
 * does not hold.
 */
function settleForget(store: Store, path: string, history: Replayed, start: number): void {
  const { organisation, held } = history;
  if (held === undefined) return;
  const before = [...held.settled].filter((id) => organisation.outcome(id) !== undefined);
  organisation.forget!(held.query);
  const taken = before.filter((id) => organisation.outcome(id) === undefined);
  if (taken.some((id) => store.outcome(id) !== undefined)) truncateSync(path, start);
}

/**
 * The history's end, once a last line a kill cut short is gone (a whole one only missing its newline
 * gets it): the last journal line it holds with its batch's session, and where its last line starts when that is a forget;
 * `'unreadable'` when a line is no JSON.
 */
function historyEnd(path: string): { record?: JournalRecord; session?: unknown; forget?: number } | 'unreadable' {
  let index = -1;
  let forget: number | undefined;
  let lastLine = true;
  for (const { text, start, whole } of linesFromEnd(path)) {
    index += 1;
    if (text === '') continue;
    let line: (Partial<StoreBatch> & { forget?: unknown }) | null;
    try {
      line = JSON.parse(text) as (Partial<StoreBatch> & { forget?: unknown }) | null;
    } catch {
      if (index > 0 || whole) return 'unreadable';
      truncateSync(path, start);
      continue;
    }
    if (index === 0 && !whole) appendFileSync(path, '\n');
    // Only a forget on the last line can be one the store never ran.
    if (lastLine && line?.forget !== undefined) forget = start;
    lastLine = false;
    const journal = line?.journal;
    if (Array.isArray(journal) && journal.length > 0) return { record: journal.at(-1) as JournalRecord, session: line?.session, forget };
  }
  return { forget };
}

const CHUNK = 64 * 1024;

/** The file's lines, last first, each with the byte it starts at and whether a newline ends it (read backwards, a chunk at a time). */
function* linesFromEnd(path: string): Generator<{ text: string; start: number; whole: boolean }> {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    if (size === 0) return;
    const lastByte = Buffer.alloc(1);
    readSync(fd, lastByte, 0, 1, size - 1);
    let whole = lastByte[0] === NEWLINE;
    let from = whole ? size - 1 : size;
    // `unread` holds the bytes [from, from + unread.length) not yet split; `later`, the current line's bytes after them, in
    // order (joined once the line's start is found: joined at every chunk, a line of 100 MB was copied some 1,600 times).
    let unread = Buffer.alloc(0);
    let later: Buffer[] = [];
    for (;;) {
      const newline = unread.lastIndexOf(NEWLINE);
      if (newline !== -1) {
        yield { text: Buffer.concat([unread.subarray(newline + 1), ...later]).toString('utf8'), start: from + newline + 1, whole };
        unread = unread.subarray(0, newline);
        later = [];
        whole = true;
        continue;
      }
      if (from === 0) {
        yield { text: Buffer.concat([unread, ...later]).toString('utf8'), start: 0, whole };
        return;
      }
      later.unshift(unread);
      const size = Math.min(CHUNK, from);
      unread = Buffer.alloc(size);
      readSync(fd, unread, 0, size, from - size);
      from -= size;
    }
  } finally {
    closeSync(fd);
  }
}

const NEWLINE = 0x0a;

/** The store's last journal entry, found in as many reads as the log of its number (the journal is numbered, with gaps after a forget). */
function lastEntry(store: Store): JournalEntry | undefined {
  if (store.journal({ limit: 1 }).length === 0) return undefined;
  let low = 0;
  let high = 1;
  while (store.journal({ after: high, limit: 1 }).length > 0) [low, high] = [high, high * 2];
  // Entries follow low, none follows high.
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (store.journal({ after: middle, limit: 1 }).length > 0) low = middle;
    else high = middle;
  }
  return store.journal({ after: low, limit: 1 })[0];
}

/**
 * Whether the history's last line (of a batch of `session`) and the store's are the same line: the whole
 * line and its session, as a lost write's last line can read like the one before it in all but its data
 * (a simulated clock's time, a resume with nothing to do). A line read back differently only costs a read.
 */
function same(line: JournalRecord, session: unknown, entry: JournalEntry | undefined): boolean {
  return entry !== undefined && entry.session === session && isDeepStrictEqual(JSON.parse(JSON.stringify(record(entry))), line);
}

/** The batch that takes a store holding `then` (nothing, when undefined) to what `store` holds now, with the journal lines `ahead`. */
function difference(store: Store, then: StoredOrganisation | undefined, ahead: readonly JournalEntry[]): StoreBatch {
  const now = store.load();
  const active = new Set(now.tasks.map((kept) => kept.task.id));
  const left = (then?.tasks ?? []).map((kept) => kept.task.id).filter((id) => !active.has(id));
  // Finished since: those that were active then, and those submitted and settled in the writes the history missed.
  const finished = [...new Set([...left, ...ahead.map((entry) => entry.taskId).filter((id) => id !== undefined)])].filter((id) => !active.has(id));
  const outcomes = finished.map((id) => store.outcome(id)).filter((outcome) => outcome !== undefined);
  const settled = new Set(outcomes.map((outcome) => outcome.taskId));
  return {
    session: now.sessions,
    snapshots: Object.entries(now.snapshots).map(([id, snapshot]) => {
      const parts = now.parts[id] ?? {};
      return {
        id,
        snapshot,
        addedParts: Object.entries(parts).map(([key, value]) => ({ key, value })),
        removedParts: Object.keys(then?.parts[id] ?? {}).filter((key) => !(key in parts)),
      };
    }),
    tasks: now.tasks,
    removedTasks: left.filter((id) => !settled.has(id)),
    outcomes,
    escalations: [...caseRoots([...(then?.escalations ?? []), ...now.escalations].map((kept) => [kept.escalation.id, kept.rootId]), ahead, 'escalationId')].flatMap(([id, rootId]) => {
      const escalation = store.escalation(id);
      return escalation === undefined ? [] : [{ rootId, escalation }];
    }),
    approvals: [...caseRoots([...(then?.approvals ?? []), ...now.approvals].map((kept) => [kept.approval.id, kept.rootId]), ahead, 'approvalId')].flatMap(([id, rootId]) => {
      const approval = store.approval(id);
      return approval === undefined ? [] : [{ rootId, approval }];
    }),
    resources: now.resources,
    journal: ahead.map(record),
  };
}

/** The cases open then or now and those a line the history missed names (raised and closed since), each with its root's id. */
function caseRoots(open: ReadonlyArray<readonly [string, string]>, ahead: readonly JournalEntry[], key: 'escalationId' | 'approvalId'): Map<string, string> {
  const roots = new Map(open);
  for (const entry of ahead) {
    const id = entry.data?.[key];
    if (typeof id === 'string' && !roots.has(id)) roots.set(id, entry.rootId ?? entry.taskId ?? id);
  }
  return roots;
}

/** A journal entry as it is written (its number and session come from the store). */
export function record({ seq: _seq, session: _session, ...entry }: JournalEntry): JournalRecord {
  return entry;
}
