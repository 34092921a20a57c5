/**
 * Whether the files a store writes are still the ones it opened. SQLite writes to the files it
 * holds open: a database, `-wal` or `-lock` removed or replaced while an organisation runs on it
 * (rm, mv, a restore over it, its directory removed) takes every later write to a file nobody
 * can find again, and SQLite says nothing (it checks only outside WAL mode) — every submit would
 * resolve, and none of it be there after a restart. A lock file replaced lets a second
 * orchestrator lock the new one and run beside this one. So each write first checks that each
 * name still leads to the file it led to (device and inode), and refuses to write otherwise.
 */
import { statSync } from 'node:fs';
import { EchelonError } from '../../errors.js';

type Identity = { readonly dev: number; readonly ino: number };

function identity(file: string): Identity | undefined {
  const stats = statSync(file, { throwIfNoEntry: false });
  return stats === undefined ? undefined : { dev: stats.dev, ino: stats.ino };
}

/**
 * A check of the files of the store at `path`, the database as it is now: each companion is
 * taken as it is the first time it is seen (SQLite makes `-wal` with the first write, the lock
 * makes `-lock`). The check throws `store_write_failed` naming what went.
 */
export function fileIdentity(path: string): () => void {
  if (path === '' || path === ':memory:') return () => {};
  const files = [path, `${path}-wal`, `${path}-lock`];
  const known = new Map<string, Identity>();
  const database = identity(path);
  if (database !== undefined) known.set(path, database);
  return () => {
    for (const file of files) {
      const now = identity(file);
      const then = known.get(file);
      if (then === undefined) {
        if (now !== undefined) known.set(file, now);
        continue;
      }
      if (now !== undefined && now.dev === then.dev && now.ino === then.ino) continue;
      throw new EchelonError(
        'store_write_failed',
        `${file} was ${now === undefined ? 'removed' : 'replaced by another file'} while the store had it open, so what the store wrote since is not in the file at that name, and nothing more is written (SQLite would go on writing to the file it opened, which nobody can find again). Put the files back, or resume from a copy of them`,
        { details: { path, file } },
      );
    }
  };
}
