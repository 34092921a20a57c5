/**
 * `org.forget`: a long-running organisation drops finished work it no longer needs to answer
 * for — from its store (outcomes, escalations, approvals, journal lines) and from the recent
 * outcomes it keeps in memory, so that every read agrees on what is gone. Active work is never
 * touched.
 */
import { EchelonError } from '../errors.js';
import { checkForgetQuery } from '../store/query.js';
import type { Forgotten } from '../store/types.js';
import type { Durable } from './durability/index.js';
import type { OrchestratorEvent, OrchestratorEventType } from './events.js';
import type { Ledger } from './ledger.js';

/** What forgetting works on. */
export interface ForgetParts {
  readonly ledger: Ledger;
  readonly durable: Durable | undefined;
  readonly stopped: () => boolean;
  readonly now: () => number;
  readonly emit: (type: OrchestratorEventType, build: () => OrchestratorEvent) => void;
}

/**
 * Checks `query` at the door (a refusal changes nothing), then forgets: with a store, at its next
 * write point, in one store transaction, and then in memory what the store forgot; without one,
 * the recent outcomes in memory (the only place finished work is kept), oldest first.
 */
export function forgetFinished(parts: ForgetParts, query: unknown): Promise<Forgotten> {
  try {
    const { settledBefore, limit } = checkForgetQuery(query, 'org.forget');
    if (parts.stopped()) {
      throw new EchelonError('orchestrator_stopped', 'org.forget: this orchestrator is stopped, and its store may be another\'s by now: forget on the organisation running on it (resume: true).');
    }
    const { ledger, durable } = parts;
    // Whoever keeps tasks of their own (an open live view) hears what went, once per transaction.
    const told = (most: number | undefined, forgotten: Forgotten): Forgotten => {
      if (forgotten.tasks > 0) parts.emit('tasks.forgotten', () => ({ type: 'tasks.forgotten', settledBefore, ...(most === undefined ? {} : { limit: most }), forgotten, at: parts.now() }));
      return forgotten;
    };
    if (durable === undefined) {
      const dropped = ledger.forget(settledBefore, (settled) => settled.slice(0, limit ?? settled.length));
      return Promise.resolve(told(limit, { ...dropped, journalEntries: 0 }));
    }
    // Memory drops what the store no longer holds: its outcomes, and closed cases whose outcome memory had already let go.
    const forgotten = (taskId: string) => durable.outcome(taskId) === undefined;
    const stored = { escalationGone: (id: string) => durable.escalation(id) === undefined, approvalGone: (id: string) => durable.approval(id) === undefined };
    const slice = (most: number) => durable.forget({ settledBefore, limit: most }, () => ledger.forget(settledBefore, (settled) => settled.filter((outcome) => forgotten(outcome.taskId)), stored)).then((went) => told(most, went));
    return limit === undefined ? inSlices(slice, parts.stopped) : slice(limit);
  } catch (error) {
    return Promise.reject(error);
  }
}

/**
 * Finished tasks one store transaction forgets when no `limit` is given: a first trim of a big
 * file (100,000 tasks took 2.4 s in one SQLite transaction, which blocks the event loop) goes in
 * slices of this many, each at a write point of its own, so the organisation runs between them.
 */
export const FORGET_SLICE = 10_000;

/** Forgets slice after slice until one comes back short (or the organisation stops), adding up what went. */
async function inSlices(slice: (most: number) => Promise<Forgotten>, stopped: () => boolean): Promise<Forgotten> {
  let total: Forgotten = { tasks: 0, escalations: 0, approvals: 0, journalEntries: 0 };
  for (;;) {
    let went: Forgotten;
    try {
      went = await slice(FORGET_SLICE);
    } catch (error) {
      if (total.tasks === 0 || !(error instanceof EchelonError)) throw error;
      // Earlier slices stay forgotten: say so, rather than let "nothing was forgotten" stand for the whole call.
      throw new EchelonError(error.code, `${error.message} (This was one slice of ${FORGET_SLICE.toLocaleString('en-US')}: the ${total.tasks.toLocaleString('en-US')} tasks of the slices before it are forgotten.)`, {
        cause: error,
        details: { ...error.details, forgotten: total },
      });
    }
    total = { tasks: total.tasks + went.tasks, escalations: total.escalations + went.escalations, approvals: total.approvals + went.approvals, journalEntries: total.journalEntries + went.journalEntries };
    if (went.tasks < FORGET_SLICE || stopped()) return total;
  }
}
