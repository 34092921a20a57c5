/**
 * A look at a file's first 100 bytes — the SQLite header (https://www.sqlite.org/fileformat.html)
 * — with plain `fs` reads, before SQLite opens it: refusing a file that is not a database, is
 * another program's, is from a newer echelon, or was cut short, needs no database connection,
 * so nothing (not even SQLite's `-wal`/`-shm` companions) is created next to it. The same goes
 * for a file, or a directory, this process cannot write.
 */
import { accessSync, closeSync, constants, existsSync, openSync, readSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { corrupt, foreign, newer, readOnly } from './errors.js';

const MAGIC = 'SQLite format 3\u0000';

/** What the header says, for `inspect` to confirm through SQLite. */
export interface Header {
  readonly applicationId: number;
  readonly userVersion: number;
}

/** Refuses `path` from its header when it can; returns the header otherwise. `path` must be a non-empty file. */
export function preflight(path: string, ours: { readonly applicationId: number; readonly schemaVersion: number }): Header {
  const bytes = Buffer.alloc(100);
  const fd = openSync(path, 'r');
  let read: number;
  try {
    read = readSync(fd, bytes, 0, 100, 0);
  } finally {
    closeSync(fd);
  }
  if (read < 100 || bytes.toString('latin1', 0, 16) !== MAGIC) throw corrupt(path, new Error('it has no SQLite header'));
  const applicationId = bytes.readUInt32BE(68);
  const userVersion = bytes.readUInt32BE(60);
  if (applicationId !== 0 && applicationId !== ours.applicationId) {
    throw foreign(path, applicationId);
  }
  if (applicationId === ours.applicationId && userVersion > ours.schemaVersion) throw newer(path, userVersion, ours.schemaVersion);
  // Without a write-ahead log beside it, the file holds every page the header counts (when the count is valid).
  const pageSize = bytes.readUInt16BE(16) === 1 ? 65_536 : bytes.readUInt16BE(16);
  const pages = bytes.readUInt32BE(28);
  const countValid = bytes.readUInt32BE(24) === bytes.readUInt32BE(92) && pages > 0;
  if (countValid && !existsSync(`${path}-wal`) && statSync(path).size !== pages * pageSize) {
    throw corrupt(path, new Error(`its header counts ${pages} pages of ${pageSize} bytes, but the file has ${statSync(path).size} bytes`));
  }
  return { applicationId, userVersion };
}

/**
 * Refuses (`store_read_only`) a file, a companion of it, or a directory this process cannot
 * write, before SQLite opens it: SQLite would open a read-only file read-only without a word and
 * fail at the first write (the lock's), and in a read-only directory it cannot make the
 * write-ahead log's index, so even reading fails — as if the file were corrupt.
 */
export function checkWritable(path: string): void {
  const directory = dirname(resolve(path));
  const denied = (target: string) => {
    try {
      accessSync(target, constants.W_OK);
      return false;
    } catch {
      return true;
    }
  };
  if (existsSync(path) && denied(path)) throw readOnly(path, 'the file is read-only for this process');
  for (const companion of ['-wal', '-shm', '-lock']) {
    if (existsSync(`${path}${companion}`) && denied(`${path}${companion}`)) throw readOnly(path, `${path}${companion} is read-only for this process`);
  }
  if (existsSync(directory) && denied(directory)) throw readOnly(path, `its directory ${directory} is read-only for this process`);
}
