/**
 * The SQLite file itself: what a new file looks like (WAL, schema version, application id),
 * and the files it refuses — corrupt, foreign, truncated, from a newer echelon — each with a
 * clear error and the file left exactly as it was.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { createOrchestrator, developmentTeam, EchelonError } from '../../src/index.js';
import { APPLICATION_ID, SCHEMA_VERSION, sqliteStore } from '../../src/sqlite.js';
import { storeHolder } from '../../src/store/index.js';
import { inspect, migrate } from '../../src/store/sqlite/schema.js';
import { seeded } from '../support/helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'echelon-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
/** The file's bytes, and every file next to it: what "left as it was" means. */
const fingerprint = (path: string) => ({
  sha: createHash('sha256').update(readFileSync(path)).digest('hex'),
  mtime: statSync(path).mtimeMs,
  siblings: readdirSync(join(path, '..')).sort(),
});

const refusal = (path: string) => {
  try {
    sqliteStore(path).close();
  } catch (error) {
    if (error instanceof EchelonError) return error;
    throw error;
  }
  throw new Error(`${path} was accepted`);
};

/** An echelon file with an organisation in it, closed. */
async function storedOrganisation(path: string) {
  const store = sqliteStore(path);
  const org = createOrchestrator({ hierarchy: developmentTeam(), executors: async () => 'done', store });
  await Promise.all(Array.from({ length: 40 }, (_, i) => org.submit({ type: i % 2 ? 'python' : 'react', payload: { text: 'x'.repeat(2_000) } })));
  await org.stop();
  store.close();
}

describe('the SQLite file', () => {
  it('is created in WAL mode, marked as echelon’s, at the current schema version, with synchronous NORMAL', () => {
    const path = join(mkdtempSync(join(dir, 'new-')), 'org.db');
    sqliteStore(path).close();
    const db = new Database(path, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('application_id', { simple: true })).toBe(APPLICATION_ID);
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(SCHEMA_VERSION).toBe(2);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").pluck().all()).toEqual([
      'agents',
      'approvals',
      'escalations',
      'journal',
      'meta',
      'parts',
      'tasks',
    ]);
    db.close();
  });

  it('takes an empty SQLite database and migrates it from version 0', () => {
    const path = join(mkdtempSync(join(dir, 'empty-')), 'org.db');
    new Database(path).close();
    const store = sqliteStore(path);
    expect(store.header()).toBeUndefined();
    store.close();
    expect(new Database(path, { readonly: true }).pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
  });

  it('to read only, refuses a file with nothing in it as nothing to read (invalid_option), whether zero bytes or an empty database', () => {
    const folder = mkdtempSync(join(dir, 'read-empty-'));
    writeFileSync(join(folder, 'zero.db'), '');
    new Database(join(folder, 'blank.db')).close();
    // A zero-byte file was store_corrupt ("restore it from a backup"), as no SQLite header: a writable open takes it as a new store.
    for (const name of ['zero.db', 'blank.db']) expect(() => sqliteStore(join(folder, name), { readOnly: true })).toThrow(expect.objectContaining({ code: 'invalid_option', message: expect.stringContaining('holds no organisation to read') }));
    // Saying what the file is, and what to give instead (it said only "holds no organisation to read").
    const cleared = new Database(join(folder, 'cleared.db'));
    cleared.exec('CREATE TABLE t (x); DROP TABLE t');
    cleared.close();
    for (const [name, what] of [['zero.db', 'is empty (0 bytes)'], ['blank.db', 'is empty (0 bytes)'], ['cleared.db', 'is a SQLite database with no tables']]) {
      expect(() => sqliteStore(join(folder, name!), { readOnly: true })).toThrow(expect.objectContaining({ message: `sqliteStore: ${join(folder, name!)} ${what}: it holds no organisation to read. Give the file an organisation ran on (an empty file becomes a new store only when opened to run on).` }));
    }
    expect(readdirSync(folder).sort()).toEqual(['blank.db', 'cleared.db', 'zero.db']);
    expect(() => sqliteStore(join(folder, 'missing.db'), { readOnly: true })).toThrow(expect.objectContaining({ code: 'invalid_option', message: expect.stringContaining('no file') }));
  });

  it('takes a new file another process migrated after this one found it empty (two opening it at once)', () => {
    const path = join(mkdtempSync(join(dir, 'race-')), 'org.db');
    const late = new Database(path);
    expect(inspect(late, path)).toEqual({ kind: 'empty' });
    sqliteStore(path).close(); // the other process, meanwhile
    // Before, the migration ran again: SqliteError "table meta already exists", not an EchelonError.
    expect(() => migrate(late, 0)).not.toThrow();
    late.close();
    const store = sqliteStore(path);
    expect(store.header()).toBeUndefined();
    store.close();
    expect(new Database(path, { readonly: true }).pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
  });

  it('refuses a file that is not a database (store_corrupt), untouched', () => {
    const path = join(mkdtempSync(join(dir, 'garbage-')), 'org.db');
    const random = seeded(7);
    writeFileSync(path, Buffer.from(Array.from({ length: 8_192 }, () => Math.floor(random() * 256))));
    const before = fingerprint(path);
    const error = refusal(path);
    expect(error.code).toBe('store_corrupt');
    expect(error.message).toMatch(/cannot be read as an echelon store .*left as it is/);
    expect(fingerprint(path)).toEqual(before);
  });

  it('refuses a truncated echelon file (store_corrupt), untouched', async () => {
    const path = join(mkdtempSync(join(dir, 'truncated-')), 'org.db');
    await storedOrganisation(path);
    truncateSync(path, Math.floor(statSync(path).size / 2));
    const before = fingerprint(path);
    expect(refusal(path).code).toBe('store_corrupt');
    expect(fingerprint(path)).toEqual(before);
  });

  it('refuses another program’s database (store_foreign), untouched', () => {
    const path = join(mkdtempSync(join(dir, 'foreign-')), 'org.db');
    const db = new Database(path);
    db.exec("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL); INSERT INTO invoices (total) VALUES (9.5)");
    db.close();
    const before = fingerprint(path);
    const error = refusal(path);
    expect(error).toMatchObject({ code: 'store_foreign', details: { applicationId: 0, tables: ['invoices'] } });
    expect(fingerprint(path)).toEqual(before);
    // One that marks itself as another program's is refused from its header alone.
    const marked = join(mkdtempSync(join(dir, 'marked-')), 'org.db');
    const other = new Database(marked);
    other.pragma('journal_mode = WAL');
    other.pragma('application_id = 1234');
    other.exec('CREATE TABLE notes (body TEXT)');
    other.close();
    const untouched = fingerprint(marked);
    expect(refusal(marked)).toMatchObject({ code: 'store_foreign', details: { applicationId: 1234 } });
    expect(fingerprint(marked)).toEqual(untouched);
  });

  it('refuses a file from a newer echelon (store_version_unsupported), untouched', async () => {
    const path = join(mkdtempSync(join(dir, 'future-')), 'org.db');
    await storedOrganisation(path);
    const db = new Database(path);
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    const before = fingerprint(path);
    const error = refusal(path);
    expect(error).toMatchObject({ code: 'store_version_unsupported', details: { found: SCHEMA_VERSION + 1, supported: SCHEMA_VERSION } });
    expect(error.message).toMatch(/newer echelon/);
    expect(fingerprint(path)).toEqual(before);
  });

  it('refuses to resume from rows it cannot read (store_corrupt)', async () => {
    const path = join(mkdtempSync(join(dir, 'tampered-')), 'org.db');
    await storedOrganisation(path);
    const db = new Database(path);
    db.prepare("UPDATE agents SET snapshot = '{not json' WHERE id = 'cto'").run();
    db.close();
    const store = sqliteStore(path);
    // The store itself says so (a row that is no JSON is one it did not write), as every read of it does.
    expect(() => createOrchestrator({ hierarchy: developmentTeam(), executors: async () => 'done', store, resume: true })).toThrow(
      expect.objectContaining({ code: 'store_corrupt', message: expect.stringMatching(/cannot be read as an echelon store \(.*JSON/) }),
    );
    store.close();
  });

  it.each([
    ['a task record without its task', "UPDATE tasks SET record = '{\"x\":1}' WHERE status = 'active'"],
    ['a task record that is null', "UPDATE tasks SET record = 'null' WHERE status = 'active'"],
    ['an approval record without its fields', "UPDATE approvals SET record = '{\"x\":1}'"],
    ['an agent snapshot that is null', "UPDATE agents SET snapshot = 'null' WHERE id = 'backend_dev_1'"],
    ['a session count that is no number', "UPDATE meta SET value = 'many' WHERE key = 'sessions'"],
  ])('refuses to resume from %s (store_corrupt, not a TypeError), and frees the file for another try', async (_case, tamper) => {
    const path = join(mkdtempSync(join(dir, 'shape-')), 'org.db');
    const store = sqliteStore(path);
    const org = createOrchestrator({ hierarchy: developmentTeam(), executors: async () => 'done', store });
    void org.submit({ id: 'parked', type: 'python', context: { requiresApproval: true } }).catch(() => undefined);
    await org.flush();
    await org.stop();
    store.close();
    const db = new Database(path);
    expect(db.prepare(tamper).run().changes).toBe(1);
    db.close();
    const damaged = sqliteStore(path);
    expect(() => createOrchestrator({ hierarchy: developmentTeam(), executors: async () => 'done', store: damaged, resume: true })).toThrow(
      expect.objectContaining({ code: 'store_corrupt', message: expect.stringContaining('the store is damaged') }),
    );
    expect(() => damaged.lock(storeHolder())).not.toThrow();
    damaged.close();
  });

  /** A copy of the files a crash would leave: the organisation still in the write-ahead log (never checkpointed). */
  async function crashedCopy(name: string): Promise<string> {
    const live = join(mkdtempSync(join(dir, `${name}-live-`)), 'org.db');
    const store = sqliteStore(live);
    const org = createOrchestrator({ hierarchy: developmentTeam(), executors: async () => 'done', store });
    await org.submit({ id: 'done', type: 'python' });
    const path = join(mkdtempSync(join(dir, `${name}-`)), 'org.db');
    copyFileSync(live, path);
    copyFileSync(`${live}-wal`, `${path}-wal`);
    await org.stop();
    store.close();
    return path;
  }

  it('resumes from a write-ahead log a crash left, and refuses one whose header is damaged or that lost its database (store_corrupt), untouched', async () => {
    const intact = await crashedCopy('wal');
    const reopened = sqliteStore(intact);
    const resumed = createOrchestrator({ hierarchy: developmentTeam(), executors: async () => 'done', store: reopened, resume: true });
    expect((await resumed.outcome('done')).status).toBe('completed');
    await resumed.stop();
    reopened.close();

    // Before, SQLite ignored the log it could not read: an empty organisation started over it, and the log was overwritten.
    const damaged = await crashedCopy('wal-damaged');
    const header = readFileSync(`${damaged}-wal`);
    header.fill(0x5a, 8, 16);
    writeFileSync(`${damaged}-wal`, header);
    const before = fingerprint(`${damaged}-wal`);
    expect(refusal(damaged)).toMatchObject({ code: 'store_corrupt', message: expect.stringContaining('-wal has no valid header') });
    expect(fingerprint(`${damaged}-wal`)).toEqual(before);

    const orphan = await crashedCopy('wal-orphan');
    rmSync(orphan);
    expect(refusal(orphan)).toMatchObject({ code: 'store_corrupt', message: expect.stringContaining('-wal is there without its database') });
    expect(readdirSync(join(orphan, '..'))).toEqual(['org.db-wal']);
  });

  it('refuses a path that is no file — a directory, a device — with invalid_option, before SQLite opens it', () => {
    expect(refusal(mkdtempSync(join(dir, 'a-directory-')))).toMatchObject({ code: 'invalid_option', message: expect.stringContaining('it is a directory, not a file') });
    if (process.platform !== 'win32' && existsSync('/dev/null')) {
      // Before: a raw SqliteError SQLITE_IOERR_FSYNC, and SQLite had made /dev/null-journal.
      const hadJournal = existsSync('/dev/null-journal');
      expect(refusal('/dev/null')).toMatchObject({ code: 'invalid_option', message: expect.stringContaining('it is a device, not a file') });
      expect(existsSync('/dev/null-journal')).toBe(hadJournal);
    }
  });

  it.each<[string, () => unknown, string]>([
    ['no path', () => sqliteStore(undefined as never), 'sqliteStore needs the path of its file (a non-empty string), got undefined'],
    ['an empty path', () => sqliteStore(''), 'sqliteStore needs the path of its file (a non-empty string), got ""'],
    ['an unknown option', () => sqliteStore(join(dir, 'never-a.db'), { sync: 'full' } as never), 'unknown option "sync"'],
    ['a synchronous mode it does not have', () => sqliteStore(join(dir, 'never-b.db'), { synchronous: 'sometimes' as never }), "synchronous must be 'normal' or 'full', got \"sometimes\""],
  ])('refuses %s with invalid_option, creating no file', (_case, open, message) => {
    const before = readdirSync(dir).sort();
    expect(open).toThrow(expect.objectContaining({ code: 'invalid_option', message: expect.stringContaining(message) }));
    expect(readdirSync(dir).sort()).toEqual(before);
  });
});
