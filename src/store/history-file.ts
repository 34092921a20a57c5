/**
 * Reading a store's history file (`keepHistory`): one JSON line per batch the store committed, and
 * a line of its own for each forget after the batch it followed.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { EchelonError } from '../errors.js';
import type { ForgetQuery, StoreBatch } from './types.js';

/** A kept batch, with the journal entries it ends at (entries are numbered from 1 in order of writing). */
export interface KeptBatch {
  readonly batch: StoreBatch;
  /** The `seq` of its last journal entry (that of the batch before, when it has none). */
  readonly lastSeq: number;
  /** The forgets (`Store.forget`) the store ran after this batch and before the next, in order, when it ran any. */
  readonly forgets?: readonly ForgetQuery[];
}

/**
 * Reads a history file's batches, oldest first (a last line cut short by a crash is left out).
 *
 * @example
 * ```ts
 * readHistory('run.history.jsonl').map((kept) => kept.lastSeq); // [3, 9, 14, …]: where each write ends in the journal
 * ```
 */
export function readHistory(file: string): KeptBatch[] {
  if (!existsSync(file)) throw new EchelonError('invalid_option', `No store history at ${file} (keepHistory(store, file) writes one).`);
  // Read as a file, a directory is EISDIR with no word of what was asked for.
  if (!statSync(file).isFile()) throw new EchelonError('invalid_option', `The store history ${file} is no file (keepHistory(store, file) writes one, a batch per line).`);
  let seq = 0;
  const lines = readFileSync(file, 'utf8').split('\n');
  const kept: KeptBatch[] = [];
  for (const [index, line] of lines.entries()) {
    if (line === '') continue;
    let batch: StoreBatch;
    try {
      batch = JSON.parse(line) as StoreBatch;
    } catch {
      // A line cut short by a crash while it was appended is the last one: that write is not in the history.
      if (index === lines.length - 1) break;
      throw new EchelonError('store_corrupt', `Line ${index + 1} of the store history ${file} is not a batch (the file was edited).`);
    }
    const forget = forgetOf(batch);
    if (forget !== undefined) {
      const last = kept.at(-1);
      if (last === undefined) throw new EchelonError('store_corrupt', `Line ${index + 1} of the store history ${file} is a forget before any batch (keepHistory starts with the store's first write).`);
      kept[kept.length - 1] = { ...last, forgets: [...(last.forgets ?? []), forget] };
      continue;
    }
    if (typeof batch !== 'object' || batch === null || !Array.isArray(batch.journal)) {
      throw new EchelonError('store_corrupt', `Line ${index + 1} of the store history ${file} is not a batch (keepHistory writes one store batch per line): is it a store's history?`);
    }
    seq += batch.journal.length;
    kept.push({ batch, lastSeq: seq });
  }
  return kept;
}

/** A history line that records a forget (`{ "forget": { settledBefore, limit? } }`), as its query; `undefined` for any other line. */
function forgetOf(line: unknown): ForgetQuery | undefined {
  const forget = (line as { forget?: unknown } | null)?.forget;
  if (typeof forget !== 'object' || forget === null) return undefined;
  const { settledBefore, limit } = forget as Partial<ForgetQuery>;
  if (typeof settledBefore !== 'number' || !(limit === undefined || (Number.isInteger(limit) && limit >= 1))) return undefined;
  return { settledBefore, ...(limit === undefined ? {} : { limit }) };
}
