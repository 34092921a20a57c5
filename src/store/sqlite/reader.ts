/**
 * A store opened to read only is read from a copy in memory when it can be: SQLite reading a
 * file in WAL mode makes a `-wal` and a `-shm` beside it, even through a read-only connection
 * (https://www.sqlite.org/wal.html#read_only_databases), and leaves them there — a read would
 * change the user's folder. SQLite's answer, `immutable=1`, needs a URI filename, which
 * better-sqlite3 is built without; a copy of the bytes is the same thing by other means.
 *
 * A copy is right only when the file alone holds the store: nothing beside it (no `-wal` with
 * commits still to fold in, no `-shm` or `-journal` of a connection that may be writing), and
 * nothing changing it while it is read (its size, inode and modification time the same before
 * and after, and still nothing beside it). Otherwise, and for a file too large to hold in
 * memory, the store is read through a read-only connection, which makes what is missing of the
 * `-wal` and `-shm` (those it made are left writable by their owner, never removed: a writer
 * that opened the store meanwhile uses them).
 */
import { accessSync, chmodSync, constants, existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { EchelonError } from '../../errors.js';
import { readFailure } from './errors.js';
import { inspect, OLDEST_READABLE, SCHEMA_VERSION } from './schema.js';

/** Files larger than this are read through SQLite (which leaves its `-wal` and `-shm` beside them) rather than copied into memory. */
export const COPY_LIMIT_BYTES = 256 * 1024 * 1024;

const COMPANIONS = ['-wal', '-shm', '-journal'];

/**
 * A read-only connection to the checked, non-empty file at `path`, holding a store of this
 * schema version, and `closed` to run once it is closed; `nothing()` is thrown for a database
 * with nothing in it. A file of an older schema that reads the same (`OLDEST_READABLE`) is read as it is.
 */
export function openReader(Driver: typeof BetterSqlite3, path: string, nothing: () => EchelonError): { db: BetterSqlite3.Database; closed: () => void } {
  const made = ['-wal', '-shm'].map((suffix) => `${path}${suffix}`).filter((companion) => !existsSync(companion));
  let db: BetterSqlite3.Database | undefined;
  try {
    db = readCopy(Driver, path) ?? new Driver(path, { readonly: true, fileMustExist: true });
    const found = inspect(db, path);
    if (found.kind === 'empty') throw nothing();
    if (found.version < OLDEST_READABLE) {
      throw new EchelonError('store_read_only', `${path} was written by an older echelon (schema ${found.version}, now ${SCHEMA_VERSION}): open it once without readOnly to bring it up to date, then read it.`);
    }
  } catch (error) {
    db?.close();
    throw unreadable(path, error);
  }
  // A read-only file's companions get its mode: they would keep a writer out once the file is writable again.
  const closed = () => {
    for (const companion of made) {
      try {
        chmodSync(companion, statSync(companion).mode | 0o200);
      } catch {
        // Gone, or another user's: nothing of ours to mend.
      }
    }
  };
  return { db, closed };
}

/** A read-only database on a copy of the file at `path`, or `undefined` when a copy would not be the store as it is. */
export function readCopy(Driver: typeof BetterSqlite3, path: string): BetterSqlite3.Database | undefined {
  const alone = () => COMPANIONS.every((suffix) => !existsSync(`${path}${suffix}`));
  if (!alone()) return undefined;
  const before = statSync(path, { bigint: true });
  if (before.size > BigInt(COPY_LIMIT_BYTES)) return undefined;
  const bytes = readFileSync(path);
  const after = statSync(path, { bigint: true });
  const same = after.size === before.size && after.ino === before.ino && after.mtimeNs === before.mtimeNs && BigInt(bytes.length) === before.size;
  if (!same || !alone()) return undefined;
  // Bytes 18 and 19 say WAL mode (2); a database deserialized into memory cannot be in it ("unable to open database file"). 1 is rollback mode: the pages are the same.
  if (bytes.length >= 20 && bytes[18] === 2 && bytes[19] === 2) bytes.fill(1, 18, 20);
  return new Driver(bytes, { readonly: true });
}

/**
 * What a failure to read `path` says: SQLite reads a store in WAL mode through a `-shm` it makes
 * beside it, so in a directory this process may not write, without one, it cannot open the file
 * (`unable to open database file`) or read it (`SQLITE_READONLY_DIRECTORY`): `store_read_only`,
 * not a damaged file. An `EchelonError` is as it is; anything else is the file locked by another
 * connection (`store_locked`) or not readable as a store (`store_corrupt`).
 */
function unreadable(path: string, error: unknown): EchelonError {
  const code = ((error as { cause?: { code?: unknown } }).cause ?? (error as { code?: unknown })).code;
  const lockedOut = code === 'SQLITE_READONLY_DIRECTORY' || (code === 'SQLITE_CANTOPEN' && !existsSync(`${path}-shm`) && !writable(dirname(resolve(path))));
  if (lockedOut) {
    return new EchelonError('store_read_only', `${path} cannot be read where it is: its directory is read-only, and SQLite reads it through a ${path}-shm it makes beside it. Copy it (with any ${path}-wal) into a directory you may write, and read the copy.`, { cause: error });
  }
  return error instanceof EchelonError ? error : readFailure(path, error);
}

function writable(target: string): boolean {
  try {
    accessSync(target, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}
