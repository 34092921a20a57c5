/**
 * The SQLite file's schema, its version, and the checks a file passes before echelon writes to it.
 *
 * Schema version 2 (`PRAGMA user_version = 2`, `PRAGMA application_id = 0x4543484C`, "ECHL"):
 *
 * | table | holds |
 * |---|---|
 * | `meta(key, value)` | `header` (the organisation's shape and snapshot format), `sessions`, `resources` (the resource registry), `holder` (who holds the store's lock, see `lock.ts`) |
 * | `agents(id, snapshot)` | each agent's XState persisted snapshot, without its child agents, its tasks replaced by references to… |
 * | `parts(agent_id, key, value)` | …the tasks themselves, each written once (see `parts.ts`) |
 * | `tasks(id, root_id, parent_id, status, holder, record)` | active tasks (`status = 'active'`, `record` = the task, its holder, books) and finished submitted tasks (`status` = terminal, `record` = the outcome) |
 * | `escalations(id, root_id, task_id, status, record)`, `approvals(…)` | every escalation and approval, with its submitted task |
 * | `journal(seq, at, session, type, actor, task_id, root_id, data)` | the audit log, appended to; `seq` is `AUTOINCREMENT`, so a number is never used twice, even once `forget` removed the last lines |
 *
 * Version 2 adds an index only (`tasks_settled`: finished tasks by when they settled, which
 * `forget` takes oldest first): a version 1 file reads the same, and is read as it is when opened
 * to read only (`OLDEST_READABLE`).
 *
 * Migrations: `MIGRATIONS[n]` takes a file from version `n` to `n + 1` (version 0 is an empty
 * file). To change the schema, append a migration and bump nothing else: `SCHEMA_VERSION` is the
 * number of migrations. Opening a file runs the missing ones in one transaction; a file from a
 * newer echelon (a higher version) is refused, untouched.
 */
import type { StoreHeader } from '../types.js';
import { corrupt, foreign, newer, readFailure } from './errors.js';

/** The part of a better-sqlite3 connection the schema uses (so that these types need no better-sqlite3 types). */
export interface Database {
  pragma(source: string, options?: { simple: boolean }): unknown;
  prepare(source: string): { pluck(): { all(): unknown[] } };
  exec(source: string): unknown;
  transaction(fn: () => void): { (): void; immediate(): void };
}

/** "ECHL": marks a SQLite file as echelon's, so a foreign database is never mistaken for one. */
export const APPLICATION_ID = 0x4543484c;

/**
 * A finished task's `settledAt`, read from its outcome: what `tasks_settled` indexes, and a query
 * must say it the same way to use the index. A row that is no JSON (a damaged file) reads as NULL,
 * so that the index never makes a write fail, and the read that meets the row says the file is damaged.
 */
export const SETTLED_AT = "iif(json_valid(record), json_extract(record, '$.settledAt'), NULL)";

const MIGRATIONS: ReadonlyArray<(db: Database) => void> = [
  // 0 → 1: the first schema.
  (db) =>
    db.exec(`
      CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
      CREATE TABLE agents (id TEXT PRIMARY KEY, snapshot TEXT NOT NULL) WITHOUT ROWID;
      CREATE TABLE parts (agent_id TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (agent_id, key)) WITHOUT ROWID;
      CREATE TABLE tasks (
        id TEXT PRIMARY KEY,
        root_id TEXT NOT NULL,
        parent_id TEXT,
        status TEXT NOT NULL,
        holder TEXT,
        record TEXT NOT NULL
      );
      CREATE INDEX tasks_active ON tasks (root_id) WHERE status = 'active';
      CREATE TABLE escalations (id TEXT PRIMARY KEY, root_id TEXT NOT NULL, task_id TEXT NOT NULL, status TEXT NOT NULL, record TEXT NOT NULL);
      CREATE INDEX escalations_root ON escalations (root_id);
      CREATE TABLE approvals (id TEXT PRIMARY KEY, root_id TEXT NOT NULL, task_id TEXT NOT NULL, status TEXT NOT NULL, record TEXT NOT NULL);
      CREATE INDEX approvals_root ON approvals (root_id);
      CREATE TABLE journal (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        at INTEGER NOT NULL,
        session INTEGER NOT NULL,
        type TEXT NOT NULL,
        actor TEXT NOT NULL,
        task_id TEXT,
        root_id TEXT,
        data TEXT
      );
      CREATE INDEX journal_task ON journal (task_id);
      CREATE INDEX journal_root ON journal (root_id);
    `),
  // 1 → 2: finished tasks by settledAt (read from the outcome), for forget.
  (db) => db.exec(`CREATE INDEX tasks_settled ON tasks (${SETTLED_AT}, id) WHERE status <> 'active';`),
];

/** The schema version this echelon writes: the number of migrations. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/** The oldest version read as it is (to read only): the migrations since then added indexes, not tables or columns. */
export const OLDEST_READABLE = 1;

const TABLES = ['meta', 'agents', 'parts', 'tasks', 'escalations', 'approvals', 'journal'];

/** What a file is, read without writing to it. */
export type Inspection = { readonly kind: 'empty' } | { readonly kind: 'echelon'; readonly version: number };

/** Looks at a database without writing: empty, echelon's (and which version), or refused with a clear error. */
export function inspect(db: Database, path: string): Inspection {
  let applicationId: number;
  let version: number;
  let tables: string[];
  try {
    applicationId = db.pragma('application_id', { simple: true }) as number;
    version = db.pragma('user_version', { simple: true }) as number;
    tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[];
  } catch (error) {
    throw readFailure(path, error);
  }
  if (applicationId !== APPLICATION_ID) {
    if (applicationId === 0 && version === 0 && tables.length === 0) return { kind: 'empty' };
    throw foreign(path, applicationId, tables);
  }
  if (version > SCHEMA_VERSION) throw newer(path, version, SCHEMA_VERSION);
  // Its tables, id and version are written in one transaction: tables without a version were not.
  if (version === 0 && tables.length > 0) throw corrupt(path, new Error(`it holds tables (${tables.join(', ')}) but no schema version`));
  let check: string[];
  try {
    check = db.prepare('PRAGMA quick_check').pluck().all() as string[];
  } catch (error) {
    throw readFailure(path, error);
  }
  if (check.length !== 1 || check[0] !== 'ok') {
    // SQLite's report is lines under a banner ("*** in database main ***\nTree 14 page 1001 …"): its first problems, on one line.
    const problems = check.flatMap((row) => row.split('\n')).filter((line) => line.trim() !== '' && !line.startsWith('*** in database'));
    throw corrupt(path, new Error(`SQLite's check of it found: ${problems.slice(0, 3).join('; ')}${problems.length > 3 ? ` (and ${problems.length - 3} more)` : ''}`));
  }
  const missing = version === 0 ? [] : TABLES.filter((table) => !tables.includes(table));
  if (missing.length > 0) throw corrupt(path, new Error(`tables ${missing.join(', ')} are missing`));
  return { kind: 'echelon', version };
}

/**
 * Brings a checked file up to `SCHEMA_VERSION`, in one transaction that takes the write lock
 * first. Another process may have migrated the file since it was checked at version `from` (two
 * opening a new file at once): the version is read again under the lock, and what is done is not
 * done again.
 */
export function migrate(db: Database, from: number): void {
  if (from === SCHEMA_VERSION) return;
  db.transaction(() => {
    const now = db.pragma('user_version', { simple: true }) as number;
    if (now >= SCHEMA_VERSION) return;
    for (let version = now; version < SCHEMA_VERSION; version++) MIGRATIONS[version]!(db);
    db.pragma(`application_id = ${APPLICATION_ID}`);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }).immediate();
}

/** The header as the store wrote it — an object listing the agents' links and the snapshots' format — or `store_corrupt`. */
export function parseHeader(path: string, json: string): Omit<StoreHeader, 'sessions'> {
  const parsed = JSON.parse(json) as Omit<StoreHeader, 'sessions'> | null;
  const link = (item: unknown) => typeof item === 'object' && item !== null && typeof (item as { id?: unknown }).id === 'string' && ((item as { parent?: unknown }).parent === null || typeof (item as { parent?: unknown }).parent === 'string');
  if (typeof parsed !== 'object' || parsed === null || !Array.isArray(parsed.agents) || !parsed.agents.every(link)) throw corrupt(path, new Error('its header does not list the agents'));
  // The store writes it with the header, always: a header without it was not written by echelon.
  if (!Number.isInteger(parsed.snapshotFormat)) throw corrupt(path, new Error('its header does not say the format of its agent snapshots'));
  return parsed;
}
