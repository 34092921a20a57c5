/**
 * A journal query (`org.journal(query)`) and what to forget (`org.forget(query)`), checked where
 * they come in — in-process and on Restate alike — so a misspelt key or a count that is none is
 * refused instead of read as "everything" or "nothing".
 */
import { EchelonError } from '../errors.js';
import { checkShape, fields, number, readingCaller, shapeContext, string, type Shape } from '../shape/index.js';
import { show } from '../show.js';
import type { ForgetQuery, JournalQuery } from './types.js';

const JOURNAL_QUERY = fields({ taskId: string, after: number, limit: number } satisfies Record<keyof JournalQuery, Shape>);

/**
 * Refuses (`invalid_option`, naming `where`) a query with an unknown key, an `after` that is not a
 * whole number ≥ 0, or a `limit` that is neither that nor `Infinity`.
 *
 * @example
 * ```ts
 * checkJournalQuery({ taskid: 'deploy-42' }, 'org.journal'); // throws: did you mean "taskId"?
 * ```
 */
export function checkJournalQuery(query: JournalQuery | undefined, where: string): void {
  if (query === undefined) return;
  checkShape(query, JOURNAL_QUERY, '', shapeContext(where, 'invalid_option'));
  const count = (name: 'after' | 'limit', value: number | undefined, infinite: boolean) => {
    if (value === undefined || (Number.isInteger(value) && value >= 0) || (infinite && value === Number.POSITIVE_INFINITY)) return;
    throw new EchelonError('invalid_option', `${where}: ${name} must be a whole number ≥ 0${infinite ? ' (or Infinity)' : ''}, got ${String(value)}.`, { details: { [name]: value } });
  };
  count('after', query.after, false);
  count('limit', query.limit, true);
}

const FORGET_QUERY = fields({ settledBefore: number, limit: number } satisfies Record<keyof ForgetQuery, Shape>);

/**
 * What to forget, copied from the caller's object and checked, or `invalid_option` (naming
 * `where`): an unknown key, a `settledBefore` that is no finite number (a `Date` is told to pass
 * its `getTime()`: times are ms on the orchestrator's clock), or a `limit` that is no whole number ≥ 1.
 *
 * @example
 * ```ts
 * checkForgetQuery({ settledBefore: Date.now() - 30 * 86_400_000, limit: 1000 }, 'org.forget'); // { settledBefore, limit }
 * ```
 */
export function checkForgetQuery(query: unknown, where: string): ForgetQuery {
  const time = "a time in ms on the orchestrator's clock (its clock's now(), or Date.now() without one)";
  if (typeof query !== 'object' || query === null || query instanceof Date) {
    throw new EchelonError('invalid_option', `${where} needs { settledBefore }, ${time}: finished tasks that settled before it are forgotten; got ${show(query)}.`);
  }
  const copy = readingCaller(where, 'invalid_option', 'its options', () => ({ ...(query as ForgetQuery) }));
  const { settledBefore, limit } = copy as { settledBefore: unknown; limit: unknown };
  if (settledBefore instanceof Date) {
    throw new EchelonError('invalid_option', `${where}: settledBefore is ${time}, not a Date: pass { settledBefore: date.getTime() }.`, { details: { settledBefore: String(settledBefore) } });
  }
  checkShape(copy, FORGET_QUERY, '', shapeContext(where, 'invalid_option'));
  if (typeof settledBefore !== 'number' || !Number.isFinite(settledBefore)) {
    throw new EchelonError('invalid_option', `${where}: settledBefore must be ${time}, a finite number; got ${show(settledBefore)}.`, { details: { settledBefore: String(settledBefore) } });
  }
  if (limit !== undefined && !(Number.isInteger(limit) && (limit as number) >= 1)) {
    throw new EchelonError('invalid_option', `${where}: limit is how many tasks to forget at most, a whole number ≥ 1; got ${show(limit)}. Leave it out to forget every task settled before the time.`, { details: { limit: String(limit) } });
  }
  return limit === undefined ? { settledBefore } : { settledBefore, limit: limit as number };
}
