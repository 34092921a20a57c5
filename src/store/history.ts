/**
 * A store's history: every batch it was given, one JSON line each, in a file of its own. A store
 * keeps only the organisation as of its last write; with its batches kept, the organisation as of
 * any earlier write can be built again — applying the first k batches to an empty store gives that
 * store exactly as it was after write k — which is what lets `forkStore` start a fork in the past.
 * A forget (`org.forget`) is kept too, as its query, on a line of its own after the batch it followed:
 * run again on the same batches it takes the same tasks (oldest first, by `settledAt` then id).
 */
import { appendFileSync, existsSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { EchelonError } from '../errors.js';
import { forwardStore } from './forward.js';
import type { ForgetQuery, Store, StoreBatch } from './types.js';
import { readingCaller } from '../shape/index.js';
import { show } from '../show.js';

/** Refuses, at the door, an argument that is no store (a file name, say). */
export function checkStore(where: string, value: unknown, what = 'a store'): void {
  const header = readingCaller(where, 'invalid_option', 'its store', () => (value as Partial<Store> | null | undefined)?.header);
  if (typeof header !== 'function') {
    throw new EchelonError('invalid_option', `${where} needs ${what} (memoryStore(), or sqliteStore(file) from echelon/sqlite), got ${show(value)}.`);
  }
}

/**
 * Wraps a store so that each batch it commits is also appended to `file` (after the commit: a
 * crash in between leaves the history one write behind the store, never ahead of it).
 *
 * @example
 * ```ts
 * const store = keepHistory(sqliteStore('run.db'), 'run.history.jsonl');
 * const org = createOrchestrator({ hierarchy, executors, store, resume: true });
 * // later: forkStore(sqliteStore('run.db'), sqliteStore('what-if.db'), { at: 42, history: 'run.history.jsonl' });
 * ```
 */
export function keepHistory(store: Store, file: string): Store {
  checkStore('keepHistory', store);
  if (typeof file !== 'string' || file === '') throw new EchelonError('invalid_option', `keepHistory(store, file) needs the path of its history file (a non-empty string), got ${show(file)}.`);
  // Taken from the working directory of now, as the store's own files are: a process that changes it later appends to the same file.
  const path = resolve(file);
  if (store.header() !== undefined && !existsSync(path)) {
    throw new EchelonError('invalid_option', `${store.name} already holds an organisation but ${file} does not exist: a history must start with its store.`);
  }
  // Checked before the store takes a batch, so that the two stay in step: a history removed (log rotation, a clean-up)
  // began again at the next write, and a fork from it had none of the writes before.
  const unmoved = historyWatch(path, file);
  return forwardStore(store, {
    write(batch) {
      unmoved.check();
      store.write(batch);
      appendFileSync(path, `${JSON.stringify(batch)}\n`);
      unmoved.wrote();
    },
    // A forget is a change of the store too: a fork built from the batches alone would bring back what it took.
    ...(store.forget === undefined
      ? {}
      : {
          forget(query: ForgetQuery) {
            unmoved.check();
            const forgotten = store.forget!(query);
            const { settledBefore, limit } = query;
            const kept: ForgetQuery = { settledBefore, ...(limit === undefined || !Number.isFinite(limit) ? {} : { limit }) };
            if (forgotten.tasks > 0) appendFileSync(path, `${JSON.stringify({ forget: kept })}\n`);
            unmoved.wrote();
            return forgotten;
          },
        }),
  });
}

/**
 * Whether the history file at `path` is still the one keepHistory appends to, as it left it: the same
 * file (device and inode) of the size its last append made. A file removed, replaced or written to by
 * anyone else is refused with `store_write_failed` (a file removed and made again often gets the same
 * inode back: its size tells it apart).
 */
function historyWatch(path: string, named: string) {
  const seen = () => {
    const stats = statSync(path, { throwIfNoEntry: false });
    return stats === undefined ? undefined : { dev: stats.dev, ino: stats.ino, size: stats.size };
  };
  let known = seen();
  return {
    check(): void {
      if (known === undefined) return;
      const now = seen();
      if (now !== undefined && now.dev === known.dev && now.ino === known.ino && now.size === known.size) return;
      const how = now === undefined ? 'removed' : now.dev === known.dev && now.ino === known.ino ? 'changed by someone else' : 'replaced by another file';
      throw new EchelonError('store_write_failed', `The store history ${named} was ${how} while it was kept, so a fork from it would miss or mistake writes; nothing more is written. Put it back, or resume on a copy of the store with a new history.`, { details: { file: path } });
    },
    wrote(): void {
      known = seen();
    },
  };
}

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
