/**
 * The SQLite store (`better-sqlite3`): one file, WAL mode, one transaction per batch. The file
 * is checked before anything is written to it (see `schema.ts` for the schema, its version and
 * migrations). `synchronous = NORMAL` by default: a committed batch survives the process
 * crashing; after a power loss the last batches may be missing, never half-written. Choose
 * `synchronous: 'full'` to make every batch survive power loss too, at a cost per write. An
 * orchestrator running on the file holds its lock (`<file>-lock`, see `lock.ts`): no other
 * orchestrator, in this process or another, can run on it meanwhile.
 */
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { EchelonError } from '../../errors.js';
import { requirePeer } from '../../peers.js';
import { show } from '../../show.js';
import { boolean, checkShape, fields, shapeContext, string, type Shape } from '../../shape/index.js';
import type { Approval, Escalation, Outcome } from '../../types.js';
import type { JournalEntry, JournalEntryType, JournalQuery, ResourceState, Store, StoreBatch, StoredOrganisation, StoredTask, StoreHeader } from '../types.js';
import { busy, corrupt, damaged, isBusy, readFailure } from './errors.js';
import { forgetting } from './forget.js';
import { fileIdentity } from './identity.js';
import { fileLock } from './lock.js';
import { openReader } from './reader.js';
import { checkReadable, checkRegularFile, checkWritable, checkWriteAheadLog, preflight } from './preflight.js';
import { APPLICATION_ID, inspect, migrate, parseHeader, SCHEMA_VERSION } from './schema.js';

/** Options of {@link sqliteStore}. */
export interface SqliteStoreOptions {
  /** `normal` (default): batches survive a process crash. `full`: they survive power loss too, slower. */
  readonly synchronous?: 'normal' | 'full';
  /**
   * Open the file to read it only (`echelon replay`, a fork's source, a backup or another user's
   * store): it must be there, written by this version of echelon, and need not be writable; an
   * organisation cannot run on it (`lock` and `write` are `store_read_only`). Nothing is made
   * beside a file that is alone (no `-wal`, `-shm`, `-journal`) and up to 256 MB: it is read from
   * a copy in memory, as it was when opened. Default false.
   */
  readonly readOnly?: boolean;
}

type Database = BetterSqlite3.Database;
type JournalRow = { seq: number; at: number; session: number; type: JournalEntryType; actor: string; task_id: string | null; root_id: string | null; data: string | null };

/**
 * A store in a SQLite file, created when missing. Throws an `EchelonError` — and leaves the file
 * as it is — when the file is not a database (`store_corrupt`), another program's database
 * (`store_foreign`), from a newer echelon (`store_version_unsupported`), or when this process
 * cannot write it, a companion of it or its directory (`store_read_only`).
 *
 * @example
 * ```ts
 * import { createOrchestrator, developmentTeam } from 'echelon';
 * import { sqliteStore } from 'echelon/sqlite';
 *
 * const store = sqliteStore('echelon.db');
 * const org = createOrchestrator({ hierarchy: developmentTeam(), executors, store, resume: true });
 * // … after a crash, the same two lines bring the organisation back.
 * ```
 */
export function sqliteStore(path: string, options: SqliteStoreOptions = {}): Store {
  checkArguments(path, options);
  const Driver = loadDriver();
  if (options.readOnly === true) return readOnlyStore(Driver, path);
  // A write-ahead log left by a crash is read through a read-only connection (which, unlike a
  // writer closing, never folds the log into the file).
  if (path !== ':memory:' && checkedFile(path, true)) {
    if (existsSync(`${path}-wal`)) {
      const probe = open(Driver, path, { readonly: true, fileMustExist: true });
      try {
        inspect(probe, path);
      } finally {
        probe.close();
      }
    }
  }
  const db = open(Driver, path, {});
  try {
    const found = inspect(db, path);
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${options.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
    migrate(db, found.kind === 'empty' ? 0 : found.version);
  } catch (error) {
    db.close();
    throw error;
  }
  return createSqliteStore(Driver, db, path);
}

/**
 * Checks the file at `path` before SQLite opens it (a file that is refused is never written to:
 * what it is, who may write it, its write-ahead log, and its header, read with fs) and says
 * whether it holds anything: a missing or empty file is a new store.
 */
function checkedFile(path: string, writable: boolean): boolean {
  checkRegularFile(path);
  checkReadable(path);
  if (writable) checkWritable(path);
  checkWriteAheadLog(path);
  const filled = (statSync(path, { throwIfNoEntry: false })?.size ?? 0) > 0;
  if (filled) preflight(path, { applicationId: APPLICATION_ID, schemaVersion: SCHEMA_VERSION });
  return filled;
}

/** A store to read only: checked as a writable one is, opened read-only, and refusing to be run on or written. */
function readOnlyStore(Driver: typeof BetterSqlite3, path: string): Store {
  if (path === ':memory:' || !existsSync(path)) throw new EchelonError('invalid_option', `sqliteStore: no file ${path} to read (readOnly opens a store that is there).`);
  // An empty file, or a database with nothing in it: a new store, which has nothing to read — almost certainly not the file meant.
  const nothing = (what: string) => () =>
    new EchelonError('invalid_option', `sqliteStore: ${path} ${what}: it holds no organisation to read. Give the file an organisation ran on (an empty file becomes a new store only when opened to run on).`, { details: { path } });
  if (!checkedFile(path, false)) throw nothing('is empty (0 bytes)')();
  const { db, closed } = openReader(Driver, path, nothing('is a SQLite database with no tables'));
  const store = createSqliteStore(Driver, db, path);
  const refuse = (): never => {
    throw new EchelonError('store_read_only', `The store ${path} was opened to read only (sqliteStore(path, { readOnly: true })): nothing runs on it or writes to it.`);
  };
  const close = () => {
    store.close();
    closed();
  };
  return { ...store, lock: refuse, write: refuse, forget: refuse, close };
}

const OPTIONS = fields({ synchronous: string, readOnly: boolean } satisfies Record<keyof SqliteStoreOptions, Shape>);

/** A path and options a store can be opened with, or `invalid_option` saying what is wrong — before the file is touched. */
function checkArguments(path: unknown, options: SqliteStoreOptions): void {
  if (typeof path !== 'string' || path.trim() === '') {
    throw new EchelonError('invalid_option', `sqliteStore needs the path of its file (a non-empty string), got ${typeof path === 'string' ? JSON.stringify(path) : show(path)}. For a store in memory, use memoryStore() from 'echelon'.`);
  }
  checkShape(options, OPTIONS, '', shapeContext('sqliteStore', 'invalid_option'));
  if (options.synchronous !== undefined && options.synchronous !== 'normal' && options.synchronous !== 'full') {
    throw new EchelonError('invalid_option', `sqliteStore: synchronous must be 'normal' or 'full', got ${JSON.stringify(options.synchronous)}.`);
  }
}

function createSqliteStore(Driver: typeof BetterSqlite3, db: Database, path: string): Store {
  try {
    return sqliteStoreOn(Driver, db, path);
  } catch (error) {
    // Its statements are prepared against the schema it made: a table changed since refuses them.
    if (!damaged(error)) throw error;
    db.close();
    throw corrupt(path, error);
  }
}

function sqliteStoreOn(Driver: typeof BetterSqlite3, db: Database, path: string): Store {
  const meta = db.prepare<[string], string>('SELECT value FROM meta WHERE key = ?').pluck();
  const setMeta = db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
  const putAgent = db.prepare('INSERT INTO agents (id, snapshot) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET snapshot = excluded.snapshot');
  const putPart = db.prepare('INSERT OR REPLACE INTO parts (agent_id, key, value) VALUES (?, ?, ?)');
  const removePart = db.prepare('DELETE FROM parts WHERE agent_id = ? AND key = ?');
  const putTask = db.prepare('INSERT OR REPLACE INTO tasks (id, root_id, parent_id, status, holder, record) VALUES (?, ?, ?, ?, ?, ?)');
  const removeTask = db.prepare('DELETE FROM tasks WHERE id = ?');
  const putEscalation = db.prepare('INSERT OR REPLACE INTO escalations (id, root_id, task_id, status, record) VALUES (?, ?, ?, ?, ?)');
  const putApproval = db.prepare('INSERT OR REPLACE INTO approvals (id, root_id, task_id, status, record) VALUES (?, ?, ?, ?, ?)');
  const append = db.prepare('INSERT INTO journal (at, session, type, actor, task_id, root_id, data) VALUES (?, ?, ?, ?, ?, ?, ?)');
  const ofActiveRoots = (table: 'escalations' | 'approvals') =>
    db.prepare<[], string>(`SELECT record FROM ${table} WHERE root_id IN (SELECT id FROM tasks WHERE status = 'active' AND id = root_id) ORDER BY rowid`).pluck();
  const read = {
    agents: db.prepare<[], { id: string; snapshot: string }>('SELECT id, snapshot FROM agents'),
    parts: db.prepare<[], { agent_id: string; key: string; value: string }>('SELECT agent_id, key, value FROM parts'),
    tasks: db.prepare<[], string>("SELECT record FROM tasks WHERE status = 'active'").pluck(),
    escalations: ofActiveRoots('escalations'),
    approvals: ofActiveRoots('approvals'),
    outcome: db.prepare<[string], string>("SELECT record FROM tasks WHERE id = ? AND status <> 'active'").pluck(),
    escalation: db.prepare<[string], string>('SELECT record FROM escalations WHERE id = ?').pluck(),
    approval: db.prepare<[string], string>('SELECT record FROM approvals WHERE id = ?').pluck(),
  };

  const write = db.transaction((batch: StoreBatch) => {
    if (batch.header !== undefined && meta.get('header') === undefined) setMeta.run('header', JSON.stringify(batch.header));
    const sessions = Number(meta.get('sessions') ?? 0);
    if (batch.session > sessions) setMeta.run('sessions', String(batch.session));
    for (const { id, snapshot, addedParts, removedParts } of batch.snapshots) {
      putAgent.run(id, JSON.stringify(snapshot));
      for (const key of removedParts) removePart.run(id, key);
      for (const { key, value } of addedParts) putPart.run(id, key, JSON.stringify(value));
    }
    for (const id of batch.removedTasks) removeTask.run(id);
    for (const stored of batch.tasks) {
      const { task } = stored;
      putTask.run(task.id, task.rootId, task.parentId ?? null, 'active', stored.holder, JSON.stringify(stored));
    }
    for (const outcome of batch.outcomes) putTask.run(outcome.taskId, outcome.taskId, null, outcome.status, null, JSON.stringify(outcome));
    for (const { rootId, escalation } of batch.escalations) putEscalation.run(escalation.id, rootId, escalation.taskId, escalation.status, JSON.stringify({ rootId, escalation }));
    for (const { rootId, approval } of batch.approvals) putApproval.run(approval.id, rootId, approval.taskId, approval.status, JSON.stringify({ rootId, approval }));
    if (batch.resources !== undefined) setMeta.run('resources', JSON.stringify(batch.resources));
    for (const line of batch.journal) {
      append.run(line.at, batch.session, line.type, line.actor, line.taskId ?? null, line.rootId ?? null, line.data === undefined ? null : JSON.stringify(line.data));
    }
  });

  const forget = forgetting(db);

  const guarded = <T>(run: () => T): T => {
    if (!db.open) throw new EchelonError('store_write_failed', `The store ${path} is closed.`);
    try {
      return run();
    } catch (error) {
      if (isBusy(error)) throw busy(path, error);
      if (!damaged(error)) throw error;
      throw corrupt(path, error);
    }
  };
  // The files beside the database, by the name it was opened by: a process that changes its working
  // directory later would find a relative one elsewhere (and lock, or miss, another file).
  const file = path === '' || path === ':memory:' ? path : resolve(path);
  const lock = fileLock(Driver, db, file);
  const unmoved = fileIdentity(file);

  return {
    name: path,
    lock: (holder) => guarded(() => lock.lock(holder)),
    unlock: (holder) => lock.unlock(holder),

    header(): StoreHeader | undefined {
      return guarded(() => {
        const header = meta.get('header');
        if (header === undefined) return undefined;
        return { ...parseHeader(path, header), sessions: Number(meta.get('sessions') ?? 0) };
      });
    },

    load(): StoredOrganisation {
      return guarded(() =>
        db.transaction(() => ({
          ...this.header()!,
          snapshots: Object.fromEntries(read.agents.all().map(({ id, snapshot }) => [id, JSON.parse(snapshot)])),
          parts: read.parts.all().reduce<Record<string, Record<string, unknown>>>((byAgent, { agent_id, key, value }) => {
            (byAgent[agent_id] ??= {})[key] = JSON.parse(value);
            return byAgent;
          }, {}),
          tasks: read.tasks.all().map((json) => JSON.parse(json) as StoredTask),
          escalations: read.escalations.all().map((json) => JSON.parse(json)),
          approvals: read.approvals.all().map((json) => JSON.parse(json)),
          resources: JSON.parse(meta.get('resources') ?? '{"claims":[],"waiting":{}}') as ResourceState,
        }))(),
      );
    },

    write: (batch) =>
      guarded(() => {
        unmoved();
        write(batch);
      }),

    outcome: (taskId) => guarded(() => parsed<Outcome>(read.outcome.get(taskId))),
    escalation: (id) => guarded(() => parsed<{ escalation: Escalation }>(read.escalation.get(id))?.escalation),
    approval: (id) => guarded(() => parsed<{ approval: Approval }>(read.approval.get(id))?.approval),

    journal(query: JournalQuery = {}): JournalEntry[] {
      return guarded(() => {
        const where = query.taskId === undefined ? 'seq > ?' : 'seq > ? AND (task_id = ? OR root_id = ?)';
        const params: Array<string | number> = query.taskId === undefined ? [query.after ?? 0] : [query.after ?? 0, query.taskId, query.taskId];
        // No limit, or an infinite one, reads to the end; a count is bound, never written into the SQL.
        const limited = query.limit !== undefined && Number.isFinite(query.limit);
        if (limited) params.push(Math.max(0, Math.floor(query.limit!)));
        const sql = `SELECT * FROM journal WHERE ${where} ORDER BY seq${limited ? ' LIMIT ?' : ''}`;
        return db
          .prepare<Array<string | number>, JournalRow>(sql)
          .all(...params)
          .map((row) => ({
            seq: row.seq,
            at: row.at,
            session: row.session,
            type: row.type,
            actor: row.actor,
            ...(row.task_id === null ? {} : { taskId: row.task_id }),
            ...(row.root_id === null ? {} : { rootId: row.root_id }),
            ...(row.data === null ? {} : { data: JSON.parse(row.data) as Record<string, unknown> }),
          }));
      });
    },

    forget: (query) =>
      guarded(() => {
        unmoved();
        return forget(query);
      }),

    // One read transaction: in WAL mode its reads see the file as of the first, whatever is committed meanwhile.
    reading: <T>(read: () => T): T => guarded(() => db.transaction(read)()),

    close(): void {
      lock.closing();
      if (db.open) db.close();
    },
  };
}

function parsed<T>(json: string | undefined): T | undefined {
  return json === undefined ? undefined : (JSON.parse(json) as T);
}

function open(Driver: typeof BetterSqlite3, path: string, options: BetterSqlite3.Options): Database {
  try {
    return new Driver(path, options);
  } catch (error) {
    if (options.readonly === true) throw readFailure(path, error);
    throw new EchelonError('invalid_option', `Cannot open ${path} as a SQLite store: ${error instanceof Error ? error.message : String(error)}.`, { details: { path }, cause: error });
  }
}

/** better-sqlite3 is an optional peer: loaded on first use, with a clear error when it is missing. */
function loadDriver(): typeof BetterSqlite3 {
  return requirePeer<typeof BetterSqlite3>('better-sqlite3', 'The SQLite store (echelon/sqlite)');
}
