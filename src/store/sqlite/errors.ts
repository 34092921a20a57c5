/** The errors a SQLite file is refused with: each says what is wrong, and that the file was left as it is. */
import { EchelonError } from '../../errors.js';

export function corrupt(path: string, cause: unknown): EchelonError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new EchelonError('store_corrupt', `${path} cannot be read as an echelon store (${reason}). Restore it from a backup or start from another file; this one was left as it is.`, {
    details: { path },
    cause,
  });
}

export function newer(path: string, found: number, supported: number): EchelonError {
  return new EchelonError(
    'store_version_unsupported',
    `${path} has schema version ${found}, written by a newer echelon; this one reads up to version ${supported}. Upgrade echelon to resume it; the file was left as it is.`,
    { details: { path, found, supported } },
  );
}

export function foreign(path: string, applicationId: number, tables?: readonly string[]): EchelonError {
  const what = tables === undefined ? `application id ${applicationId}` : `application id ${applicationId}, ${tables.length} table(s)`;
  return new EchelonError('store_foreign', `${path} is a SQLite database that echelon did not create (${what}). Choose another file; this one was left as it is.`, {
    details: { path, applicationId, ...(tables === undefined ? {} : { tables }) },
  });
}

export function readOnly(path: string, what: string): EchelonError {
  return new EchelonError('store_read_only', `${path} cannot be a store here: ${what}, and the store writes the organisation there (SQLite keeps ${path}-wal, -shm and -lock beside the file). Make it writable, or choose another file; this one was left as it is.`, {
    details: { path },
  });
}

/**
 * True for an error that says the file is not what this store wrote: SQLite finding it damaged,
 * a table without the columns it made (SQLITE_ERROR "no such column"), or a value it wrote as
 * JSON that is none (a SyntaxError from JSON.parse).
 */
export function damaged(error: unknown): boolean {
  if (error instanceof EchelonError || !(error instanceof Error)) return false;
  if (error instanceof SyntaxError) return true;
  const code = (error as { code?: string }).code ?? '';
  return /SQLITE_(CORRUPT|NOTADB)/.test(code) || (code === 'SQLITE_ERROR' && /no such (column|table)|has no column/.test(error.message));
}

/** True for the errors SQLite gives when another connection holds the lock it needs. */
export function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
}

/**
 * `store_locked` for a file another connection holds locked — another program with it open in
 * exclusive locking mode, or writing it outside WAL — found after SQLite's wait for it
 * (`SQLITE_BUSY`, "database is locked"): nothing is wrong with the file, so never `store_corrupt`.
 */
export function busy(path: string, cause: unknown): EchelonError {
  return new EchelonError('store_locked', `${path} is locked by another connection to it (SQLite: database is locked), which is not an echelon orchestrator's: another program holds it in exclusive mode or is writing it. Close that program, or wait for it, and try again; the file was left as it is.`, {
    details: { path },
    cause,
  });
}

/** What an error reading `path` says: the file locked by another connection (`store_locked`), or not readable as a store (`store_corrupt`). */
export function readFailure(path: string, cause: unknown): EchelonError {
  return isBusy(cause) ? busy(path, cause) : corrupt(path, cause);
}
