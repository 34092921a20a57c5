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
import type { Ledger } from './ledger.js';

/** What forgetting works on. */
export interface ForgetParts {
  readonly ledger: Ledger;
  readonly durable: Durable | undefined;
  readonly stopped: () => boolean;
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
    if (durable === undefined) {
      const dropped = ledger.forget(settledBefore, (settled) => settled.slice(0, limit ?? settled.length));
      return Promise.resolve({ ...dropped, journalEntries: 0 });
    }
    // Memory drops what the store no longer holds: its outcomes, and closed cases whose outcome memory had already let go.
    const forgotten = (taskId: string) => durable.outcome(taskId) === undefined;
    const stored = { escalationGone: (id: string) => durable.escalation(id) === undefined, approvalGone: (id: string) => durable.approval(id) === undefined };
    return durable.forget(limit === undefined ? { settledBefore } : { settledBefore, limit }, () =>
      ledger.forget(settledBefore, (settled) => settled.filter((outcome) => forgotten(outcome.taskId)), stored),
    );
  } catch (error) {
    return Promise.reject(error);
  }
}
