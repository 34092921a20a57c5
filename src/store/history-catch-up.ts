/**
 * A store's history brought up to its store when it is opened again. `keepHistory` appends each
 * batch after the store committed it, so a process killed in between leaves the history one write
 * behind — without that write's line, or with the line cut short — and the batches of the next
 * process would follow the hole: a fork, which checks the history's journal against the store's
 * entry for entry, refused the whole history (even at a point before the crash), and a cut line
 * followed by whole ones made the file unreadable. So the history is mended before anything is
 * appended to it: a cut line is dropped, and what the store holds beyond the history is appended
 * as one batch, which, applied after the history's batches, leaves a store exactly as this one is.
 */
import { appendFileSync, existsSync, readFileSync, truncateSync } from 'node:fs';
import { EchelonError } from '../errors.js';
import { memoryStore } from './memory.js';
import { readHistory, type KeptBatch } from './history-file.js';
import type { JournalEntry, JournalRecord, Store, StoreBatch, StoredOrganisation } from './types.js';

/** Makes the history at `path` the history of `store` as it is now (see the file's comment); run by the store's holder. */
export function catchUp(store: Store, path: string): void {
  const header = store.header();
  if (header === undefined || !existsSync(path)) return;
  dropCutLine(path);
  let batches: KeptBatch[];
  try {
    batches = readHistory(path);
  } catch (error) {
    // A history edited in the middle is left as it is: forkStore says so, and the organisation runs on.
    if (error instanceof EchelonError && error.code === 'store_corrupt') return;
    throw error;
  }
  const seq = batches.at(-1)?.lastSeq ?? 0;
  const ahead = store.journal({ after: seq });
  if (ahead.length === 0 && batches.length > 0) return;
  const replayed = memoryStore();
  for (const { batch, forgets = [] } of batches) {
    replayed.write(batch);
    for (const query of forgets) replayed.forget!(query);
  }
  const missed = difference(store, batches.length === 0 ? undefined : replayed.load(), ahead);
  appendFileSync(path, `${JSON.stringify(batches.length === 0 ? { ...missed, header: { agents: header.agents, snapshotFormat: header.snapshotFormat } } : missed)}\n`);
}

/** A last line a kill cut short goes (its write is the one to catch up); a whole one only missing its newline gets it. */
function dropCutLine(path: string): void {
  const text = readFileSync(path, 'utf8');
  if (text === '' || text.endsWith('\n')) return;
  const cut = text.lastIndexOf('\n') + 1;
  try {
    JSON.parse(text.slice(cut));
    appendFileSync(path, '\n');
  } catch {
    truncateSync(path, Buffer.byteLength(text.slice(0, cut)));
  }
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
