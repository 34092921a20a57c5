/**
 * A recorded journal as the simulation reads it (`latencyFromJournal`, a workload's `journal`):
 * checked once where it comes in, so a file of something else, a truncated export or entries with
 * no time are refused with what is wrong instead of being read as silence or as time zero.
 */
import { EchelonError } from '../errors.js';
import { show } from '../show.js';
import type { JournalEntry } from '../store/types.js';

/**
 * `value` as journal entries — an array of objects, each with a type and a finite time — or an
 * `invalid_option` naming `where` (`workload.journal`) and the first entry that is not one.
 */
export function checkedJournal(value: unknown, where: string): readonly JournalEntry[] {
  if (!Array.isArray(value)) {
    throw new EchelonError('invalid_option', `${where} must be an array of journal entries, as org.journal() gives them, got ${value === null ? 'null' : typeof value}.`);
  }
  value.forEach((entry: unknown, index) => {
    const { type, at } = (typeof entry === 'object' && entry !== null ? entry : {}) as Partial<JournalEntry>;
    if (typeof type !== 'string' || typeof at !== 'number' || !Number.isFinite(at)) {
      throw new EchelonError('invalid_option', `${where}[${index}]: a journal entry has a type and a time (at, a finite number), got ${show(entry)}.`, { details: { index } });
    }
  });
  return value as readonly JournalEntry[];
}
