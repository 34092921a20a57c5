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
  // Checked before the store takes a batch, so that the two stay in step: a history removed (log rotation, a clean-up)
  // began again at the next write, and a fork from it had none of the writes before.
  const unmoved = historyWatch(path, file);
  return forwardStore(store, {
    // Caught up under the store's lock, when nobody else writes either: an organisation running on the store may be between a write and its line.
    lock(holder) {
      store.lock(holder);
      try {
        catchUp(store, path);
        // What the catch-up appended is the history's own.
        unmoved.wrote();
      } catch (error) {
        store.unlock(holder);
        throw error;
      }
    },
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
            const { settledBefore, limit } = query;
            const kept: ForgetQuery = { settledBefore, ...(limit === undefined || !Number.isFinite(limit) ? {} : { limit }) };
            // Written before the store runs it, and taken back when it fails or takes nothing: after the commit, a crash
            // in between lost it, and a fork brought back what it took. The next claim checks a last line against the store.
            const size = statSync(path).size;
            try {
              appendFileSync(path, `${JSON.stringify({ forget: kept })}\n`);
            } catch (error) {
              // A full disk can take part of the line: taken back, so that the next write finds the file as it left it.
              truncateSync(path, size);
              unmoved.wrote();
              throw new EchelonError('store_write_failed', `org.forget: the store history ${file} could not take the forget's line (${(error as Error).message}); nothing was forgotten, and the organisation goes on.`, { cause: error, details: { file: path } });
            }
            let forgotten: Forgotten;
            try {
              forgotten = store.forget!(query);
            } catch (error) {
              truncateSync(path, size);
              unmoved.wrote();
              throw error;
            }
            if (forgotten.tasks === 0) truncateSync(path, size);
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

export { readHistory, type KeptBatch } from './history-file.js';
