/**
 * Reading a store's history file (`keepHistory`): one JSON line per batch the store committed, and
 * a line of its own for each forget after the batch it followed.
 */
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
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
 * `historyBatches` gives them one at a time, for what walks a long run's history.
 *
 * @example
 * ```ts
 * readHistory('run.history.jsonl').map((kept) => kept.lastSeq); // [3, 9, 14, …]: where each write ends in the journal
 * ```
 */
export function readHistory(file: string): KeptBatch[] {
  return [...historyBatches(file)];
}

/**
 * A history file's batches, oldest first, each with the forgets after it, read a chunk of the file at a
 * time: what walks a long run's history (a fork at an earlier entry, a catch-up) holds a batch, not the run
 * — read whole, a 120 MB history took 270 MB of heap, and one over 512 MB could not be read at all.
 * With `bytes`, only the file's first `bytes` are read (a line they cut is a line cut short).
 */
export function* historyBatches(file: string, bytes?: number): Generator<KeptBatch> {
  if (!existsSync(file)) throw new EchelonError('invalid_option', `No store history at ${file} (keepHistory(store, file) writes one).`);
  // Read as a file, a directory is EISDIR with no word of what was asked for.
  if (!statSync(file).isFile()) throw new EchelonError('invalid_option', `The store history ${file} is no file (keepHistory(store, file) writes one, a batch per line).`);
  let seq = 0;
  let held: KeptBatch | undefined;
  for (const { text, number, last } of fileLines(file, bytes)) {
    if (text === '') continue;
    let batch: StoreBatch;
    try {
      batch = JSON.parse(text) as StoreBatch;
    } catch {
      // A line cut short by a crash while it was appended is the last one: that write is not in the history.
      if (last) break;
      throw new EchelonError('store_corrupt', `Line ${number} of the store history ${file} is not a batch (the file was edited).`);
    }
    const forget = forgetOf(batch);
    if (forget !== undefined) {
      if (held === undefined) throw new EchelonError('store_corrupt', `Line ${number} of the store history ${file} is a forget before any batch (keepHistory starts with the store's first write).`);
      held = { ...held, forgets: [...(held.forgets ?? []), forget] };
      continue;
    }
    if (typeof batch !== 'object' || batch === null || !Array.isArray(batch.journal)) {
      throw new EchelonError('store_corrupt', `Line ${number} of the store history ${file} is not a batch (keepHistory writes one store batch per line): is it a store's history?`);
    }
    // Given once the lines after it are read: a forget after it is its own.
    if (held !== undefined) yield held;
    seq += batch.journal.length;
    held = { batch, lastSeq: seq };
  }
  if (held !== undefined) yield held;
}

const CHUNK = 1024 * 1024;
const NEWLINE = 0x0a;

/** The lines of the file (of its first `bytes`), first first, numbered from 1; `last` for the text after its last newline. */
function* fileLines(file: string, bytes = Number.POSITIVE_INFINITY): Generator<{ text: string; number: number; last: boolean }> {
  const fd = openSync(file, 'r');
  try {
    const chunk = Buffer.alloc(CHUNK);
    let parts: Buffer[] = [];
    let number = 0;
    for (let left = bytes; left > 0; ) {
      const read = readSync(fd, chunk, 0, Math.min(CHUNK, left), null);
      left -= read;
      if (read === 0) break;
      let from = 0;
      for (let newline = chunk.indexOf(NEWLINE, 0); newline !== -1 && newline < read; newline = chunk.indexOf(NEWLINE, from)) {
        // Split at newline bytes, which UTF-8 never uses inside a character.
        parts.push(chunk.subarray(from, newline));
        yield { text: Buffer.concat(parts).toString('utf8'), number: ++number, last: false };
        parts = [];
        from = newline + 1;
      }
      if (from < read) parts.push(Buffer.from(chunk.subarray(from, read)));
    }
    yield { text: Buffer.concat(parts).toString('utf8'), number: ++number, last: true };
  } finally {
    closeSync(fd);
  }
}

/** A history line that records a forget (`{ "forget": { settledBefore, limit? } }`), as its query; `undefined` for any other line. */
function forgetOf(line: unknown): ForgetQuery | undefined {
  const forget = (line as { forget?: unknown } | null)?.forget;
  if (typeof forget !== 'object' || forget === null) return undefined;
  const { settledBefore, limit } = forget as Partial<ForgetQuery>;
  if (typeof settledBefore !== 'number' || !(limit === undefined || (Number.isInteger(limit) && limit >= 1))) return undefined;
  return { settledBefore, ...(limit === undefined ? {} : { limit }) };
}
