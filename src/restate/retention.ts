/**
 * Forgetting finished work on Restate: refused, with what to do instead. The organisation's state
 * is Restate's: its retention removes a finished task's workflow record and invocation journals,
 * but not the case object that keeps the task's books and journal as object state.
 */
import { EchelonError } from '../errors.js';
import type { RestateLayout } from './layout.js';

/** The refusal of `org.forget` on Restate, naming the services of `layout` to clear. */
export function forgetRefused(layout: RestateLayout): EchelonError {
  return new EchelonError(
    'invalid_option',
    `org.forget is not offered on Restate: the organisation's state is Restate's. Restate's retention removes a finished task's workflow (${layout.task}) and its invocation journals; its case object (${layout.case}, keyed by the task id) keeps the task's books and journal as object state until cleared with Restate's tools (restate kv clear ${layout.case}/<task id>).`,
    { details: { host: 'restate' } },
  );
}
