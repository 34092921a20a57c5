/**
 * A look at a file's first 100 bytes — the SQLite header (https://www.sqlite.org/fileformat.html)
 * — with plain `fs` reads, before SQLite opens it: refusing a file that is not a database, is
 * another program's, is from a newer echelon, or was cut short, needs no database connection,
 * so nothing (not even SQLite's `-wal`/`-shm` companions) is created next to it. The same goes
 * for a write-ahead log SQLite would silently ignore, a path that is no file, and a file, a
 * companion or a directory this process cannot write.
 */
import { accessSync, closeSync, constants, existsSync, openSync, readSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { EchelonError } from '../../errors.js';
import { corrupt, foreign, newer, readOnly } from './errors.js';

const MAGIC = 'SQLite format 3\u0000';

/** What the header says, for `inspect` to confirm through SQLite. */
export interface Header {
  readonly applicationId: number;
  readonly userVersion: number;
}

/** Refuses `path` from its header when it can; returns the header otherwise. `path` must be a non-empty file. */
export function preflight(path: string, ours: { readonly applicationId: number; readonly schemaVersion: number }): Header {
  const bytes = readStart(path, 100);
  if (bytes.length < 100 || bytes.toString('latin1', 0, 16) !== MAGIC) throw corrupt(path, new Error('it has no SQLite header'));
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

const WAL_MAGIC = [0x377f0682, 0x377f0683];
const WAL_VERSION = 3_007_000;

/**
 * Refuses (`store_corrupt`) a write-ahead log SQLite would silently throw away: one whose header
 * is not a WAL header (https://www.sqlite.org/fileformat.html#the_write_ahead_log), or one without
 * its database. A small organisation lives in its log until the file is closed, so SQLite ignoring
 * it (it treats a log it cannot read as empty) would start an empty organisation over it.
 */
export function checkWriteAheadLog(path: string): void {
  const wal = `${path}-wal`;
  // A process closing the store meanwhile folds its log in and removes it: gone is no log.
  const size = (file: string) => statSync(file, { throwIfNoEntry: false })?.size ?? 0;
  if (size(wal) === 0) return;
  if (size(path) === 0) {
    throw corrupt(path, new Error(`${wal} is there without its database: what was written last is in it. Put the database back beside it, or remove both to start afresh`));
  }
  let header: Buffer;
  try {
    header = readStart(wal, 32);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  if (header.length < 32 || !WAL_MAGIC.includes(header.readUInt32BE(0)) || header.readUInt32BE(4) !== WAL_VERSION || !walChecksumHolds(header)) {
    throw corrupt(path, new Error(`its write-ahead log ${wal} has no valid header`));
  }
}

/** The header's checksum (bytes 24–31) over its first 24 bytes, words read in the order its magic number says. */
function walChecksumHolds(header: Buffer): boolean {
  const word = header.readUInt32BE(0) === 0x377f0683 ? (at: number) => header.readUInt32BE(at) : (at: number) => header.readUInt32LE(at);
  let s0 = 0;
  let s1 = 0;
  for (let at = 0; at < 24; at += 8) {
    s0 = (s0 + word(at) + s1) >>> 0;
    s1 = (s1 + word(at + 4) + s0) >>> 0;
  }
  return s0 === header.readUInt32BE(24) && s1 === header.readUInt32BE(28);
}

/** Up to `length` bytes from the start of `path`. */
function readStart(path: string, length: number): Buffer {
  const bytes = Buffer.alloc(length);
  const fd = openSync(path, 'r');
  try {
    return bytes.subarray(0, readSync(fd, bytes, 0, length, 0));
  } finally {
    closeSync(fd);
  }
}

/**
 * Refuses (`invalid_option`) a path that is there but is no regular file — a directory, a device
 * such as `/dev/null`, a FIFO — before SQLite opens it: it would fail at its first sync with a
 * raw "disk I/O error", having made a `-journal` file beside it (`/dev/null-journal`).
 */
export function checkRegularFile(path: string): void {
  if (!existsSync(path) || statSync(path).isFile()) return;
  const stats = statSync(path);
  const kind = stats.isDirectory() ? 'a directory' : stats.isCharacterDevice() || stats.isBlockDevice() ? 'a device' : stats.isFIFO() ? 'a FIFO' : stats.isSocket() ? 'a socket' : 'something else';
  throw new EchelonError('invalid_option', `Cannot open ${path} as a SQLite store: it is ${kind}, not a file. Give the path of a file (it is created when missing).`, { details: { path } });
}

/**
 * Refuses (`invalid_option`) a file, or a `-wal` or `-shm` beside it, this process may not read
 * (`chmod 000`, another user's), before anything reads it: reading its header, or SQLite
 * opening it, would throw Node's or SQLite's own error, with its stack, from inside the store.
 */
export function checkReadable(path: string): void {
  for (const target of [path, `${path}-wal`, `${path}-shm`]) {
    if (!existsSync(target)) continue;
    try {
      accessSync(target, constants.R_OK);
    } catch {
      throw new EchelonError('invalid_option', `Cannot open ${path} as a SQLite store: this process may not read ${target === path ? 'it' : target} (permission denied). Give it read permission, or choose another file; it was left as it is.`, { details: { path } });
    }
  }
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
