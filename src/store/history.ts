/**
 * A store's history: every batch it was given, one JSON line each, in a file of its own. A store
 * keeps only the organisation as of its last write; with its batches kept, the organisation as of
 * any earlier write can be built again — applying the first k batches to an empty store gives that
 * store exactly as it was after write k — which is what lets `forkStore` start a fork in the past.
 * A forget (`org.forget`) is kept too, as its query, on a line of its own after the batch it followed:
 * run again on the same batches it takes the same tasks (oldest first, by `settledAt` then id).
 */
import { appendFileSync, existsSync, statSync, truncateSync } from 'node:fs';
import { resolve } from 'node:path';
import { EchelonError } from '../errors.js';
import { forwardStore } from './forward.js';
import { catchUp } from './history-catch-up.js';
import type { ForgetQuery, Forgotten, Store } from './types.js';
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
 * crash in between leaves the history one write behind the store, never ahead of it; the next
 * organisation to claim the store through it catches it up, see `history-catch-up.ts`).
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
  // Made before the store's first write, so that a crash right after it leaves the file to be caught up (appending nothing, it never cuts one another process writes).
  if (store.header() === undefined) {
    try {
      appendFileSync(path, '');
    } catch (error) {
      throw new EchelonError('invalid_option', `keepHistory cannot write its history file ${file}: ${(error as Error).message}.`, { cause: error });
    }
  }
  return forwardStore(store, {
    // Caught up under the store's lock, when nobody else writes either: an organisation running on the store may be between a write and its line.
    lock(holder) {
      store.lock(holder);
      try {
        catchUp(store, path);
      } catch (error) {
        store.unlock(holder);
        throw error;
      }
    },
    write(batch) {
      store.write(batch);
      appendFileSync(path, `${JSON.stringify(batch)}\n`);
    },
    // A forget is a change of the store too: a fork built from the batches alone would bring back what it took.
    ...(store.forget === undefined
      ? {}
      : {
          forget(query: ForgetQuery) {
            const { settledBefore, limit } = query;
            const kept: ForgetQuery = { settledBefore, ...(limit === undefined || !Number.isFinite(limit) ? {} : { limit }) };
            // Written before the store runs it, and taken back when it fails or takes nothing: after the commit, a crash
            // in between lost it, and a fork brought back what it took. The next claim checks a last line against the store.
            const size = statSync(path).size;
            appendFileSync(path, `${JSON.stringify({ forget: kept })}\n`);
            let forgotten: Forgotten;
            try {
              forgotten = store.forget!(query);
            } catch (error) {
              truncateSync(path, size);
              throw error;
            }
            if (forgotten.tasks === 0) truncateSync(path, size);
            return forgotten;
          },
        }),
  });
}

export { readHistory, type KeptBatch } from './history-file.js';
