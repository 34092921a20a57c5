/**
 * The SQLite store's lock is an OS lock, taken through SQLite on a file beside the database,
 * `<file>-lock`: a connection to it in exclusive locking mode takes the file's exclusive lock
 * (`fcntl` on Unix, `LockFileEx` on Windows) with its first transaction and keeps it until it
 * closes. The operating system drops the lock when the process ends, however it ends (SIGKILL
 * included), so a dead holder never locks the store; no lease, heartbeat or clock is involved.
 * SQLite honours the lock between connections within one process too.
 *
 * Why a file of its own: on the database itself, in WAL mode, an exclusive lock cannot be taken
 * while any other connection is merely open (each holds a shared lock), and once taken it keeps
 * every reader out. The lock file is never written or deleted (deleting a lock file lets two
 * processes lock two different files of the same name).
 *
 * The holder's name is kept in the database (`meta.holder`), where whoever is refused can read
 * it. It only names the holder: a name left behind by a killed process means nothing, since the
 * lock itself died with the process.
 */
import type BetterSqlite3 from 'better-sqlite3';
import { storeLocked, type StoreHolder } from '../lock.js';
import { isBusy } from './errors.js';

type Database = BetterSqlite3.Database;


/**
 * The lock of the store at `path`, whose connection is `db`: `lock`, `unlock`, and `closing`
 * (what `close` does first).
 */
export function fileLock(Driver: typeof BetterSqlite3, db: Database, path: string) {
  // An in-memory or temporary database belongs to its one connection: nobody else can open it.
  const shared = path !== '' && path !== ':memory:';
  const named = db.prepare<[], string>("SELECT value FROM meta WHERE key = 'holder'").pluck();
  const name = db.prepare<[string]>("INSERT INTO meta (key, value) VALUES ('holder', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value");
  const unname = db.prepare("DELETE FROM meta WHERE key = 'holder'");
  let held: { holder: StoreHolder; connection: Database | undefined } | undefined;

  const holderNamed = (): StoreHolder | undefined => {
    const json = named.get();
    return json === undefined ? undefined : (JSON.parse(json) as StoreHolder);
  };

  return {
    lock(holder: StoreHolder): void {
      if (held?.holder.id === holder.id) return;
      if (held !== undefined) throw storeLocked(path, held.holder);
      if (!shared) {
        held = { holder, connection: undefined };
        return;
      }
      const connection = new Driver(`${path}-lock`, { timeout: 0 });
      try {
        // Its transaction writes nothing: a journal in memory, not a <file>-lock-journal that a killed holder leaves beside the store.
        connection.pragma('journal_mode = MEMORY');
        connection.pragma('locking_mode = EXCLUSIVE');
        connection.exec('BEGIN EXCLUSIVE; COMMIT');
      } catch (error) {
        connection.close();
        if (isBusy(error)) throw storeLocked(path, holderNamed());
        throw error;
      }
      held = { holder, connection };
      name.run(JSON.stringify(holder));
    },
    unlock(holder: StoreHolder): void {
      if (held?.holder.id !== holder.id) return;
      if (db.open && held.connection !== undefined) unname.run();
      held.connection?.close();
      held = undefined;
    },
    closing(): void {
      if (held !== undefined) this.unlock(held.holder);
    },
  };
}
