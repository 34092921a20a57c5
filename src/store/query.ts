/**
 * A journal query (`org.journal(query)`), checked where it comes in — in-process and on Restate
 * alike — so a misspelt key or a count that is none is refused instead of read as "everything"
 * or "nothing".
 */
import { EchelonError } from '../errors.js';
import { checkShape, fields, number, shapeContext, string, type Shape } from '../shape/index.js';
import type { JournalQuery } from './types.js';

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
